/** A timer armed by a {@link CoreClock}; only that clock can clear it. */
export type TimerHandle = object;

export interface TimerOptions {
  /**
   * The timer does not keep the process alive (Node's `unref`): deadlines that matter only while
   * something else (a socket) keeps it running.
   */
  readonly background?: boolean;
  /** A name the application may see the timer under (the Nest layer lists it in its SchedulerRegistry). */
  readonly name?: string;
}

/**
 * Time as the server core reads it (docs/server.md#architecture): the wall clock for what users see,
 * a monotonic reading for schedules, and timers. The Nest layer passes the system's; unit tests pass
 * a fake whose timers fire when the test advances time (src/testing/fake-clock.ts).
 */
export interface CoreClock {
  /** Epoch ms: every time the protocol, the stats and the lifecycle events show. */
  now(): number;
  /** Milliseconds that never go back (a wall clock may): what the ping wheel and the drain schedule on. */
  monotonic(): number;
  setTimeout(callback: () => void, delayMs: number, options?: TimerOptions): TimerHandle;
  setInterval(callback: () => void, periodMs: number, options?: TimerOptions): TimerHandle;
  /** Clears a timer of either kind; safe for one that already fired or was cleared. */
  clearTimer(handle: TimerHandle): void;
}
