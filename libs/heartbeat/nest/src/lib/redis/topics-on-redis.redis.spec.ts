import type { EventFrame } from '@heartbeat/protocol';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { eventually, requireRedis, TEST_REDIS_URL } from '@heartbeat/testing';
import { RedisNodes } from '../../testing/redis-nodes.js';
import type { TestApp } from '../../testing/test-app.js';
import { HeartbeatMessages } from '../core/heartbeat.messages.js';
import type { HeartbeatModuleOptions } from '../core/heartbeat-options.interface.js';
import { RedisKeys } from './redis-keys.js';

/** Topics on two or three nodes on one Redis, each a real Nest application, in this process. */
describe('Topics on Redis', () => {
  let cluster: RedisNodes;

  beforeAll(() => requireRedis());

  beforeEach(() => {
    cluster = new RedisNodes('broker');
  });

  afterEach(() => cluster.close());

  const node = (options?: HeartbeatModuleOptions) => cluster.node(options);
  const nodeBehindProxy = (options?: HeartbeatModuleOptions) => cluster.nodeBehindProxy(options);

  async function subscriber(app: TestApp, topic: string, since?: number) {
    const client = await cluster.client(app);
    client.send(since === undefined ? { type: 'subscribe', topic } : { type: 'subscribe', topic, since });
    const subscribed = await client.next('subscribed', 5_000, (frame) => frame.topic === topic);
    return { client, subscribed };
  }

  const seqsOf = (events: readonly EventFrame[]) => events.map((event) => event.seq);
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  describe('#publish', () => {
    it('delivers every node’s events to the subscribers of every node, in one order, without gaps', async () => {
      const a = await node();
      const b = await node();
      const onA = await subscriber(a, 'alerts');
      const onB = await subscriber(b, 'alerts');
      const results = await Promise.all(range(1, 40).map((i) => (i % 2 ? a : b).service.publish('alerts', { i })));

      expect(results.map((result) => result.seq).sort((x, y) => x - y)).toEqual(range(1, 40));
      expect(new Set(results.map((result) => result.epoch))).toEqual(new Set([onA.subscribed.epoch]));
      for (const { client } of [onA, onB]) {
        const events = await client.take('event', 40);
        expect(seqsOf(events)).toEqual(range(1, 40));
        expect(events.every((event) => event.epoch === onA.subscribed.epoch)).toBe(true);
      }
      expect(onB.subscribed.epoch).toBe(onA.subscribed.epoch);
    });

    it('rejects data JSON cannot encode without using a seq', async () => {
      const a = await node();
      await expect(a.service.publish('alerts', { big: 1n })).rejects.toThrow(TypeError);
      expect((await a.service.publish('alerts', { ok: true })).seq).toBe(1);
    });
  });

  describe('#subscribe', () => {
    it('resumes on another node what a client missed after it was dropped by the first', async () => {
      const a = await node();
      const b = await node();
      const first = await subscriber(a, 'alerts');
      for (const i of range(1, 3)) await a.service.publish('alerts', { i });
      expect(seqsOf(await first.client.take('event', 3))).toEqual([1, 2, 3]);
      await first.client.close();

      for (const i of range(4, 6)) await a.service.publish('alerts', { i });
      const resumed = await subscriber(b, 'alerts', 3);
      expect(resumed.subscribed).toMatchObject({ epoch: first.subscribed.epoch, seq: 6, recovered: true, replayed: 3 });
      await a.service.publish('alerts', { i: 7 });
      const events = await resumed.client.take('event', 4);
      expect(seqsOf(events)).toEqual([4, 5, 6, 7]);
      expect(events.map((event) => (event.data as { i: number }).i)).toEqual([4, 5, 6, 7]);
    });

    it('says recovered: false when the stream no longer holds what the client missed', async () => {
      const a = await node({ replay: { maxEvents: 3 } });
      const b = await node({ replay: { maxEvents: 3 } });
      for (const i of range(1, 6)) await a.service.publish('alerts', { i });
      const late = await subscriber(b, 'alerts', 1);
      expect(late.subscribed).toMatchObject({ seq: 6, recovered: false, replayed: 3 });
      expect(seqsOf(await late.client.take('event', 3))).toEqual([4, 5, 6]);
    });

    it('starts a fresh subscription at the head, and a position from another epoch is not recovered', async () => {
      const a = await node();
      await a.service.publish('alerts', { i: 1 });
      const fresh = await subscriber(a, 'alerts');
      expect(fresh.subscribed).toMatchObject({ seq: 1, recovered: true, replayed: 0 });
      const stale = await subscriber(a, 'alerts', 99);
      expect(stale.subscribed).toMatchObject({ seq: 1, recovered: false, replayed: 0 });
    });
  });

  describe('Redis outage', () => {
    it('keeps serving the node’s clients, holds its publishes, and catches up in order without duplicates', async () => {
      const a = await node();
      const { app: b, proxy } = await nodeBehindProxy();
      const onA = await subscriber(a, 'alerts');
      const onB = await subscriber(b, 'alerts');
      await a.service.publish('alerts', { i: 1 });
      await onB.client.next('event');

      proxy.blackhole();
      await eventually(() => b.service.getClusterStatus().redis?.up === false, 'node B to notice that Redis went silent', 5_000);
      for (const i of range(2, 4)) await a.service.publish('alerts', { from: 'a', i });
      const held = [b.service.publish('alerts', { from: 'b', i: 5 }), b.service.publish('alerts', { from: 'b', i: 6 })];
      expect(b.service.getClusterStatus().redis).toMatchObject({ up: false, outages: 1, pendingPublishes: 2 });
      // B still serves its own client: the heartbeat goes on, and a new subscriber is answered from what B saw.
      onB.client.send({ type: 'ping', timestamp: new Date().toISOString(), client_time: Date.now(), sequence: 7 });
      expect(await onB.client.next('pong')).toMatchObject({ sequence: 7 });
      const whileDown = await subscriber(b, 'alerts', 0);
      expect(whileDown.subscribed).toMatchObject({ seq: 1, recovered: true, replayed: 1 });

      proxy.restore();
      expect((await Promise.all(held)).map((result) => result.seq).sort()).toEqual([5, 6]);
      // onB took event 1 before the outage.
      for (const [client, first] of [[onA.client, 1], [onB.client, 2], [whileDown.client, 1]] as const) {
        expect(seqsOf(await client.take('event', 7 - first, 10_000))).toEqual(range(first, 6));
      }
      await a.service.publish('alerts', { i: 7 });
      // A duplicate of 1-6 would arrive before 7.
      for (const { client } of [onA, onB, whileDown]) expect((await client.next('event')).seq).toBe(7);
      expect(b.service.getClusterStatus().redis).toMatchObject({ up: true, outages: 1, pendingPublishes: 0 });
    }, 30_000);

    it('rejects a publish at once, saying so, when redis.maxPendingPublishes already wait for Redis', async () => {
      const { app, proxy } = await nodeBehindProxy({ redis: { maxPendingPublishes: 2 } });
      proxy.blackhole();
      await eventually(() => app.service.getClusterStatus().redis?.up === false, 'the node to notice that Redis went silent', 5_000);
      const held = [app.service.publish('alerts', { i: 1 }), app.service.publish('alerts', { i: 2 })];
      await expect(app.service.publish('alerts', { i: 3 })).rejects.toThrow(HeartbeatMessages.redisPublishBacklog(2));

      proxy.restore();
      expect((await Promise.all(held)).map((result) => result.seq)).toEqual([1, 2]);
      expect((await app.service.publish('alerts', { i: 3 })).seq).toBe(3);
    }, 30_000);

    it('tells its subscribers in-band, without closing them, when the outage outlasted the replay buffer (docs/protocol.md#losses-told-in-band)', async () => {
      const a = await node({ replay: { maxEvents: 3 } });
      const { app: b, proxy } = await nodeBehindProxy({ replay: { maxEvents: 3 } });
      const onB = await subscriber(b, 'alerts');
      await a.service.publish('alerts', { i: 1 });
      expect((await onB.client.next('event')).seq).toBe(1);

      proxy.blackhole();
      await eventually(() => b.service.getClusterStatus().redis?.up === false, 'node B to notice that Redis went silent', 5_000);
      for (const i of range(2, 6)) await a.service.publish('alerts', { i });
      proxy.restore();

      // 2 and 3 were trimmed from the stream (it keeps 3 events); 4–6 are still there and follow the loss.
      expect(await onB.client.next('subscribed', 10_000)).toEqual({
        type: 'subscribed',
        topic: 'alerts',
        epoch: onB.subscribed.epoch,
        seq: 3,
        recovered: false,
        replayed: 0,
      });
      expect(seqsOf(await onB.client.take('event', 3, 10_000))).toEqual([4, 5, 6]);
      await a.service.publish('alerts', { i: 7 });
      expect(await onB.client.next('event')).toMatchObject({ seq: 7, epoch: onB.subscribed.epoch });
      expect(onB.client.all('event')).toEqual([]);
      expect(onB.client.socket.readyState).toBe(WebSocket.OPEN);
      const resumed = await subscriber(b, 'alerts', 1);
      expect(resumed.subscribed).toMatchObject({ seq: 7, recovered: false, replayed: 3 });
    }, 30_000);
  });

  describe('a topic whose keys Redis lost', () => {
    it('tells its subscribers the new epoch in-band, then its events, without closing them', async () => {
      const a = await node();
      const b = await node();
      const first = await subscriber(a, 'alerts');
      const onB = await subscriber(b, 'alerts');
      await a.service.publish('alerts', { i: 1 });
      await first.client.next('event');
      await onB.client.next('event');

      const redis = new Redis(TEST_REDIS_URL);
      await redis.del(new RedisKeys(cluster.prefix).topic('alerts'));
      redis.disconnect();
      const { epoch } = await a.service.publish('alerts', { i: 2 });
      expect(epoch).not.toBe(first.subscribed.epoch);
      for (const { client } of [first, onB]) {
        expect(await client.next('subscribed')).toEqual({ type: 'subscribed', topic: 'alerts', epoch, seq: 0, recovered: false, replayed: 0 });
        expect(await client.next('event')).toMatchObject({ epoch, seq: 1, data: { i: 2 } });
        expect(client.socket.readyState).toBe(WebSocket.OPEN);
      }

      const again = await subscriber(a, 'alerts', 1);
      expect(again.subscribed).toMatchObject({ epoch, seq: 1 });
    });
  });
});
