import { CloseCode, formatRetryHint } from '@heartbeat/protocol';
import type { CoreClock } from './clock.port.js';
import type { ConnectionReleaser } from './connection-registry.js';
import { ADDRESS_LIMIT_RETRY_AFTER_MS } from './heartbeat-defaults.js';
import type { HeartbeatConnection } from './heartbeat-connection.js';
import type { HeartbeatCounters } from './heartbeat-counters.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';
import type { LifecycleEvents } from './lifecycle-events.js';
import type { CoreLogger } from './logger.port.js';

/**
 * `maxConnectionsPerAddress`: counts the open sockets of each remote IP address, handshake
 * included; a socket beyond the limit is closed with 1013 (try again later) and a retry hint.
 * Every connection is counted when it opens (FrameRouter.accept), those refused during the drain
 * too, so that its release needs no record of which were: a WeakSet of them cost 26 bytes per
 * connection (heap snapshots at 5,000, docs/benchmarks.md).
 */
export class AddressConnectionLimiter implements ConnectionReleaser {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly options: Pick<ResolvedHeartbeatOptions, 'maxConnectionsPerAddress'>,
    private readonly clock: CoreClock,
    private readonly counters: HeartbeatCounters,
    private readonly events: LifecycleEvents,
    private readonly logger: CoreLogger,
  ) {}

  /** Open sockets of a remote IP address right now. */
  countOf(ip: string): number {
    return this.counts.get(ip) ?? 0;
  }

  /**
   * Counts a new socket, whatever becomes of it (its release needs no record of whether it was
   * counted); returns its address's count, itself included (0 when there is no limit).
   */
  add(connection: HeartbeatConnection): number {
    if (this.options.maxConnectionsPerAddress === undefined) return 0;
    const ip = connection.remoteIp;
    const count = this.countOf(ip) + 1;
    this.counts.set(ip, count);
    return count;
  }

  /** False when `sameAddress` (add()'s count) is over the limit: the socket is being closed. */
  admit(connection: HeartbeatConnection, sameAddress: number): boolean {
    const limit = this.options.maxConnectionsPerAddress;
    if (limit === undefined || sameAddress <= limit) return true;
    this.counters.addressLimitRejection();
    this.logger.warn(HeartbeatMessages.logAddressLimit(connection.id, connection.remoteIp, limit));
    this.events.emit({ type: 'address_limited', connectionId: connection.id, remoteAddress: connection.remoteAddress, limit, at: this.clock.now() });
    connection.close(CloseCode.TryAgainLater, formatRetryHint(HeartbeatMessages.closeAddressLimit(limit), ADDRESS_LIMIT_RETRY_AFTER_MS));
    return false;
  }

  /** The connection closed: its address has one socket less. */
  release(connection: HeartbeatConnection): void {
    if (this.options.maxConnectionsPerAddress === undefined) return;
    const ip = connection.remoteIp;
    const count = this.countOf(ip) - 1;
    if (count > 0) this.counts.set(ip, count);
    else this.counts.delete(ip);
  }
}
