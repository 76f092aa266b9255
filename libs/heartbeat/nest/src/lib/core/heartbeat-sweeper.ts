import type { CoreClock, TimerHandle } from './clock.port.js';
import type { ConnectionRegistry } from './connection-registry.js';
import type { HeartbeatCounters } from './heartbeat-counters.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';
import type { PingScheduler } from './ping-scheduler.js';

/** The name the application sees the sweep's timer under (its SchedulerRegistry, under Nest). */
export const SWEEP_INTERVAL = 'heartbeat:sweep';

/**
 * Every `heartbeatInterval`, closes the connections that sent nothing for `heartbeatTimeout`
 * (the silence sweep, rule 2 of docs/server.md#the-two-rules). Complements the missed-ping rule of
 * {@link PingScheduler}: it also catches peers whose pings cannot even be written.
 */
export class HeartbeatSweeper {
  private timer: TimerHandle | undefined;

  constructor(
    private readonly options: Pick<ResolvedHeartbeatOptions, 'heartbeatInterval' | 'heartbeatTimeout'>,
    private readonly registry: ConnectionRegistry,
    private readonly pings: PingScheduler,
    private readonly clock: CoreClock,
    private readonly counters: HeartbeatCounters,
  ) {}

  start(): void {
    this.timer ??= this.clock.setInterval(() => this.sweep(), this.options.heartbeatInterval, { name: SWEEP_INTERVAL });
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** One cleanup pass; returns how many connections it closed. */
  sweep(): number {
    const now = this.clock.now();
    let closed = 0;
    for (const connection of this.registry.values()) {
      // A connection the server already closes stays listed until its transport is gone: not counted again.
      if (connection.isOpen && now - connection.lastInboundAt > this.options.heartbeatTimeout) {
        this.pings.timeOut(connection, 'heartbeat_timeout');
        closed++;
      }
    }
    this.counters.swept(now);
    return closed;
  }
}
