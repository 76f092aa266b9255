/** What a timer of a `ClientClock` returns: only ever handed back to it to clear the timer. */
export type TimerHandle = unknown;

/**
 * The time the client runs on: the reconnect loop's deadlines and waits, the heartbeat, the token
 * refresh and the resume-state writes. Tests may replace it through `withTestHooks`
 * (docs/api.md#heartbeatclienttesting).
 */
export interface ClientClock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(callback: () => void, periodMs: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
}

type Handle = ReturnType<typeof setTimeout>;

/** The system's clock and timers, looked up on every call, so that fake timers installed later apply. */
export const SYSTEM_CLOCK: ClientClock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (callback: () => void, delayMs: number) => setTimeout(callback, delayMs),
  clearTimeout: (handle: TimerHandle) => clearTimeout(handle as Handle),
  setInterval: (callback: () => void, periodMs: number) => setInterval(callback, periodMs),
  clearInterval: (handle: TimerHandle) => clearInterval(handle as Handle),
});
