/** How fast a bucket refills (tokens per second, a fraction allowed) and how many tokens it holds. */
export interface TokenRate {
  readonly messagesPerSecond: number;
  readonly burst: number;
}

/**
 * A token bucket holds at most `rate.burst` tokens, refilled at `rate.messagesPerSecond`; each
 * admitted unit takes one. Its state is two numbers, its tokens and when they were counted, which
 * its owner keeps in fields of its own: a server keeps one bucket per connection, and an object
 * each would cost 48 bytes more (heap snapshots at 5,000 connections, docs/benchmarks.md). Time is
 * passed in (epoch ms, or any clock that only moves forward), so the bucket never reads a clock.
 */

/** The tokens at `now` of a bucket that held `tokens` at `updatedAt` (a clock that went backwards refills nothing). */
export function refilledTokens(rate: TokenRate, tokens: number, updatedAt: number, now: number): number {
  const elapsed = Math.max(0, now - updatedAt);
  return Math.min(rate.burst, tokens + (elapsed / 1000) * rate.messagesPerSecond);
}

/** Milliseconds until a bucket holding `tokens` is full again (a whole burst is allowed again). */
export function msUntilFull(rate: TokenRate, tokens: number): number {
  return Math.ceil(((rate.burst - tokens) / rate.messagesPerSecond) * 1000);
}
