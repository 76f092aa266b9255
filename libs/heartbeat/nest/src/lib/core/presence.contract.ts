import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { PresenceChange, PresenceManager } from './presence-manager.js';
import { until } from './backplane.contract.js';

/** What a presence manager is: its nodes are processes of their own (Redis), or one store (memory). */
export interface PresenceKind {
  separateNodes: boolean;
  /** Whether the store can lose its state while nodes run (Redis restarted empty). */
  losesState: boolean;
}

/** A node under test: its manager, started, and every join and leave it saw. */
export interface PresenceNode {
  manager: PresenceManager;
  changes: PresenceChange[];
}

/** How one presence store is set up for one test of the contract. */
export interface PresenceHarness {
  node(): Promise<PresenceNode>;
  /** The node dies without a word (its process killed): nothing of it is removed by itself. Separate nodes only. */
  kill(node: PresenceNode): Promise<void>;
  /** The longest a dead node's users stay present (docs/scaling.md#presence). Separate nodes only. */
  readonly deathBoundMs: number;
  /** The store loses everything (Redis restarted empty). */
  loseState(): Promise<void>;
  close(): Promise<void>;
}

/** A started node that records the changes it sees. */
export async function presenceNode(manager: PresenceManager): Promise<PresenceNode> {
  const node: PresenceNode = { manager, changes: [] };
  manager.changes$.subscribe((change) => node.changes.push(change));
  await manager.start();
  return node;
}

/** Adds `[user, connection, since]` entries to a node's manager, one after another. */
async function addAll(node: PresenceNode, entries: readonly [string, string, number][]): Promise<void> {
  for (const [userId, connectionId, since] of entries) await node.manager.add(entry(userId, connectionId), since);
}

const entry = (userId: string, connectionId: string, topic = 'rooms.lobby') => ({ topic, userId, connectionId });
const join = (userId: string, since: number, connections = 1, topic = 'rooms.lobby'): PresenceChange => ({ kind: 'join', topic, member: { user_id: userId, connections, since } });
const leave = (userId: string, topic = 'rooms.lobby'): PresenceChange => ({ kind: 'leave', topic, userId });

/**
 * The behaviour every presence manager must have (docs/server.md#presence, docs/scaling.md#presence):
 * run by memory-presence-manager.spec.ts and redis-presence-manager.redis.spec.ts.
 */
