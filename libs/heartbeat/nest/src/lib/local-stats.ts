import type { ConnectionDetails, HeartbeatStats, HeartbeatTotals } from '@heartbeat/protocol';
import { Injectable } from '@nestjs/common';
import { ConnectionDrainer } from './core/connection-drainer.js';
import { ConnectionRegistry } from './core/connection-registry.js';
import { HeartbeatCounters } from './core/heartbeat-counters.js';
import type { HeartbeatConnection } from './core/heartbeat-connection.js';
import { SessionRegistry } from './core/session-registry.js';

/** The figures of this process: its connections and counters. Cluster stats are built from these. */
@Injectable()
export class LocalStats {
  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly sessions: SessionRegistry,
    private readonly drainer: ConnectionDrainer,
    private readonly counters: HeartbeatCounters,
  ) {}

  stats(nodeId?: string): HeartbeatStats {
    return {
      heartbeat_stats: this.totals(),
      connection_details: Array.from(this.registry.values(), (connection) => details(connection, nodeId)),
    };
  }

  /** The totals alone: cheap at any connection count (no per-connection details). */
  totals(): Required<HeartbeatTotals> {
    const { counters } = this;
    return {
      total_pings_sent: counters.pingsSent,
      total_pongs_received: counters.pongsReceived,
      total_client_pings: counters.clientPings,
      timeout_disconnections: counters.timeoutDisconnections,
      active_connections: this.registry.size,
      last_cleanup_time: counters.lastCleanupAt ?? null,
      resumed_sessions: counters.resumedSessions,
      session_takeovers: counters.sessionTakeovers,
      duplicate_messages: counters.duplicateMessages,
      slow_consumer_disconnections: counters.slowConsumerDisconnections,
      rate_limited_disconnections: counters.rateLimitedDisconnections,
      address_limit_rejections: counters.addressLimitRejections,
      token_expirations: counters.tokenExpirations,
      session_refusals: counters.sessionRefusals,
      retained_sessions: this.sessions.retainedCount,
      draining: this.drainer.isDraining,
    };
  }
}

function details(connection: HeartbeatConnection, nodeId: string | undefined): ConnectionDetails {
  const row: ConnectionDetails = {
    id: connection.id,
    session_id: connection.sessionId ?? null,
    state: connection.state,
    remote_address: connection.remoteAddress,
    connected_at: new Date(connection.connectedAt).toISOString(),
    ping_count: connection.pingsSent,
    pong_count: connection.pongsReceived,
    client_ping_count: connection.clientPings,
    missed_pings: connection.missedPings,
    last_ping_time: connection.lastPingAt ?? null,
    last_pong_time: connection.lastPongAt ?? null,
    last_seen_time: connection.lastInboundAt,
    rtt_ms: connection.rttMs ?? null,
    avg_rtt_ms: connection.smoothedRttMs === undefined ? null : Math.round(connection.smoothedRttMs * 100) / 100,
    clock_offset_ms: connection.clockOffsetMs ?? null,
    topics: [...connection.topics],
    buffered_bytes: connection.bufferedBytes,
    token_expires_at: connection.tokenExpiresAt ?? null,
    user_id: connection.userId ?? null,
  };
  if (nodeId !== undefined) row.node_id = nodeId;
  return row;
}
