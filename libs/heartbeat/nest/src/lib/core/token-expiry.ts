import { CloseCode } from '@heartbeat/protocol';
import type { CoreClock } from './clock.port.js';
import type { HeartbeatConnection } from './heartbeat-connection.js';
import type { HeartbeatCounters } from './heartbeat-counters.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import type { LifecycleEvents } from './lifecycle-events.js';
import type { CoreLogger } from './logger.port.js';

/** Node's timers take at most this delay; a later deadline is checked again after it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** How long to wait before looking at a deadline again: until it, or as long as a timer can wait. */
export function expiryCheckDelay(expiresAt: number, now: number): number {
  return Math.min(Math.max(0, expiresAt - now), MAX_TIMER_MS);
}

/**
 * The deadlines of tokens that expire (`verifyToken` resolved `{ expiresAt }`): at the deadline the
 * connection is closed with 4001, unless an accepted `auth` moved it (or removed it) before
 * (docs/server.md#authentication-and-token-expiry). The timer is the connection's own deadline, so
 * it ends with the connection.
 */
export class TokenExpiry {
  constructor(
    private readonly clock: CoreClock,
    private readonly counters: HeartbeatCounters,
    private readonly events: LifecycleEvents,
    private readonly logger: CoreLogger,
  ) {}

  /** Sets (or with `undefined` removes) the connection's deadline, replacing the previous one. */
  schedule(connection: HeartbeatConnection, expiresAt: number | undefined): void {
    connection.setTokenExpiry(expiresAt);
    if (expiresAt !== undefined) this.arm(connection, expiresAt);
  }

  private arm(connection: HeartbeatConnection, expiresAt: number): void {
    connection.setDeadline(expiryCheckDelay(expiresAt, this.clock.now()), () => {
      if (this.clock.now() < expiresAt) this.arm(connection, expiresAt);
      else this.expire(connection);
    });
  }

  private expire(connection: HeartbeatConnection): void {
    if (connection.isClosing) return;
    this.counters.tokenExpired();
    this.logger.log(HeartbeatMessages.logTokenExpired(connection.id));
    this.events.emit({ type: 'token_expired', connectionId: connection.id, remoteAddress: connection.remoteAddress, userId: connection.userId, at: this.clock.now() });
    connection.close(CloseCode.Unauthorized, HeartbeatMessages.closeTokenExpired());
  }
}
