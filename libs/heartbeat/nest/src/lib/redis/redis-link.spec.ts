import { describeRedisError, redisRetryDelay, SENTINEL_RETRY_MAX_MS } from './redis-link.js';

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

describe('describeRedisError', () => {
  it('is the error’s message when it carries no server answer', () => {
    expect(describeRedisError(new Error('connect ECONNREFUSED 127.0.0.1:6379'))).toBe('connect ECONNREFUSED 127.0.0.1:6379');
  });

  it('adds the answer of the server a cluster client last asked', () => {
    const error = Object.assign(new Error('Failed to refresh slots cache.'), { lastNodeError: new Error('NOAUTH Authentication required.') });
    expect(describeRedisError(error)).toBe('Failed to refresh slots cache. (NOAUTH Authentication required.)');
  });

  it('says what to do when the Redis named as a cluster runs without cluster mode', () => {
    const error = Object.assign(new Error('Failed to refresh slots cache.'), { lastNodeError: new Error('ERR This instance has cluster support disabled') });
    expect(describeRedisError(error)).toBe(
      'the Redis named as a cluster (redis.cluster, REDIS_CLUSTER_NODES) runs without cluster mode (ERR This instance has cluster support disabled): name it with redis.url (REDIS_URL) instead, or start its servers with cluster-enabled yes',
    );
  });
});
