/** How fast a bucket refills (tokens per second, a fraction allowed) and how many tokens it holds. */
export interface TokenRate {
  readonly messagesPerSecond: number;
  readonly burst: number;
}

/**
 * A token bucket: holds at most `rate.burst` tokens, refilled at `rate.messagesPerSecond`; each
 * admitted unit takes one. Time is passed in (epoch ms), so the bucket itself never reads a clock.
 * The rate is shared, not copied: a server keeps one bucket per connection.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly rate: TokenRate,
    now: number,
  ) {
    this.tokens = rate.burst;
    this.updatedAt = now;
  }

  /** Takes a token; false when the bucket is empty (the rate was exceeded). */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until the bucket is full again (a whole burst is allowed again). */
  msUntilFull(now: number): number {
    this.refill(now);
    return Math.ceil(((this.rate.burst - this.tokens) / this.rate.messagesPerSecond) * 1000);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.updatedAt = now;
    this.tokens = Math.min(this.rate.burst, this.tokens + (elapsed / 1000) * this.rate.messagesPerSecond);
  }
}
