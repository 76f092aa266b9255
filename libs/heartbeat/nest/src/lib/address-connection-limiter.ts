import { CloseCode, formatRetryHint } from '@heartbeat/protocol';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { Clock } from './clock.js';
import { ConnectionRegistry } from './connection-registry.js';
import { HEARTBEAT_OPTIONS } from './heartbeat.constants.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import { ADDRESS_LIMIT_RETRY_AFTER_MS } from './heartbeat-defaults.js';
import type { HeartbeatConnection } from './heartbeat-connection.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';

/**
 * `maxConnectionsPerAddress`: counts the open sockets of each remote IP address, handshake
 * included; a socket beyond the limit is closed with 1013 (try again later) and a retry hint.
 */
@Injectable()
export class AddressConnectionLimiter implements OnApplicationShutdown {
  private readonly logger = new Logger('Heartbeat');
  private readonly counts = new Map<string, number>();
  private readonly counted = new WeakSet<HeartbeatConnection>();
  private readonly removal: Subscription;

  constructor(
    @Inject(HEARTBEAT_OPTIONS) private readonly options: ResolvedHeartbeatOptions,
    private readonly registry: ConnectionRegistry,
    private readonly clock: Clock,
  ) {
    this.removal = registry.removed$.subscribe((connection) => this.release(connection));
  }

  /** Open sockets of a remote IP address right now. */
  countOf(ip: string): number {
    return this.counts.get(ip) ?? 0;
  }

  /** Counts a new socket; false when its address is over the limit (the socket is being closed). */
  admit(connection: HeartbeatConnection): boolean {
    const limit = this.options.maxConnectionsPerAddress;
    if (limit === undefined) return true;
    const count = this.countOf(connection.remoteIp) + 1;
    this.counts.set(connection.remoteIp, count);
    this.counted.add(connection);
    if (count <= limit) return true;
    this.registry.counters.addressLimitRejections++;
    this.logger.warn(HeartbeatMessages.logAddressLimit(connection.id, connection.remoteIp, limit));
    this.registry.emit({
      type: 'address_limited',
      connectionId: connection.id,
      remoteAddress: connection.remoteAddress,
      limit,
      at: this.clock.now(),
    });
    connection.close(CloseCode.TryAgainLater, formatRetryHint(HeartbeatMessages.closeAddressLimit(limit), ADDRESS_LIMIT_RETRY_AFTER_MS));
    return false;
  }

  onApplicationShutdown(): void {
    this.removal.unsubscribe();
  }

  private release(connection: HeartbeatConnection): void {
    if (!this.counted.has(connection)) return;
    this.counted.delete(connection);
    const count = this.countOf(connection.remoteIp) - 1;
    if (count > 0) this.counts.set(connection.remoteIp, count);
    else this.counts.delete(connection.remoteIp);
  }
}
