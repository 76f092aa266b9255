import { CloseCode, type ConnectionDetails, type HeartbeatStats, type HeartbeatTotals } from '@heartbeat/protocol';
import { Injectable } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { ConnectionDrainer } from './connection-drainer.js';
import { ConnectionRegistry } from './connection-registry.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import type { HeartbeatConnection } from './heartbeat-connection.js';
import type { HeartbeatClientMessage, HeartbeatLifecycleEvent, HeartbeatSample } from './heartbeat-events.js';
import { MessageInbox } from './message-inbox.js';
import { PingScheduler } from './ping-scheduler.js';
import { SessionRegistry } from './session-registry.js';
import { type PublishResult, TopicBroker } from './topic-broker.js';

/** The module's public API: publish to topics, read stats, close connections, watch what happens. */
@Injectable()
export class HeartbeatService {
  /** Connection lifecycle: connected, authenticated, timed out, disconnected (with code and reason). */
  readonly events$: Observable<HeartbeatLifecycleEvent>;
  /** Every answered server ping with its RTT and clock offset. */
  readonly heartbeats$: Observable<HeartbeatSample>;
  /** Every `message` frame from a client (already acknowledged). */
  readonly messages$: Observable<HeartbeatClientMessage>;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly topics: TopicBroker,
    private readonly sessions: SessionRegistry,
    private readonly drainer: ConnectionDrainer,
    pings: PingScheduler,
    inbox: MessageInbox,
  ) {
    this.events$ = registry.events$;
    this.heartbeats$ = pings.samples$;
    this.messages$ = inbox.messages$;
  }

  /** True once the application began to close: connections are being drained, new ones refused. */
  get isDraining(): boolean {
    return this.drainer.isDraining;
  }

  /** Live connections, authenticated or not. */
  get connectionCount(): number {
    return this.registry.size;
  }

  /** Sends `data` to every subscriber of `topic` as the topic's next event (encoded once). */
  publish<T>(topic: string, data: T): PublishResult {
    return this.topics.publish(topic, data);
  }

  /**
   * Closes a connection (default: 4003, kicked by an administrator). False when the id is unknown.
   * Throws a RangeError, leaving the connection as it was, for a code or reason a close frame cannot carry.
   */
  disconnect(id: string, code: number = CloseCode.Kicked, reason: string = HeartbeatMessages.closeKicked()): boolean {
    return this.registry.disconnect(id, code, reason);
  }

  /** Bytes waiting in the send buffers of all connections, and in the fullest one (for metrics). */
  sendBuffers(): { totalBytes: number; maxBytes: number } {
    let totalBytes = 0;
    let maxBytes = 0;
    for (const connection of this.registry.values()) {
      const bytes = connection.bufferedBytes;
      totalBytes += bytes;
      if (bytes > maxBytes) maxBytes = bytes;
    }
    return { totalBytes, maxBytes };
  }

  getStats(): HeartbeatStats {
    return { heartbeat_stats: this.getTotals(), connection_details: Array.from(this.registry.values(), details) };
  }

  /** The totals alone: cheap at any connection count (no per-connection details). */
  getTotals(): Required<HeartbeatTotals> {
    const { counters } = this.registry;
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
      retained_sessions: this.sessions.retainedCount,
      draining: this.drainer.isDraining,
    };
  }
}

/** The codes an endpoint may send in a close frame (RFC 6455 §7.4; 1004-1006 and 1015 are reserved). */
function details(connection: HeartbeatConnection): ConnectionDetails {
  return {
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
  };
}
