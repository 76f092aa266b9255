import { CloseCode, formatRetryHint } from '@heartbeat/protocol';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConnectionRegistry } from './connection-registry.js';
import { HEARTBEAT_OPTIONS } from './heartbeat.constants.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import type { HeartbeatConnection } from './heartbeat-connection.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';
import { TokenBucket } from './token-bucket.js';

/**
 * `rateLimit`: a token bucket per connection over every frame it sends, before the handshake too.
 * A frame beyond it is dropped and the connection closed with 4429; the close reason says how long
 * to wait ("…; retry after <n> ms": until the bucket would be full again).
 */
@Injectable()
export class FrameRateLimiter {
  private readonly logger = new Logger('Heartbeat');

  constructor(
    @Inject(HEARTBEAT_OPTIONS) private readonly options: ResolvedHeartbeatOptions,
    private readonly registry: ConnectionRegistry,
  ) {}

  /**
   * True when the frame may be handled; false when the connection exceeded its rate (it is being
   * closed). The frame's time is the one ConnectionRegistry.touch just stamped: one clock read per frame.
   */
  admit(connection: HeartbeatConnection): boolean {
    const limit = this.options.rateLimit;
    if (!limit) return true;
    const now = connection.lastInboundAt;
    // On the connection rather than in a WeakMap: no ephemeron entry per connection for the GC to trace.
    const bucket = (connection.rateBucket ??= new TokenBucket(limit, now));
    if (bucket.take(now)) return true;
    if (connection.closeCode === undefined) {
      const retryAfterMs = bucket.msUntilFull(now);
      this.registry.counters.rateLimitedDisconnections++;
      this.logger.warn(HeartbeatMessages.logRateLimited(connection.id, connection.remoteAddress, limit.messagesPerSecond, limit.burst));
      this.registry.emit({
        type: 'rate_limited',
        connectionId: connection.id,
        remoteAddress: connection.remoteAddress,
        retryAfterMs,
        at: now,
      });
      connection.close(CloseCode.RateLimited, formatRetryHint(HeartbeatMessages.closeRateLimited(limit.messagesPerSecond), retryAfterMs));
    }
    return false;
  }
}
