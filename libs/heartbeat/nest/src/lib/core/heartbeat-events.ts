/** Connection lifecycle, as emitted by `HeartbeatService.events$`. Times are epoch ms. */
export type HeartbeatLifecycleEvent =
  | { type: 'connected'; connectionId: string; remoteAddress: string; at: number }
  | {
      type: 'authenticated';
      connectionId: string;
      remoteAddress: string;
      sessionId: string;
      /** True when the `hello` resumed a session the server still kept. */
      resumed: boolean;
      at: number;
    }
  | {
      type: 'timed_out';
      connectionId: string;
      remoteAddress: string;
      /** `missed_pings`: too many pings in a row unanswered; `heartbeat_timeout`: silent too long. */
      cause: 'missed_pings' | 'heartbeat_timeout';
      missedPings: number;
      silentForMs: number;
      at: number;
    }
  | { type: 'disconnected'; connectionId: string; remoteAddress: string; code: number; reason: string; at: number }
  /** The connection's token expired before an `auth` renewed it; it is closed with 4001. */
  | { type: 'token_expired'; connectionId: string; remoteAddress: string; at: number }
  /** The peer sent frames faster than `rateLimit` allows; it is closed with 4429 and told to wait `retryAfterMs`. */
  | { type: 'rate_limited'; connectionId: string; remoteAddress: string; retryAfterMs: number; at: number }
  /** The socket's IP address already had `limit` connections (`maxConnectionsPerAddress`); it is closed with 1013. */
  | { type: 'address_limited'; connectionId: string; remoteAddress: string; limit: number; at: number }
  /** The peer stopped reading: its send buffer held `bufferedBytes`, above `maxBufferedBytes`; it is closed with 4009. */
  | { type: 'slow_consumer'; connectionId: string; remoteAddress: string; bufferedBytes: number; at: number }
  /**
   * The graceful shutdown closes this connection with 1012: the `position`-th of the `of`
   * connections the drain closes, at (position − 1) × drainWindow / of after it began.
   */
  | { type: 'draining'; connectionId: string; remoteAddress: string; position: number; of: number; at: number };

/** One answered server ping, as emitted by `HeartbeatService.heartbeats$`. */
export interface HeartbeatSample {
  connectionId: string;
  rttMs: number;
  clockOffsetMs: number;
  at: number;
}

/** A `message` frame from an authenticated client, as emitted by `HeartbeatService.messages$`. */
export interface HeartbeatClientMessage {
  connectionId: string;
  sessionId: string;
  id: string;
  topic: string | undefined;
  data: unknown;
}
