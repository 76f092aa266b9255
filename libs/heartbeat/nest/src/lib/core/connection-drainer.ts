import { CloseCode } from '@heartbeat/protocol';
import type { CoreClock } from './clock.port.js';
import type { ConnectionRegistry } from './connection-registry.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import { CLOSE_HANDSHAKE_GRACE_MS, type HeartbeatConnection } from './heartbeat-connection.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';
import type { LifecycleEvents } from './lifecycle-events.js';
import type { CoreLogger } from './logger.port.js';

/** `running`: accepting; `draining`: closing every connection; `drained`: nothing left. */
export type DrainState = 'running' | 'draining' | 'drained';

/** How long after the last scheduled close the drain stops waiting and destroys what is left. */
export const STRAGGLER_MARGIN_MS = 1_000;

/**
 * Graceful shutdown (docs/server.md#graceful-drain). When the application closes, before the HTTP
 * and WebSocket servers close: stop accepting (new upgrades get HTTP 503, a `hello` closes with
 * 1012), close every connection with 1012, connection i of n at i × drainWindow / n so that clients
 * do not all come back at once, and wait until every transport is gone (a peer that does not answer
 * the close frame is destroyed after the close grace).
 */
export class ConnectionDrainer {
  private drainState: DrainState = 'running';
  private drained: Promise<void> | undefined;

  constructor(
    private readonly options: Pick<ResolvedHeartbeatOptions, 'drainWindow'>,
    private readonly registry: ConnectionRegistry,
    private readonly events: LifecycleEvents,
    private readonly clock: CoreClock,
    private readonly logger: CoreLogger,
  ) {}

  get state(): DrainState {
    return this.drainState;
  }

  /** True from the start of the drain on: no new connection or handshake is accepted. */
  get isDraining(): boolean {
    return this.drainState !== 'running';
  }

  /** Starts the drain (once; later calls get the same promise), resolved when nothing is left. */
  drain(): Promise<void> {
    this.drained ??= this.run();
    return this.drained;
  }

  /** Closes a connection that arrived or said `hello` while draining. */
  refuse(connection: HeartbeatConnection): void {
    connection.close(CloseCode.ServiceRestart, HeartbeatMessages.closeDraining());
  }

  private async run(): Promise<void> {
    this.drainState = 'draining';
    const startedAt = this.clock.now();
    const windowMs = this.options.drainWindow;
    // Sockets still in the handshake lose nothing: they go first.
    const targets = [...this.registry.values()].filter((connection) => !connection.isClosing).sort((a, b) => Number(a.isOpen) - Number(b.isOpen));
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
    const start = this.clock.monotonic();
    const quarter = Math.max(1, Math.ceil(n / 4));
    let next = 0;
    return new Promise((resolve) => {
      const step = (): void => {
        const elapsed = this.clock.monotonic() - start;
        while (next < n && (next * windowMs) / n <= elapsed) {
          const connection = targets[next++];
          if (!connection.isClosing) {
            this.events.emit({
              type: 'draining',
              connectionId: connection.id,
              remoteAddress: connection.remoteAddress,
              userId: connection.userId,
              position: next,
              of: n,
              at: this.clock.now(),
            });
            this.refuse(connection);
          }
          if (next % quarter === 0 && next < n) this.logger.log(HeartbeatMessages.logDrainProgress(next, n));
        }
        if (next < n) this.clock.setTimeout(step, Math.max(0, (next * windowMs) / n - elapsed));
        else resolve();
      };
      step();
    });
  }
}
