import type { SchedulerRegistry } from '@nestjs/schedule';
import type { Clock } from './clock.js';
import type { CoreClock, TimerHandle, TimerOptions } from './core/clock.port.js';

type TimerKind = 'timeout' | 'interval';

/**
 * The core's clock under Nest (docs/server.md#architecture): the wall clock of the `Clock` provider
 * (which tests may replace), `performance.now()` as the monotonic reading, and Node's timers. A named
 * timer is also listed in the SchedulerRegistry the module uses (the application's own when it
 * imports ScheduleModule), as the module's timers always were.
 */
export class NestClock implements CoreClock {
  /** The timer listed under each name (the ping wheel re-arms its one per tick). */
  private readonly named = new Map<string, { timer: NodeJS.Timeout; kind: TimerKind }>();

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
    return this.track(setTimeout(callback, delayMs), 'timeout', options);
  }

  setInterval(callback: () => void, periodMs: number, options?: TimerOptions): TimerHandle {
    return this.track(setInterval(callback, periodMs), 'interval', options);
  }

  clearTimer(handle: TimerHandle): void {
    clearTimeout(handle as NodeJS.Timeout);
    for (const [name, entry] of this.named) {
      if (entry.timer === handle) this.unlist(name);
    }
  }

  private track(timer: NodeJS.Timeout, kind: TimerKind, options: TimerOptions | undefined): TimerHandle {
    if (options?.background) timer.unref();
    const name = options?.name;
    if (name === undefined) return timer;
    this.unlist(name);
    if (kind === 'timeout') this.scheduler.addTimeout(name, timer);
    else this.scheduler.addInterval(name, timer);
    this.named.set(name, { timer, kind });
    return timer;
  }

  /** Takes a name off the SchedulerRegistry (an application's ScheduleModule may have done it already). */
  private unlist(name: string): void {
    const entry = this.named.get(name);
    if (!entry) return;
    this.named.delete(name);
    if (entry.kind === 'timeout') {
      if (this.scheduler.doesExist('timeout', name)) this.scheduler.deleteTimeout(name);
    } else if (this.scheduler.doesExist('interval', name)) {
      this.scheduler.deleteInterval(name);
    }
  }
}
