/**
 * Writes waiting for Redis, at most `limit` at once (`redis.maxPendingPublishes`): beyond that a
 * write is refused at once with the `refusal` sentence, so that a silent Redis holds the node's
 * memory within a bound (docs/scaling.md). Publishes and client messages each wait in one.
 */
export class RedisBacklog {
  private waiting = 0;

  constructor(
    readonly limit: number,
    private readonly refusal: (limit: number) => string,
  ) {}

  /** Writes sent and not yet answered. */
  get pending(): number {
    return this.waiting;
  }

  /** Sends `write` now, or rejects with the refusal when `limit` writes already wait. */
  async run<T>(write: () => Promise<T>): Promise<T> {
    if (this.waiting >= this.limit) throw new Error(this.refusal(this.limit));
    this.waiting++;
    try {
      return await write();
    } finally {
      this.waiting--;
    }
  }
}
