import { requireRedis, TEST_REDIS_URL } from '@heartbeat/testing';
import { Redis } from 'ioredis';
import { RedisNodes } from '../../testing/redis-nodes.js';

/** The ways of naming the Redis besides a URL (docs/scaling.md#turning-it-on); Sentinel has redis-failover.redis.spec.ts. */
describe('Redis connections', () => {
  let cluster: RedisNodes;

  beforeAll(() => requireRedis());

  beforeEach(() => {
    cluster = new RedisNodes('connections');
  });

  afterEach(() => cluster.close());

  describe('client', () => {
    it('copies the application’s ioredis client: a node on it shares topics with a node on the URL, and the client stays the application’s', async () => {
      // Its keyPrefix would prefix the scripts' keys but not the channels they publish on: the copies drop it.
      const own = new Redis(TEST_REDIS_URL, { connectionName: 'the-application', keyPrefix: 'the-application:' });
      try {
        const onClient = await cluster.nodeOn({ client: own });
        const onUrl = await cluster.node();
        const subscriber = await cluster.client(onUrl);
        subscriber.send({ type: 'subscribe', topic: 'alerts' });
        await subscriber.next('subscribed');

        await onClient.service.publish('alerts', { i: 1 });
        expect((await subscriber.next('event')).data).toEqual({ i: 1 });

        await cluster.stop(onClient);
        expect(own.status).toBe('ready');
        expect(await own.ping()).toBe('PONG');
      } finally {
        own.disconnect();
      }
    });
  });
});
