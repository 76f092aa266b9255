import type { ClientClock, TimerHandle } from '../lib/client-clock.js';

/** A `ClientClock` that moves only when the test says so. */
export interface ManualClock extends ClientClock {
  /** Moves the clock by `ms`, running every timer that falls due, in due order, each at its time. */
  advance(ms: number): void;
  /** Timers and intervals set and not cleared (a timeout that ran is gone). */
  readonly pending: number;
}

interface Timer {
  readonly handle: TimerHandle;
  at: number;
  readonly callback: () => void;
  /** The period of an interval; null for a timeout. */
  readonly every: number | null;
}

export function manualClock(startMs = 0): ManualClock {
  let now = startMs;
  let timers: Timer[] = [];
  const add = (callback: () => void, delayMs: number, every: number | null) => {
    const handle = Symbol('timer');
    timers.push({ handle, at: now + Math.max(0, delayMs), callback, every });
    return handle;
  };
  const clear = (handle: TimerHandle) => {
    timers = timers.filter((timer) => timer.handle !== handle);
  };
  return {
    now: () => now,
    setTimeout: (callback, delayMs) => add(callback, delayMs, null),
    setInterval: (callback, periodMs) => add(callback, periodMs, Math.max(1, periodMs)),
    clearTimeout: clear,
    clearInterval: clear,
    advance: (ms) => {
      const until = now + ms;
      for (let due = next(until); due; due = next(until)) {
        now = due.at;
        if (due.every === null) clear(due.handle);
        else due.at += due.every;
        due.callback();
      }
      now = until;
    },
    get pending() {
      return timers.length;
    },
  };

  function next(until: number): Timer | undefined {
    return timers.reduce<Timer | undefined>((first, timer) => (timer.at <= until && (!first || timer.at < first.at) ? timer : first), undefined);
  }
}
