import { CloseCode, type EventFrame } from '@heartbeat/protocol';
import { eventually, RedisClusterTopology, type TestClient } from '@heartbeat/testing';
import { Cluster, Redis } from 'ioredis';
import { RedisNodes } from '../../testing/redis-nodes.js';
import type { TestApp } from '../../testing/test-app.js';
import { HeartbeatMessages } from '../core/heartbeat.messages.js';
import type { HeartbeatModuleOptions } from '../core/heartbeat-options.interface.js';
import { RedisKeys } from './redis-keys.js';

/** Tokens are user ids; presence on `rooms.*`. */
const OPTIONS = {
  presence: ['rooms.*'],
  verifyToken: (token: string | undefined) => (token ? { userId: token } : true),
} satisfies HeartbeatModuleOptions;

/**
 * Nodes on a three-shard Redis Cluster the test starts itself (docs/scaling.md#redis-cluster), each
 * a real Nest application in this process.
 */
describe('Topics on a Redis Cluster', () => {
  let topology: RedisClusterTopology;
  let cluster: RedisNodes;

  beforeAll(async () => {
    topology = await RedisClusterTopology.start(3);
  }, 60_000);

  afterAll(() => topology?.stop());

  beforeEach(() => {
    cluster = new RedisNodes('shards', { staleAfter: 600, requestTimeout: 500 });
  });

  afterEach(() => cluster.close());

  const node = (options: HeartbeatModuleOptions = {}) => cluster.nodeOn({ cluster: { nodes: topology.nodes } }, { ...OPTIONS, ...options });

  async function subscriber(app: TestApp, topic: string, since?: number, token?: string) {
    const client = await cluster.client(app, token);
    client.send(since === undefined ? { type: 'subscribe', topic } : { type: 'subscribe', topic, since });
    const subscribed = await client.next('subscribed', 5_000, (frame) => frame.topic === topic);
    return { client, subscribed };
  }

  const seqsOf = (events: readonly EventFrame[]) => events.map((event) => event.seq);
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  /** Keys each shard holds (DBSIZE, which counts its own slots only). */
  async function keysPerShard(): Promise<number[]> {
    return Promise.all(
      topology.nodes.map(async (address) => {
        const shard = new Redis({ ...address, lazyConnect: true });
        try {
          await shard.connect();
          return await shard.dbsize();
        } finally {
          shard.disconnect();
        }
      }),
    );
  }

  /** How many shards answer that they hold `key` (the others answer MOVED: not theirs). */
  async function shardsHolding(key: string): Promise<number> {
    const held = await Promise.all(
      topology.nodes.map(async (address) => {
        const shard = new Redis({ ...address, lazyConnect: true });
        try {
          await shard.connect();
          return (await shard.exists(key)) === 1;
        } catch {
          return false;
        } finally {
          shard.disconnect();
        }
      }),
    );
    return held.filter(Boolean).length;
  }

  describe('#publish', () => {
    it('spreads topics over the shards and delivers every node’s events to the subscribers of every node, in one order, without gaps', async () => {
      const nodes = [await node(), await node(), await node()];
      const topics = ['alerts', 'alerts.eu', 'alerts.us', 'rooms.a', 'rooms.b', 'rooms.c'];
      const subscribers = await Promise.all(topics.flatMap((topic) => nodes.map((app) => subscriber(app, topic))));
      await Promise.all(topics.flatMap((topic) => range(1, 20).map((i) => nodes[i % 3].service.publish(topic, { topic, i }))));

      for (const [index, { client }] of subscribers.entries()) {
        const topic = topics[Math.floor(index / nodes.length)];
        expect(seqsOf(await client.take('event', 20))).toEqual(range(1, 20));
        expect(client.all('event').every((event) => event.topic === topic)).toBe(true);
      }
      // Six topics' keys over three shards: more than one shard holds some, each topic's on one.
      expect((await keysPerShard()).filter((count) => count > 0).length).toBeGreaterThan(1);
      const keys = new RedisKeys(cluster.prefix);
      for (const topic of topics) expect(await shardsHolding(keys.topic(topic))).toBe(1);
    });
  });

  describe('an application’s ioredis Cluster client', () => {
    it('is copied: a node on it shares topics with a node on the cluster’s nodes, and the client stays the application’s', async () => {
      const own = new Cluster(topology.nodes, { keyPrefix: 'the-application:', shardedSubscribers: true });
      try {
        const onClient = await cluster.nodeOn({ client: own }, OPTIONS);
        const onNodes = await node();
        const { client } = await subscriber(onNodes, 'alerts');
        await onClient.service.publish('alerts', { i: 1 });
        expect((await client.next('event')).data).toEqual({ i: 1 });

        await cluster.stop(onClient);
        expect(await own.ping()).toBe('PONG');
      } finally {
        own.disconnect();
      }
    });
  });

  describe('#subscribe', () => {
    it('resumes on another node what a client missed after its node stopped', async () => {
      const a = await node();
      const b = await node();
      const first = await subscriber(a, 'alerts');
      for (const i of range(1, 3)) await a.service.publish('alerts', { i });
      expect(seqsOf(await first.client.take('event', 3))).toEqual([1, 2, 3]);
      await cluster.stop(a);

      for (const i of range(4, 6)) await b.service.publish('alerts', { i });
      const resumed = await subscriber(b, 'alerts', 3);
      expect(resumed.subscribed).toMatchObject({ epoch: first.subscribed.epoch, seq: 6, recovered: true, replayed: 3 });
      expect(seqsOf(await resumed.client.take('event', 3))).toEqual([4, 5, 6]);
    });
  });

  describe('#disconnect', () => {
    it('closes a connection held by another node, and sums the stats of every node', async () => {
      const a = await node({ redis: { nodeId: 'node-a' } });
      const b = await node({ redis: { nodeId: 'node-b' } });
      const client: TestClient = await cluster.client(b);
      await eventually(async () => (await a.service.getStats()).nodes?.filter((entry) => !entry.stale).length === 2, 'both nodes to be listed');
      expect((await a.service.getStats()).heartbeat_stats.active_connections).toBe(1);

      const { id } = b.service.getLocalStats().connection_details[0];
      expect(await a.service.disconnect(id)).toBe(true);
      expect(await client.closed).toEqual({ code: CloseCode.Kicked, reason: HeartbeatMessages.closeKicked() });
    });
  });

  describe('presence', () => {
    it('tells the watchers of every node who joined and left, with the presence keys on one shard', async () => {
      const a = await node();
      const b = await node();
      const watcher = await cluster.client(a, 'ada');
      watcher.send({ type: 'subscribe', topic: 'rooms.lobby', presence: true });
      await watcher.next('subscribed');
      await watcher.next('presence');
      const cleo = await subscriber(b, 'rooms.lobby', undefined, 'cleo');
      expect((await watcher.next('join', 5_000, (frame) => frame.member.user_id === 'cleo')).member.connections).toBe(1);
      expect((await b.service.presence('rooms.lobby')).map((member) => member.user_id).sort()).toEqual(['ada', 'cleo']);
      await cleo.client.close();
      expect((await watcher.next('leave', 5_000, (frame) => frame.user_id === 'cleo')).topic).toBe('rooms.lobby');
      expect(await shardsHolding(new RedisKeys(cluster.prefix).presenceMembers('rooms.lobby'))).toBe(1);
    });
  });
});
