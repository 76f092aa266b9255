import { CloseCode } from '@heartbeat/protocol';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { Clock } from './clock.js';
import { ConnectionRegistry } from './connection-registry.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import type { HeartbeatConnection } from './heartbeat-connection.js';

/** Node's timers take at most this delay; a later deadline is checked again after it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** How long to wait before looking at a deadline again: until it, or as long as a timer can wait. */
export function expiryCheckDelay(expiresAt: number, now: number): number {
  return Math.min(Math.max(0, expiresAt - now), MAX_TIMER_MS);
}

/**
 * The deadlines of tokens that expire (`verifyToken` resolved `{ expiresAt }`): at the deadline the
 * connection is closed with 4001, unless an accepted `auth` moved it (or removed it) before.
 */
@Injectable()
export class TokenExpiry implements OnApplicationShutdown {
  private readonly logger = new Logger('Heartbeat');
  private readonly timers = new Map<HeartbeatConnection, NodeJS.Timeout>();
  private readonly removal: Subscription;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly clock: Clock,
  ) {
    this.removal = registry.removed$.subscribe((connection) => this.clear(connection));
  }

  /** Sets (or with `undefined` removes) the connection's deadline, replacing the previous one. */
  schedule(connection: HeartbeatConnection, expiresAt: number | undefined): void {
    this.clear(connection);
    connection.tokenExpiresAt = expiresAt;
    if (expiresAt !== undefined) this.arm(connection, expiresAt);
  }

  onApplicationShutdown(): void {
    this.removal.unsubscribe();
    for (const connection of [...this.timers.keys()]) this.clear(connection);
  }

  private arm(connection: HeartbeatConnection, expiresAt: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(connection);
      if (this.clock.now() < expiresAt) this.arm(connection, expiresAt);
      else this.expire(connection);
    }, expiryCheckDelay(expiresAt, this.clock.now()));
    timer.unref();
    this.timers.set(connection, timer);
  }

  private expire(connection: HeartbeatConnection): void {
    if (connection.state === 'closed' || connection.closeCode !== undefined) return;
    const now = this.clock.now();
    this.registry.counters.tokenExpirations++;
    this.logger.log(HeartbeatMessages.logTokenExpired(connection.id));
    this.registry.emit({ type: 'token_expired', connectionId: connection.id, remoteAddress: connection.remoteAddress, at: now });
    connection.close(CloseCode.Unauthorized, HeartbeatMessages.closeTokenExpired());
  }

  private clear(connection: HeartbeatConnection): void {
    const timer = this.timers.get(connection);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(connection);
  }
}
