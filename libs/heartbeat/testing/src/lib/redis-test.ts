import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis the Redis suites run against (`.ci/run` makes sure it answers). */
export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A key prefix of its own per test, so that tests (and parallel runs) never see each other's keys. */
export function redisTestPrefix(name: string): string {
  return `hbtest:${name}:${randomBytes(4).toString('hex')}:`;
}

/** Throws a sentence saying how to start Redis when it does not answer: a Redis suite never skips. */
export async function requireRedis(url = TEST_REDIS_URL): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new Error(
      `The Redis suites need a Redis server at ${url}, and it did not answer (${(error as Error).message}). ` +
        'Start one with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no (or set TEST_REDIS_URL).',
    );
  } finally {
    client.disconnect();
  }
}

/** Deletes every key under `prefix` (the test's own). */
export async function deleteRedisKeys(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const client = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}
