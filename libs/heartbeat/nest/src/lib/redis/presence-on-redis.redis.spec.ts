import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { eventually, requireRedis } from '@heartbeat/testing';
import type { TestClient } from '@heartbeat/testing';
import { RedisNodes } from '../../testing/redis-nodes.js';
import type { TestApp } from '../../testing/test-app.js';
import type { HeartbeatModuleOptions } from '../core/heartbeat-options.interface.js';

/** Presence on `rooms.*`; tokens are user ids. */
const OPTIONS = {
  presence: ['rooms.*'],
  verifyToken: (token: string | undefined) => (token ? { userId: token } : true),
} satisfies HeartbeatModuleOptions;

/** Presence across two nodes on one Redis, each a real Nest application, in this process. */
describe('Presence on Redis', () => {
  let cluster: RedisNodes;

  beforeAll(() => requireRedis());

  beforeEach(() => {
    cluster = new RedisNodes('presence');
  });

  afterEach(() => cluster.close());

  /** A connection of `user` on `app`, subscribed to rooms.lobby; a watcher has had its snapshot. */
  async function member(app: TestApp, user: string, presence = false): Promise<TestClient> {
    const client = await cluster.client(app, user);
    client.send({ type: 'subscribe', topic: 'rooms.lobby', presence });
    await client.next('subscribed');
    if (presence) await client.next('presence');
    return client;
  }

  it('counts a user on two nodes as one member, and tells joins and leaves to the watchers of every node', async () => {
    const a = await cluster.node(OPTIONS);
    const b = await cluster.node(OPTIONS);
    const onA = await member(a, 'ada', true);
    const onB = await member(b, 'cleo', true);
    expect((await onA.next('join', 5_000, (frame) => frame.member.user_id === 'cleo')).member.connections).toBe(1);
    const bob = await member(b, 'bob');
    await member(a, 'bob');
    for (const watcher of [onA, onB]) expect((await watcher.next('join', 5_000, (frame) => frame.member.user_id === 'bob')).member.connections).toBe(1);
    for (const app of [a, b]) {
      expect((await app.service.presence('rooms.lobby')).map((m) => [m.user_id, m.connections])).toEqual([
        ['ada', 1],
        ['cleo', 1],
        ['bob', 2],
      ]);
    }
    await bob.close();
    await eventually(async () => (await a.service.presence('rooms.lobby')).find((m) => m.user_id === 'bob')?.connections === 1, 'bob down to one connection');
    expect(onA.all('leave')).toEqual([]);
  });

  it('keeps a node’s own presence while Redis is away from it, and tells the other nodes what changed when it is back', async () => {
    const a = await cluster.node(OPTIONS);
    const { app: b, proxy } = await cluster.nodeBehindProxy(OPTIONS);
    const onA = await member(a, 'ada', true);
    const onB = await member(b, 'cleo', true);
    const bob = await member(b, 'bob');
    await onA.next('join', 5_000, (frame) => frame.member.user_id === 'bob');
    await onB.next('join', 5_000, (frame) => frame.member.user_id === 'bob');

    proxy.blackhole();
    await eventually(() => b.service.getClusterStatus().redis?.up === false, 'node b to notice Redis is gone', 5_000);
    await member(b, 'dave');
    expect((await onB.next('join', 5_000, (frame) => frame.member.user_id === 'dave')).member.connections).toBe(1);
    bob.socket.terminate();
    expect(await onB.next('leave', 5_000)).toEqual({ type: 'leave', topic: 'rooms.lobby', user_id: 'bob' });
    expect(onA.all('join').filter((frame) => frame.member.user_id === 'dave')).toEqual([]);

    proxy.restore();
    expect((await onA.next('join', 10_000, (frame) => frame.member.user_id === 'dave')).member.user_id).toBe('dave');
    expect(await onA.next('leave', 5_000)).toEqual({ type: 'leave', topic: 'rooms.lobby', user_id: 'bob' });
    await eventually(async () => (await a.service.presence('rooms.lobby')).map((m) => m.user_id).join() === 'ada,cleo,dave', 'node a to see the reconciled members', 5_000);
  }, 30_000);
});
