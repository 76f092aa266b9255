import type { SchedulerRegistry } from '@nestjs/schedule';
import type { Clock } from './clock.js';
import type { CoreClock, TimerHandle, TimerOptions } from './core/clock.port.js';

/**
 * The core's clock under Nest (docs/server.md#architecture): the wall clock of the `Clock` provider
 * (which tests may replace), `performance.now()` as the monotonic reading, and Node's timers. A named
 * timer is also listed in the SchedulerRegistry the module uses (the application's own when it
 * imports ScheduleModule), as the module's timers always were.
 */
export class NestClock implements CoreClock {
  /** Named timers, to take them off the SchedulerRegistry when cleared. */
  private readonly names = new Map<TimerHandle, { name: string; kind: 'timeout' | 'interval' }>();

  constructor(
    private readonly wallClock: Pick<Clock, 'now'>,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  now(): number {
    return this.wallClock.now();
  }

  monotonic(): number {
    return performance.now();
  }

  setTimeout(callback: () => void, delayMs: number, options?: TimerOptions): TimerHandle {
    const timer = setTimeout(callback, delayMs);
    return this.track(timer, 'timeout', options);
  }

  setInterval(callback: () => void, periodMs: number, options?: TimerOptions): TimerHandle {
    const timer = setInterval(callback, periodMs);
    return this.track(timer, 'interval', options);
  }

  clearTimer(handle: TimerHandle): void {
    clearTimeout(handle as NodeJS.Timeout);
    const named = this.names.get(handle);
    if (!named) return;
    this.names.delete(handle);
    if (named.kind === 'timeout') {
      if (this.scheduler.doesExist('timeout', named.name) && this.scheduler.getTimeout(named.name) === handle) this.scheduler.deleteTimeout(named.name);
    } else if (this.scheduler.doesExist('interval', named.name) && this.scheduler.getInterval(named.name) === handle) {
      this.scheduler.deleteInterval(named.name);
    }
  }

  private track(timer: NodeJS.Timeout, kind: 'timeout' | 'interval', options: TimerOptions | undefined): TimerHandle {
    if (options?.background) timer.unref();
    const name = options?.name;
    if (name === undefined) return timer;
    // The previous timer of that name (the ping wheel re-arms one per tick) has fired: its entry goes.
    for (const [handle, named] of this.names) {
      if (named.name === name) this.names.delete(handle);
    }
    if (kind === 'timeout') {
      if (this.scheduler.doesExist('timeout', name)) this.scheduler.deleteTimeout(name);
      this.scheduler.addTimeout(name, timer);
    } else {
      if (this.scheduler.doesExist('interval', name)) this.scheduler.deleteInterval(name);
      this.scheduler.addInterval(name, timer);
    }
    this.names.set(timer, { name, kind });
    return timer;
  }
}
