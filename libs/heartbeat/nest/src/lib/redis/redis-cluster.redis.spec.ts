import { CloseCode } from '@heartbeat/protocol';
import { eventually, requireRedis, TEST_REDIS_URL, type TestClient } from '@heartbeat/testing';
import { RedisNodes } from '../../testing/redis-nodes.js';
import type { TestApp } from '../../testing/test-app.js';
import { Redis } from 'ioredis';
import { HeartbeatMessages } from '../core/heartbeat.messages.js';
import { RedisKeys } from './redis-keys.js';

describe('RedisCluster', () => {
  const STALE_AFTER_MS = 600;
  let cluster: RedisNodes;

  beforeAll(() => requireRedis());

  beforeEach(() => {
    cluster = new RedisNodes('cluster', { staleAfter: STALE_AFTER_MS, requestTimeout: 500 });
  });

  afterEach(() => cluster.close());

  const node = (nodeId: string, redisUrl = TEST_REDIS_URL) => cluster.node({ redis: { nodeId } }, redisUrl);

  const connect = (app: TestApp, count: number): Promise<TestClient[]> => Promise.all(Array.from({ length: count }, () => cluster.client(app)));

  /** Waits until `app` sees the listed nodes as live (their first reports are in). */
  async function whenListed(app: TestApp, ids: string[]): Promise<void> {
    await eventually(async () => {
      const stats = await app.service.getStats();
      return ids.every((id) => stats.nodes?.some((node) => node.node_id === id && !node.stale));
    }, `nodes ${ids.join(', ')} to be listed`);
  }

  describe('#stats', () => {
    it('lists every node with its figures and sums them, with every connection tagged by its node', async () => {
      const a = await node('node-a');
      const b = await node('node-b');
      const c = await node('node-c');
      await connect(a, 1);
      await connect(b, 2);
      await connect(c, 3);
      await whenListed(a, ['node-a', 'node-b', 'node-c']);

      const stats = await a.service.getStats();
      expect(stats.nodes?.map((entry) => [entry.node_id, entry.stale, entry.heartbeat_stats.active_connections]).sort()).toEqual([
        ['node-a', false, 1],
        ['node-b', false, 2],
        ['node-c', false, 3],
      ]);
      expect(stats.heartbeat_stats.active_connections).toBe(6);
      const byNode = new Map<string, number>();
      for (const details of stats.connection_details) byNode.set(details.node_id ?? '?', (byNode.get(details.node_id ?? '?') ?? 0) + 1);
      expect(Object.fromEntries(byNode)).toEqual({ 'node-a': 1, 'node-b': 2, 'node-c': 3 });
      expect(b.service.getLocalStats().heartbeat_stats.active_connections).toBe(2);
    });

    it('marks a node that stopped reporting as stale and leaves it out of the totals', async () => {
      const a = await node('node-a');
      const { app: b, proxy } = await cluster.nodeBehindProxy({ redis: { nodeId: 'node-b' } });
      await connect(a, 1);
      await connect(b, 2);
      await whenListed(a, ['node-a', 'node-b']);
      const reader = new Redis(TEST_REDIS_URL);
      await eventually(async () => JSON.parse((await reader.get(new RedisKeys(cluster.prefix).node('node-b'))) ?? '{}').heartbeat_stats?.active_connections === 2, 'a report of node-b with its 2 connections');
      reader.disconnect();

      proxy.blackhole();
      await eventually(async () => (await a.service.getStats()).nodes?.find((entry) => entry.node_id === 'node-b')?.stale === true, 'node-b to turn stale', 5_000);
      const stats = await a.service.getStats();
      expect(stats.nodes?.find((entry) => entry.node_id === 'node-b')).toMatchObject({ stale: true, heartbeat_stats: { active_connections: 2 } });
      expect(stats.heartbeat_stats.active_connections).toBe(1);
      expect(stats.connection_details.every((details) => details.node_id === 'node-a')).toBe(true);
      // node-b, cut off, still answers for itself.
      expect((await b.service.getStats()).nodes).toEqual([expect.objectContaining({ node_id: 'node-b', stale: false })]);
    });

    it('forgets a node that shut down cleanly', async () => {
      const a = await node('node-a');
      const b = await node('node-b');
      await whenListed(a, ['node-a', 'node-b']);
      await cluster.stop(b);
      expect((await a.service.getStats()).nodes?.map((entry) => entry.node_id)).toEqual(['node-a']);
    });
  });

  describe('#disconnect', () => {
    it('closes a connection held by another node', async () => {
      const a = await node('node-a');
      const b = await node('node-b');
      const [client] = await connect(b, 1);
      await whenListed(a, ['node-a', 'node-b']);
      const { id } = b.service.getLocalStats().connection_details[0];

      expect(await a.service.disconnect(id)).toBe(true);
      expect(await client.closed).toEqual({ code: CloseCode.Kicked, reason: HeartbeatMessages.closeKicked() });
      expect(await a.service.disconnect('no-such-connection')).toBe(false);
    });

    it('rejects a code a close frame cannot carry before asking any node', async () => {
      const a = await node('node-a');
      await expect(a.service.disconnect('any', 1005, 'bad')).rejects.toThrow(new RangeError(HeartbeatMessages.invalidCloseCode(1005)));
    });
  });

  describe('targeted delivery', () => {
    /** Each token names its user. */
    const userNode = (nodeId: string) => cluster.node({ redis: { nodeId }, verifyToken: (token) => ({ userId: token ?? '' }) });

    it('publishToUser reaches every connection of the user on every node, with one seq, and no one else', async () => {
      const a = await userNode('node-a');
      const b = await userNode('node-b');
      const onA = await cluster.client(a, 'alice');
      const onB = await cluster.client(b, 'alice');
      const bob = await cluster.client(b, 'bob');
      await whenListed(a, ['node-a', 'node-b']);

      expect(await a.service.publishToUser('alice', 'inbox', { n: 1 })).toMatchObject({ topic: 'inbox#alice', seq: 1 });
      for (const client of [onA, onB]) {
        expect(await client.next('subscribed')).toMatchObject({ topic: 'inbox#alice' });
        expect(await client.next('event')).toMatchObject({ topic: 'inbox#alice', seq: 1, data: { n: 1 } });
      }
      expect(await b.service.publishToUser('alice', 'inbox', { n: 2 })).toMatchObject({ seq: 2 });
      for (const client of [onA, onB]) expect(await client.next('event')).toMatchObject({ seq: 2, data: { n: 2 } });
      expect(bob.all('subscribed')).toEqual([]);
      expect(bob.all('event')).toEqual([]);
    });

    it('sends to, joins and removes a connection held by another node; false for one no node holds', async () => {
      const a = await userNode('node-a');
      const b = await userNode('node-b');
      const client = await cluster.client(b, 'alice');
      await whenListed(a, ['node-a', 'node-b']);
      const { id } = b.service.getLocalStats().connection_details[0];

      expect(await a.service.sendToConnection(id, 'notice', { to: 'alice' })).toBe(true);
      expect(await client.next('message')).toMatchObject({ topic: 'notice', data: { to: 'alice' } });
      expect(await a.service.join(id, 'ops')).toBe(true);
      expect(await client.next('subscribed')).toMatchObject({ topic: 'ops' });
      await a.service.publish('ops', 'one');
      expect(await client.next('event')).toMatchObject({ topic: 'ops', data: 'one' });
      expect(await a.service.leave(id, 'ops')).toBe(true);
      expect(await client.next('unsubscribed')).toEqual({ type: 'unsubscribed', topic: 'ops', reason: 'removed' });
      for (const ask of [() => a.service.sendToConnection('nobody', 'notice', 1), () => a.service.join('nobody', 'ops'), () => a.service.leave('nobody', 'ops')]) {
        expect(await ask()).toBe(false);
      }
    });
  });
});
