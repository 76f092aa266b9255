/**
 * The plain-value tests of the frame rules, public: the hand-written hot checks (hot-frames.ts), the
 * server frames' rules (server-frame-guards.ts) and the client's saved resume state all read a field
 * with these, so that they read it alike.
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
