import type { CoreClock, TimerHandle, TimerOptions } from '../lib/core/clock.port.js';

interface FakeTimer {
  readonly callback: () => void;
  /** When it fires next, on the fake monotonic clock. */
  dueAt: number;
  /** Interval period; undefined for a one-shot timer. */
  readonly periodMs: number | undefined;
  readonly options: TimerOptions | undefined;
  /** Arming order: timers due at the same time fire in it. */
  readonly order: number;
}

/**
 * A CoreClock whose time moves only when the test says so: `advance(ms)` fires, in time order,
 * every timer that falls due, each seeing `now()` at its own due time. Nothing real waits.
 */
export class FakeClock implements CoreClock {
  private monotonicMs = 0;
  private readonly timers = new Map<TimerHandle, FakeTimer>();
  private armed = 0;

  /** @param wallAtStart `now()` at monotonic 0 (epoch ms). */
  constructor(private readonly wallAtStart = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.wallAtStart + this.monotonicMs;
  }

  monotonic(): number {
    return this.monotonicMs;
  }

  setTimeout(callback: () => void, delayMs: number, options?: TimerOptions): TimerHandle {
    return this.arm(callback, Math.max(0, delayMs), undefined, options);
  }

  setInterval(callback: () => void, periodMs: number, options?: TimerOptions): TimerHandle {
    return this.arm(callback, periodMs, periodMs, options);
  }

  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle);
  }

  /** Timers armed and not yet fired or cleared (intervals stay until cleared). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Timers armed since the clock was made: how often the code under test asked to be woken. */
  get armedTimers(): number {
    return this.armed;
  }

  /** The names of the pending named timers. */
  get pendingNames(): string[] {
    return [...this.timers.values()].flatMap((timer) => (timer.options?.name === undefined ? [] : [timer.options.name]));
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way (timers they arm too). */
  advance(ms: number): void {
    const until = this.monotonicMs + ms;
    for (let next = this.nextDue(until); next; next = this.nextDue(until)) {
      const [handle, timer] = next;
      this.monotonicMs = timer.dueAt;
      if (timer.periodMs === undefined) this.timers.delete(handle);
      else timer.dueAt += Math.max(1, timer.periodMs);
      timer.callback();
    }
    this.monotonicMs = until;
  }

  /** Fires what is due now (timers armed with a delay of 0). */
  flush(): void {
    this.advance(0);
  }

  private arm(callback: () => void, delayMs: number, periodMs: number | undefined, options: TimerOptions | undefined): TimerHandle {
    const handle: TimerHandle = { fakeTimer: ++this.armed };
    this.timers.set(handle, { callback, dueAt: this.monotonicMs + delayMs, periodMs, options, order: this.armed });
    return handle;
  }

  private nextDue(until: number): [TimerHandle, FakeTimer] | undefined {
    let next: [TimerHandle, FakeTimer] | undefined;
    for (const entry of this.timers) {
      const timer = entry[1];
      if (timer.dueAt > until) continue;
      if (!next || timer.dueAt < next[1].dueAt || (timer.dueAt === next[1].dueAt && timer.order < next[1].order)) next = entry;
    }
    return next;
  }
}
