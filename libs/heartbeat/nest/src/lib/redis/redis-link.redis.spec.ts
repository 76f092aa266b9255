import { BlackholeProxy, eventually, RedisLoadingServer, requireRedis, sleep } from '@heartbeat/testing';
import { RedisNodes } from '../../testing/redis-nodes.js';
import type { TestApp } from '../../testing/test-app.js';
import { HeartbeatMessages } from '../core/heartbeat.messages.js';

/** A node's link to Redis through a proxy that can go silent, on the test Redis. */
describe('RedisLink', () => {
  let cluster: RedisNodes;

  beforeAll(() => requireRedis());

  beforeEach(() => {
    cluster = new RedisNodes('link');
  });

  afterEach(() => cluster.close());

  /**
   * A node started on a Redis of its own that is loading its data set, through a proxy, once both its
   * connections reached it: `check` says what happens while it loads; then the node must come up
   * within 30 s and publish. 2,000 keys at 2 ms each: at least 4 s of loading, four times the 1 s a
   * connection that is not ready may hear nothing from Redis (healthCheckInterval 200 ms) before it
   * is taken for silent; the server answers between keys (every 1 KiB of its file, about 44 keys).
   */
  async function whileLoading(check: (redis: RedisLoadingServer, proxy: BlackholeProxy, app: TestApp) => Promise<void>): Promise<void> {
    const redis = await RedisLoadingServer.create(2_000);
    let proxy: BlackholeProxy | undefined;
    try {
      proxy = await BlackholeProxy.start(redis.port);
      await redis.load(2_000);
      const app = await cluster.startNode({ url: `redis://127.0.0.1:${proxy.port}` }, { redis: { healthCheckInterval: 200 } });
      const through = proxy;
      await eventually(() => through.accepted === 2, 'the node to open its two connections', 10_000);
      await check(redis, through, app);
      await untilUp(app);
      expect((await app.service.publish('alerts', { i: 1 })).seq).toBe(1);
      await cluster.stop(app);
    } finally {
      await proxy?.close();
      await redis.stop();
    }
  }

  /** A node that met a loading Redis connects once it has loaded: within 30 s. */
  function untilUp(app: TestApp): Promise<void> {
    return cluster.untilUp(app, 30_000);
  }

  describe('health check', () => {
    it('drops only the socket its unanswered PING went out on, not the connection that replaced it', async () => {
      // Reports every minute: while Redis is silent, the only writes are the health PINGs. New
      // connections' first commands may go unanswered for 3 s (twice the interval).
      const { app, proxy } = await cluster.nodeBehindProxy({ redis: { healthCheckInterval: 1_500, statsInterval: 60_000 } });
      const connected = proxy.accepted;
      proxy.blackhole();
      await eventually(() => proxy.silenced >= 2, 'both connections to send a PING into the silence', 5_000);
      // The sockets break before the PINGs time out; both clients reconnect, and their handshakes go unanswered.
      proxy.cut();
      await eventually(() => proxy.accepted === connected + 2, 'both clients to reconnect', 5_000);

      // The PINGs time out within 1.5 s; the sockets they went out on are gone, so nothing is dropped.
      await sleep(2_000);
      expect(proxy.accepted).toBe(connected + 2);
      expect(app.service.getClusterStatus().redis).toMatchObject({ up: false, outages: 1 });

      proxy.restore();
      await eventually(() => app.service.getClusterStatus().redis?.up === true, 'the node to reconnect to Redis', 10_000);
      expect((await app.service.publish('alerts', { i: 1 })).seq).toBe(1);
    }, 30_000);

    it('drops the socket of a PING that goes unanswered, and the commands held meanwhile reach Redis once it answers', async () => {
      const { app, proxy } = await cluster.nodeBehindProxy({ redis: { healthCheckInterval: 200 } });
      const connected = proxy.accepted;
      proxy.blackhole();
      await eventually(() => app.service.getClusterStatus().redis?.up === false, 'the node to notice that Redis went silent', 5_000);
      expect(app.service.getClusterStatus().redis?.lastError).toBe('Redis did not answer PING within 200 ms; reconnecting');
      await eventually(() => proxy.accepted > connected, 'the node to open a new connection in place of the silent one', 5_000);
      const held = app.service.publish('alerts', { i: 1 });

      proxy.restore();
      expect((await held).seq).toBe(1);
      await eventually(() => app.service.getClusterStatus().redis?.up === true, 'the node to reconnect to Redis', 10_000);
    }, 30_000);

    it('drops a new connection whose first commands Redis leaves unanswered, and connects again until Redis answers', async () => {
      // A connect may take 1 s (twice the interval, at least 1 s), and then Redis's first answers as long.
      const { app, proxy } = await cluster.nodeBehindProxy({ redis: { healthCheckInterval: 200 } });
      proxy.blackhole();
      await eventually(() => app.service.getClusterStatus().redis?.up === false, 'the node to notice that Redis went silent', 5_000);
      const intoTheSilence = proxy.accepted;
      await eventually(() => proxy.accepted >= intoTheSilence + 4, 'both clients to connect twice more into the silence', 10_000);
      expect(app.service.getClusterStatus().redis?.lastError).toBe(HeartbeatMessages.redisHandshakeSilent(1_000));

      proxy.restore();
      await eventually(() => app.service.getClusterStatus().redis?.up === true, 'the node to reconnect to Redis', 10_000);
      expect((await app.service.publish('alerts', { i: 1 })).seq).toBe(1);
    }, 30_000);

    it('waits on one connection each for a Redis that is loading its data set, answering LOADING for seconds, and is up once it has loaded', async () => {
      await whileLoading(async (redis, proxy, app) => {
        // The node met Redis while it loaded: what follows is about a loading Redis, not a loaded one.
        expect(await redis.loading()).toBe(true);
        await untilUp(app);
        expect(await redis.loading()).toBe(false);
        // The command and the Pub/Sub connection, each connected once: neither was dropped as silent while Redis answered.
        expect(proxy.accepted).toBe(2);
        const status = app.service.getClusterStatus().redis;
        expect(status?.up).toBe(true);
        expect(status?.lastError).toBeUndefined();
      });
    }, 60_000);

    it('drops a connection to a loading Redis that then goes silent, and connects again until it answers', async () => {
      await whileLoading(async (redis, proxy, app) => {
        // Heard from while it loads (its LOADING answers), then nothing: silent, as a Redis that never answered would be.
        await eventually(() => proxy.answered > 0, 'Redis to answer through the proxy while it loads', 5_000);
        expect(await redis.loading()).toBe(true);
        proxy.blackhole();
        await eventually(() => proxy.accepted >= 4, 'both connections to be dropped as silent and made again', 10_000);
        expect(app.service.getClusterStatus().redis).toMatchObject({ up: false, lastError: HeartbeatMessages.redisHandshakeSilent(1_000) });
        // Restoring cuts the connections that went through the blackhole; the node connects again.
        proxy.restore();
      });
    }, 60_000);
  });
});
