import { eventually, RedisSentinelTopology, requireRedis, sleep, TEST_REDIS_URL, TestClient } from '@heartbeat/testing';
import { Redis } from 'ioredis';
import { RedisNodes } from '../../testing/redis-nodes.js';
import { startTestApp } from '../../testing/test-app.js';
import { RedisKeys } from './redis-keys.js';

/** The ways of naming the Redis besides a URL (docs/scaling.md#turning-it-on); Sentinel has redis-failover.redis.spec.ts. */
describe('Redis connections', () => {
  let cluster: RedisNodes;

  beforeAll(() => requireRedis());

  beforeEach(() => {
    cluster = new RedisNodes('connections');
  });

  afterEach(() => cluster.close());

  describe('cluster', () => {
    it('says so when the Redis it names runs without cluster mode, and serves its clients alone meanwhile', async () => {
      const port = Number(new URL(TEST_REDIS_URL).port || 6379);
      const app = await startTestApp({ redis: { cluster: { nodes: [{ host: new URL(TEST_REDIS_URL).hostname, port }] }, keyPrefix: cluster.prefix } });
      try {
        await eventually(() => app.service.getClusterStatus().redis?.lastError?.includes('runs without cluster mode') === true, 'the node to say why it cannot connect');
        expect(app.service.getClusterStatus().redis?.up).toBe(false);
        const { client, welcome } = await TestClient.open(app.url);
        expect(welcome.resumed).toBe(false);
        client.send({ type: 'ping', timestamp: new Date().toISOString(), client_time: Date.now(), sequence: 1 });
        expect((await client.next('pong')).sequence).toBe(1);
        await client.close();
      } finally {
        await app.close();
      }
    });
  });

  describe('url', () => {
    it('says so when the url names a read-only replica, failing publishes instead of reconnecting to it in a loop', async () => {
      const topology = await RedisSentinelTopology.start();
      try {
        const [replica] = await topology.replicas();
        const app = await cluster.node({}, `redis://${replica.host}:${replica.port}`);
        await expect(app.service.publish('alerts', { i: 1 })).rejects.toThrow(/READONLY/);
        const status = app.service.getClusterStatus().redis;
        expect(status?.lastError).toContain('is a read-only replica');
        expect([status?.up, status?.outages]).toEqual([true, 0]);
      } finally {
        await cluster.close();
        await topology.stop();
      }
    }, 60_000);
  });

  describe('sessions while Redis is silent', () => {
    it('gives a hello naming a session a new one at once, told by resumed false, and resumes the session once Redis is back', async () => {
      const { app, proxy } = await cluster.nodeBehindProxy();
      const hello = async (sessionId?: string) => {
        const client = await TestClient.connect(app.url);
        const welcome = await client.hello(undefined, sessionId === undefined ? {} : { session_id: sessionId });
        await client.close();
        return welcome;
      };
      const { session_id: sessionId } = await hello();
      await eventually(() => app.service.connectionCount === 0, 'the node to see the close');

      proxy.blackhole();
      await eventually(() => app.service.getClusterStatus().redis?.up === false, 'the node to notice that Redis went silent', 5_000);
      expect(await hello(sessionId)).toMatchObject({ resumed: false });

      proxy.restore();
      await eventually(() => app.service.getClusterStatus().redis?.up === true, 'the node to reconnect to Redis', 10_000);
      expect(await hello(sessionId)).toMatchObject({ session_id: sessionId, resumed: true });
    }, 30_000);

    it('drops the old connection of a session resumed on another node once its node hears from Redis again', async () => {
      const { app: a, proxy } = await cluster.nodeBehindProxy();
      const b = await cluster.node();
      const { client: old, welcome } = await TestClient.open(a.url);
      const redis = new Redis(TEST_REDIS_URL);
      try {
        const key = new RedisKeys(cluster.prefix).session(welcome.session_id);
        await eventually(async () => (await redis.hget(key, 'conn')) !== null, 'node A to write the session to Redis');
      } finally {
        redis.disconnect();
      }
      proxy.blackhole();
      await eventually(() => a.service.getClusterStatus().redis?.up === false, 'node A to notice that Redis went silent', 5_000);

      // The client's new link reaches node B, which takes the session; its request to drop the old
      // connection cannot reach node A.
      const resumed = await TestClient.connect(b.url);
      expect(await resumed.hello(undefined, { session_id: welcome.session_id })).toMatchObject({ session_id: welcome.session_id, resumed: true });
      await sleep(1_500);
      expect(old.closedAt).toBeUndefined();

      proxy.restore();
      await eventually(() => old.closedAt !== undefined, 'node A to drop the old connection once Redis answers it again', 10_000);
      expect(await old.closed).toEqual({ code: 4000, reason: 'superseded: the session resumed on another connection' });
      expect(resumed.closedAt).toBeUndefined();
      await resumed.close();
    }, 30_000);

    it('holds a message until Redis has its id, and refuses one beyond maxPendingPublishes with an error naming it, in their order', async () => {
      const { app, proxy } = await cluster.nodeBehindProxy({ redis: { maxPendingPublishes: 1 } });
      const client = await cluster.client(app);
      const handed: string[] = [];
      const subscription = app.service.messages$.subscribe((message) => handed.push(message.id));
      try {
        proxy.blackhole();
        await eventually(() => app.service.getClusterStatus().redis?.up === false, 'the node to notice that Redis went silent', 5_000);
        client.send({ type: 'message', id: 'm-1', data: 1 });
        client.send({ type: 'message', id: 'm-2', data: 2 });
        await sleep(500);
        // m-1 waits for Redis; m-2, beyond the bound, is refused, answered after m-1 (messages keep their order).
        expect([handed, client.all('ack'), client.all('error')]).toEqual([[], [], []]);

        proxy.restore();
        expect((await client.next('ack', 10_000)).id).toBe('m-1');
        expect(await client.next('error', 5_000)).toMatchObject({ code: 'internal_error', ref: 'm-2' });
        expect(handed).toEqual(['m-1']);
      } finally {
        subscription.unsubscribe();
      }
    }, 30_000);
  });

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
