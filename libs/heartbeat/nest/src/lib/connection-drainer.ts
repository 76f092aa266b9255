import { CloseCode } from '@heartbeat/protocol';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from './clock.js';
import { ConnectionRegistry } from './connection-registry.js';
import { HEARTBEAT_OPTIONS } from './heartbeat.constants.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import { CLOSE_HANDSHAKE_GRACE_MS, type HeartbeatConnection } from './heartbeat-connection.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';

/** `running`: accepting; `draining`: closing every connection; `drained`: nothing left. */
export type DrainState = 'running' | 'draining' | 'drained';

/** How long after the last scheduled close the drain stops waiting and destroys what is left. */
const STRAGGLER_MARGIN_MS = 1_000;

/**
 * Graceful shutdown. When the application closes, before Nest closes the HTTP and WebSocket
 * servers: stop accepting (new upgrades get HTTP 503, a `hello` closes with 1012), close every
 * connection with 1012, connection i of n at i × drainWindow / n so that clients do not all come
 * back at once, and wait until every socket is gone (a peer that does not answer the close frame is
 * destroyed after the close grace).
 */
@Injectable()
export class ConnectionDrainer implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Heartbeat');
  private drainState: DrainState = 'running';
  private drained: Promise<void> | undefined;

  constructor(
    @Inject(HEARTBEAT_OPTIONS) private readonly options: ResolvedHeartbeatOptions,
    private readonly registry: ConnectionRegistry,
    private readonly clock: Clock,
  ) {}

  get state(): DrainState {
    return this.drainState;
  }

  /** True from the start of the drain on: no new connection or handshake is accepted. */
  get isDraining(): boolean {
    return this.drainState !== 'running';
  }

  beforeApplicationShutdown(): Promise<void> {
    this.drained ??= this.drain();
    return this.drained;
  }

  /** Closes a connection that arrived or said `hello` while draining. */
  refuse(connection: HeartbeatConnection): void {
    connection.close(CloseCode.ServiceRestart, HeartbeatMessages.closeDraining());
  }

  private async drain(): Promise<void> {
    this.drainState = 'draining';
    const startedAt = this.clock.now();
    const windowMs = this.options.drainWindow;
    // Sockets still in the handshake lose nothing: they go first.
    const targets = [...this.registry.values()]
      .filter((connection) => connection.closeCode === undefined)
      .sort((a, b) => Number(a.isOpen) - Number(b.isOpen));
    this.logger.log(HeartbeatMessages.logDrainStarted(targets.length, windowMs));

    await Promise.all([this.closeSpread(targets, windowMs), this.registry.whenEmpty(windowMs + CLOSE_HANDSHAKE_GRACE_MS + STRAGGLER_MARGIN_MS)]);

    const terminated = targets.filter((connection) => connection.closeGraceExpired).length;
    const durationMs = this.clock.now() - startedAt;
    this.drainState = 'drained';
    this.logger.log(HeartbeatMessages.logDrainCompleted(targets.length, terminated, durationMs));
  }

  /** Closes `targets[i]` at i × windowMs / n after the start, on one timer that follows that schedule. */
  private closeSpread(targets: readonly HeartbeatConnection[], windowMs: number): Promise<void> {
    const n = targets.length;
    const start = performance.now();
    const quarter = Math.max(1, Math.ceil(n / 4));
    let next = 0;
    return new Promise((resolve) => {
      const step = (): void => {
        const elapsed = performance.now() - start;
        while (next < n && (next * windowMs) / n <= elapsed) {
          const connection = targets[next++];
          if (connection.state !== 'closed' && connection.closeCode === undefined) {
            this.registry.emit({
              type: 'draining',
              connectionId: connection.id,
              remoteAddress: connection.remoteAddress,
              position: next,
              of: n,
              at: this.clock.now(),
            });
            this.refuse(connection);
          }
          if (next % quarter === 0 && next < n) this.logger.log(HeartbeatMessages.logDrainProgress(next, n));
        }
        if (next < n) setTimeout(step, Math.max(0, (next * windowMs) / n - elapsed));
        else resolve();
      };
      step();
    });
  }
}
