/**
 * The stats a Heartbeat server reports (`HeartbeatService.getStats()`, `GET /api/heartbeat/stats`):
 * `heartbeat_stats` and `connection_details` (docs/server.md#statistics-getstats), shared by the
 * server and the dashboards that read them. Times are epoch ms except `connected_at` (ISO-8601).
 */

/** Totals since the server started. */
export interface HeartbeatTotals {
  total_pings_sent: number;
  total_pongs_received: number;
  total_client_pings: number;
  timeout_disconnections: number;
  active_connections: number;
  last_cleanup_time: number | null;
  // The fields below came with delivery guarantees (sessions, drain, limits). They are optional so
  // that stats of an older server still fit; a server of this version always sends them.
  /** Handshakes that resumed a kept session (`welcome.resumed: true`). */
  resumed_sessions?: number;
  /** Live connections dropped because their session resumed on a newer connection (a half-open leftover). */
  session_takeovers?: number;
  /** Sessions kept for resume whose connection has closed. */
  retained_sessions?: number;
  /** `message` frames acknowledged again but not delivered again: their id was already seen in the session. */
  duplicate_messages?: number;
  /** Connections closed with 4009: they stopped reading and their send buffer passed the high-water mark. */
  slow_consumer_disconnections?: number;
  /** Connections closed with 4429: they sent frames faster than the server's rate limit. */
  rate_limited_disconnections?: number;
  /** Sockets closed with 1013 at once: their remote address already had the most connections allowed. */
  address_limit_rejections?: number;
  /** Connections closed with 4001 because their token expired before an `auth` frame renewed it. */
  token_expirations?: number;
  /**
   * `hello` frames that named a session of another user (or an anonymous client's session with a
   * user's token, or the reverse): each started a new session and left the owner's alone.
   */
  session_refusals?: number;
  /** True while the server shuts down gracefully: connections are closed with 1012, new ones refused. */
  draining?: boolean;
}

/** One connection. */
export interface ConnectionDetails {
  id: string;
  session_id: string | null;
  state: 'handshake' | 'authenticating' | 'open' | 'closed';
  remote_address: string;
  connected_at: string;
  ping_count: number;
  pong_count: number;
  client_ping_count: number;
  missed_pings: number;
  last_ping_time: number | null;
  last_pong_time: number | null;
  last_seen_time: number;
  rtt_ms: number | null;
  avg_rtt_ms: number | null;
  clock_offset_ms: number | null;
  topics: string[];
  buffered_bytes: number;
  /** When the connection's token expires (epoch ms), `null` when it does not; optional for older servers. */
  token_expires_at?: number | null;
  /** The server process that holds the connection (Redis mode). */
  node_id?: string;
  /** The user `verifyToken` named for the connection, `null` for an anonymous one; optional for older servers. */
  user_id?: string | null;
}

/** One server process of a cluster (Redis mode), as the cluster-wide stats list it. */
export interface NodeStats {
  node_id: string;
  /**
   * True when the node's last report is older than the cluster's `staleAfter` or it did not answer
   * the stats request in time: its figures are its last known ones and are not in the totals.
   */
  stale: boolean;
  /** When the figures were taken (epoch ms). */
  reported_at: number;
  heartbeat_stats: HeartbeatTotals;
}

export interface HeartbeatStats {
  /** In a cluster: the sum over the nodes that are not stale. */
  heartbeat_stats: HeartbeatTotals;
  connection_details: ConnectionDetails[];
  /** Every node of the cluster, stale ones included (cluster-wide stats only; one entry in memory mode). */
  nodes?: NodeStats[];
}
