import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from './clock.js';
import { ConnectionRegistry } from './connection-registry.js';
import { HEARTBEAT_OPTIONS, HEARTBEAT_SCHEDULER, SWEEP_INTERVAL } from './heartbeat.constants.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';

/**
 * Every `heartbeatInterval`, closes the connections that sent nothing for `heartbeatTimeout`
 * (the silence sweep, rule 2 of docs/server.md#the-two-rules). Complements the missed-ping rule of
 * {@link PingScheduler}: it also catches peers whose pings cannot even be written.
 */
@Injectable()
export class HeartbeatSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    @Inject(HEARTBEAT_OPTIONS) private readonly options: ResolvedHeartbeatOptions,
    private readonly registry: ConnectionRegistry,
    @Inject(HEARTBEAT_SCHEDULER) private readonly schedulerRegistry: SchedulerRegistry,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.schedulerRegistry.addInterval(SWEEP_INTERVAL, setInterval(() => this.sweep(), this.options.heartbeatInterval));
  }

  onModuleDestroy(): void {
    if (this.schedulerRegistry.doesExist('interval', SWEEP_INTERVAL)) {
      this.schedulerRegistry.deleteInterval(SWEEP_INTERVAL);
    }
  }

  /** One cleanup pass; returns how many connections it closed. */
  sweep(): number {
    const now = this.clock.now();
    let closed = 0;
    for (const connection of this.registry.values()) {
      // A connection the server already closes (closeCode set) stays listed until its socket's 'close': not counted again.
      if (connection.isOpen && connection.closeCode === undefined && now - connection.lastInboundAt > this.options.heartbeatTimeout) {
        this.registry.timeOut(connection, 'heartbeat_timeout');
        closed++;
      }
    }
    this.registry.counters.lastCleanupAt = now;
    return closed;
  }
}
