/**
 * The plain-value tests of the frame rules, shared by the hand-written hot checks (hot-frames.ts)
 * and the server frames' rules (server-frame-guards.ts), so that both read a field alike.
 */

/** A sequence, count or position: a safe integer, 0 or more. */
export function isCounter(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** A time in epoch milliseconds: any finite number. */
export function isEpochMs(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A string of `min` to `max` characters. */
export function isText(value: unknown, min: number, max: number): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}
