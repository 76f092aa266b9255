import { CloseCode, formatRetryHint } from '@heartbeat/protocol';
import type { HeartbeatConnection } from './heartbeat-connection.js';
import type { HeartbeatCounters } from './heartbeat-counters.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';
import type { LifecycleEvents } from './lifecycle-events.js';
import type { CoreLogger } from './logger.port.js';

/**
 * `rateLimit`: a token bucket per connection over every frame it sends, before the handshake too.
 * A frame beyond it is dropped and the connection closed with 4429; the close reason says how long
 * to wait ("…; retry after <n> ms": until the bucket would be full again).
 */
export class FrameRateLimiter {
  constructor(
    private readonly options: Pick<ResolvedHeartbeatOptions, 'rateLimit'>,
    private readonly counters: HeartbeatCounters,
    private readonly events: LifecycleEvents,
    private readonly logger: CoreLogger,
  ) {}

  /**
   * True when the frame may be handled; false when the connection exceeded its rate (it is being
   * closed). The frame's time is the one the router just stamped: one clock read per frame.
   */
  admit(connection: HeartbeatConnection): boolean {
    const limit = this.options.rateLimit;
    if (!limit) return true;
    const now = connection.lastInboundAt;
    if (connection.takeFrameToken(limit, now)) return true;
    if (!connection.isClosing) {
      const retryAfterMs = connection.msUntilFrameBucketFull(limit, now);
      this.counters.rateLimitedDisconnection();
      this.logger.warn(HeartbeatMessages.logRateLimited(connection.id, connection.remoteAddress, limit.messagesPerSecond, limit.burst));
      this.events.emit({ type: 'rate_limited', connectionId: connection.id, remoteAddress: connection.remoteAddress, userId: connection.userId, retryAfterMs, at: now });
      connection.close(CloseCode.RateLimited, formatRetryHint(HeartbeatMessages.closeRateLimited(limit.messagesPerSecond), retryAfterMs));
    }
    return false;
  }
}
