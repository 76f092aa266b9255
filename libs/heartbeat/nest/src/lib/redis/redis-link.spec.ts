import { redisRetryDelay, SENTINEL_RETRY_MAX_MS } from './redis-link.js';

describe('redisRetryDelay', () => {
  it('doubles from 100 ms up to 5 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((attempt) => redisRetryDelay(attempt, () => 0))).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  });

  it('stops doubling at the given most, 1 s behind Sentinel', () => {
    expect([1, 4, 5, 20].map((attempt) => redisRetryDelay(attempt, () => 0, SENTINEL_RETRY_MAX_MS))).toEqual([100, 800, 1000, 1000]);
  });

  it('adds up to half again as jitter', () => {
    expect(redisRetryDelay(1, () => 0.999)).toBe(150);
    expect(redisRetryDelay(10, () => 0.5)).toBe(6250);
  });
});