export function presenceContract(kind: PresenceKind, makeHarness: () => PresenceHarness): void {
  let harness: PresenceHarness;

  beforeEach(() => {
    harness = makeHarness();
  });

  afterEach(() => harness.close());

  describe('#add', () => {
    it('tells a join on the first connection of a user, present since that one, and another with the count for each new connection', async () => {
      const node = await harness.node();
      await node.manager.add(entry('ada', 'c1'), 1_000);
      await node.manager.add(entry('ada', 'c2'), 2_000);
      await node.manager.add(entry('ada', 'c2'), 3_000);
      await until(() => node.changes.length === 2, 'the joins');
      expect(await node.manager.members('rooms.lobby')).toEqual([{ user_id: 'ada', connections: 2, since: 1_000 }]);
      expect(node.changes).toEqual([join('ada', 1_000), join('ada', 1_000, 2)]);
    });

    it('keeps topics apart and lists members oldest first', async () => {
      const node = await harness.node();
      await node.manager.add(entry('bob', 'c2'), 2_000);
      await node.manager.add(entry('ada', 'c1'), 1_000);
      await node.manager.add(entry('ada', 'c3', 'rooms.kitchen'), 3_000);
      expect(await node.manager.members('rooms.lobby')).toEqual([
        { user_id: 'ada', connections: 1, since: 1_000 },
        { user_id: 'bob', connections: 1, since: 2_000 },
      ]);
      expect(await node.manager.members('rooms.kitchen')).toEqual([{ user_id: 'ada', connections: 1, since: 3_000 }]);
      expect(await node.manager.members('rooms.empty')).toEqual([]);
    });
  });

  describe('#remove', () => {
    it('tells the lower count while the user has connections left, and a leave when the last one goes', async () => {
      const node = await harness.node();
      await node.manager.add(entry('ada', 'c1'), 1_000);
      await node.manager.add(entry('ada', 'c2'), 1_500);
      await node.manager.remove(entry('ada', 'c1'));
      expect(await node.manager.members('rooms.lobby')).toEqual([{ user_id: 'ada', connections: 1, since: 1_000 }]);
      await node.manager.remove(entry('ada', 'c2'));
      await until(() => node.changes.length === 4, 'the leave');
      expect(node.changes).toEqual([join('ada', 1_000), join('ada', 1_000, 2), join('ada', 1_000), leave('ada')]);
      expect(await node.manager.members('rooms.lobby')).toEqual([]);
    });

    it('changes nothing for an entry it does not hold, nor when removing twice, and never rejects', async () => {
      const node = await harness.node();
      await node.manager.add(entry('ada', 'c1'), 1_000);
      await node.manager.remove(entry('ada', 'c9'));
      await node.manager.remove(entry('ada', 'c1', 'rooms.other'));
      await node.manager.remove(entry('ada', 'c1'));
      await node.manager.remove(entry('ada', 'c1'));
      await until(() => node.changes.length === 2, 'the leave');
      await node.manager.add(entry('bob', 'c2'), 2_000);
      await until(() => node.changes.length === 3, 'a later join');
      expect(node.changes).toEqual([join('ada', 1_000), leave('ada'), join('bob', 2_000)]);
    });
  });

  describe('#stop', () => {
    it('removes the node’s entries: its users leave unless present elsewhere; stopping twice is safe', async () => {
      const staying = await harness.node();
      const stopping = kind.separateNodes ? await harness.node() : staying;
      await addAll(stopping, [
        ['ada', 'c1', 1_000],
        ['bob', 'c2', 2_000],
      ]);
      await addAll(staying, [['bob', 'c3', 3_000]]);
      await stopping.manager.stop();
      await stopping.manager.stop();
      if (kind.separateNodes) {
        await until(() => staying.changes.some((change) => change.kind === 'leave'), 'the leave of the stopped node’s user');
        expect(await staying.manager.members('rooms.lobby')).toEqual([{ user_id: 'bob', connections: 1, since: 2_000 }]);
      } else {
        expect(await staying.manager.members('rooms.lobby')).toEqual([]);
      }
      expect(staying.changes.filter((change) => change.kind === 'leave')).toEqual(kind.separateNodes ? [leave('ada')] : [leave('ada'), leave('bob')]);
    });
  });

  describe('two nodes', () => {
    it('count a user on both as one member with every connection; each join and leave reaches both, once', async () => {
      const a = await harness.node();
      const b = await harness.node();
      await addAll(a, [['ada', 'a1', 1_000]]);
      await addAll(b, [
        ['ada', 'b1', 2_000],
        ['bob', 'b2', 3_000],
      ]);
      for (const node of [a, b]) {
        expect(await node.manager.members('rooms.lobby')).toEqual([
          { user_id: 'ada', connections: 2, since: 1_000 },
          { user_id: 'bob', connections: 1, since: 3_000 },
        ]);
      }
      await a.manager.remove(entry('ada', 'a1'));
      await b.manager.remove(entry('ada', 'b1'));
      for (const node of [a, b]) await until(() => node.changes.length === 5, 'every change on both nodes');
      for (const node of [a, b]) expect(node.changes).toEqual([join('ada', 1_000), join('ada', 1_000, 2), join('bob', 3_000), join('ada', 1_000), leave('ada')]);
    });
  });

  if (kind.separateNodes) {
    describe('node death', () => {
      it('makes the dead node’s users leave within the documented bound; users it shared with a live node stay', async () => {
        const live = await harness.node();
        const dying = await harness.node();
        await addAll(dying, [
          ['ada', 'd1', 1_000],
          ['bob', 'd2', 2_000],
        ]);
        await addAll(live, [['bob', 'l1', 3_000]]);
        await harness.kill(dying);
        const killedAt = Date.now();
        await until(() => live.changes.some((change) => change.kind === 'leave'), 'the dead node’s user to leave', 3 * harness.deathBoundMs);
        const tookMs = Date.now() - killedAt;
        console.log(`presence contract: a dead node's user left after ${tookMs} ms (bound ${harness.deathBoundMs} ms)`);
        expect(tookMs).toBeLessThanOrEqual(harness.deathBoundMs + 1_000); // a loaded machine runs the timers late
        expect(live.changes.filter((change) => change.kind === 'leave')).toEqual([leave('ada')]);
        expect(await live.manager.members('rooms.lobby')).toEqual([{ user_id: 'bob', connections: 1, since: 2_000 }]);
      });
    });
  }

  if (kind.losesState) {
    describe('a store that lost its state', () => {
      it('gets every node’s members again, and tells each node it can read them (ready$)', async () => {
        const a = await harness.node();
        const b = await harness.node();
        let ready = 0;
        a.manager.ready$.subscribe(() => ready++);
        await a.manager.add(entry('ada', 'a1'), 1_000);
        await b.manager.add(entry('bob', 'b1'), 2_000);
        await harness.loseState();
        await until(async () => (await a.manager.members('rooms.lobby')).length === 2, 'both members to be written again', 3 * harness.deathBoundMs);
        expect(await b.manager.members('rooms.lobby')).toEqual([
          { user_id: 'ada', connections: 1, since: 1_000 },
          { user_id: 'bob', connections: 1, since: 2_000 },
        ]);
        await until(() => ready > 0, 'a’s ready$');
      });
    });
  }
}
