/**
 * A token bucket: holds at most `burst` tokens, refilled at `ratePerSecond`; each admitted unit
 * takes one. Time is passed in (epoch ms), so the bucket itself never reads a clock.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
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
    return Math.ceil(((this.burst - this.tokens) / this.ratePerSecond) * 1000);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.updatedAt = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed / 1000) * this.ratePerSecond);
  }
}
