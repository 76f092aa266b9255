export interface BackoffOptions {
  /** Delay before the first retry, in ms. */
  reconnectInterval: number;
  /** Growth factor between consecutive retries. */
  backoffMultiplier: number;
  /** No delay exceeds this, jitter included, in ms. */
  maxReconnectInterval: number;
  /**
   * Fraction (0..1) of the delay that is randomised downwards. 0 gives the deterministic schedule;
   * applied after the cap so that clients that all reached the cap still spread out.
   */
  jitter: number;
}

/**
 * Delay before retry number `attempt` (0-based): `reconnectInterval × backoffMultiplier^attempt`,
 * capped at `maxReconnectInterval`, then shortened by up to `jitter` of itself.
 * With the default options and `jitter: 0` (docs/protocol.md#backoff): 5000, 7500, 11250, 16875,
 * 25312.5, 30000, ...
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new RangeError(`backoffDelay: attempt must be a whole number from 0 up, got ${attempt}.`);
  }
  const uncapped = options.reconnectInterval * options.backoffMultiplier ** attempt;
  return withJitter(Math.min(uncapped, options.maxReconnectInterval), options.jitter, random);
}

/** The longest delay the schedule can produce (the cap), jittered: used after 1013/4429 closes. */
export function longestBackoffDelay(options: BackoffOptions, random: () => number = Math.random): number {
  return withJitter(options.maxReconnectInterval, options.jitter, random);
}

function withJitter(delay: number, jitter: number, random: () => number): number {
  return jitter > 0 ? delay * (1 - jitter * random()) : delay;
}
