import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { ErrorFrame, EventFrame, ServerFrame, SubscribedFrame } from '@heartbeat/protocol';
import type { Backplane, ControlReply, ControlRequest, LocalNode } from './backplane.js';
import { TopicHub } from './topic-hub.js';
import type { TopicSubscriber } from './topic-subscriber.js';

/**
 * A connection as the hub sees it, recording every frame it is written (decoded from the text
 * the socket would get, so byte-level mistakes show).
 */
export class FakeSubscriber implements TopicSubscriber {
  readonly frames: ServerFrame[] = [];
  readonly texts: string[] = [];
  topics: readonly string[] = [];
  isClosing = false;

  constructor(
    readonly id: string,
    readonly userId: string | undefined = undefined,
  ) {}

  sendText(text: string | Buffer): boolean {
    if (this.isClosing) return false;
    const decoded = String(text);
    this.texts.push(decoded);
    this.frames.push(JSON.parse(decoded) as ServerFrame);
    return true;
  }

  send(frame: ServerFrame): boolean {
    return this.sendText(JSON.stringify(frame));
  }

  sendError(error: Omit<ErrorFrame, 'type'>): boolean {
    return this.send({ type: 'error', ...error });
  }

  hasTopic(topic: string): boolean {
    return this.topics.includes(topic);
  }

  addTopic(topic: string): boolean {
    if (this.topics.includes(topic)) return false;
    this.topics = [...this.topics, topic];
    return true;
  }

  removeTopic(topic: string): void {
    this.topics = this.topics.filter((name) => name !== topic);
  }

  events(topic?: string): EventFrame[] {
    return this.frames.filter((frame): frame is EventFrame => frame.type === 'event' && (topic === undefined || frame.topic === topic));
  }

  subscribed(topic?: string): SubscribedFrame[] {
    return this.frames.filter((frame): frame is SubscribedFrame => frame.type === 'subscribed' && (topic === undefined || frame.topic === topic));
  }

  seqs(topic?: string): number[] {
    return this.events(topic).map((event) => event.seq);
  }
}

/** A node under test: its backplane, started, and the topic hub above it. */
export interface ContractNode {
  backplane: Backplane;
  hub: TopicHub;
  /** What the node's LocalNode answered to other nodes' requests. */
  answered: ControlRequest[];
}

export interface ReplayBounds {
  maxEvents: number;
  maxAgeMs: number;
}

/** What a backplane is: its nodes are processes of their own (Redis), or hubs sharing one (memory). */
export interface BackplaneKind {
  separateNodes: boolean;
  /** Whether the backplane can lose its state while nodes run (Redis restarted empty); memory dies with its process. */
  losesState: boolean;
}

/** How one backplane is set up for one test of the contract. */
export interface ContractHarness {
  /** A node of this test's cluster (every node of a test shares its topics). */
  node(replay?: Partial<ReplayBounds>): Promise<ContractNode>;
  /** Lets `ms` pass for the replay's age bound. */
  age(ms: number): Promise<void>;
  /** Makes the backplane lose every topic's state (Redis restarted empty). */
  loseState(): Promise<void>;
  close(): Promise<void>;
}

/** The LocalNode a contract node reports and answers with. */
export function contractLocalNode(nodeId: string, answered: ControlRequest[]): LocalNode {
  return {
    totals: () => ({ total_pings_sent: 0, total_pongs_received: 0, total_client_pings: 0, timeout_disconnections: 0, active_connections: 1, last_cleanup_time: null }),
    answer: (request): ControlReply => {
      answered.push(request);
      if (request.kind === 'stats') {
        return { kind: 'stats', stats: { heartbeat_stats: { total_pings_sent: 0, total_pongs_received: 0, total_client_pings: 0, timeout_disconnections: 0, active_connections: 1, last_cleanup_time: null }, connection_details: [] }, at: 1 };
      }
      if (request.kind === 'disconnect') return { kind: 'disconnect', closed: request.id === `${nodeId}-connection` };
      return { kind: 'applied', applied: request.kind === 'join-user' ? request.userId === `${nodeId}-user` : request.id === `${nodeId}-connection` };
    },
  };
}

/** A hub over `backplane` that logs nowhere, with the server's replay bound. */
export function contractHub(backplane: Backplane, maxEvents: number): TopicHub {
  const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
  return new TopicHub(backplane, {
    replay: { maxEvents },
    logger: quiet,
    messages: {
      handlerFailed: (type) => `failed: ${type}`,
      logSubscribeFailed: (topic) => `subscribe failed: ${topic}`,
      logCatchUpFailed: (topic) => `catch-up failed: ${topic}`,
      logEventsLost: (topic) => `lost: ${topic}`,
    },
  });
}

/**
 * Checks `condition` after each turn of the event loop (no sleep: a memory backplane settles within
 * a few turns, Redis answers as soon as its I/O is read); fails after `timeoutMs` with what it waited for.
 */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * The behaviour every backplane, with the topic hub above it, must have
 * (docs/protocol.md#7-topics-subscribe-unsubscribe-subscribed-event, docs/scaling.md): run by
 * memory-backplane.spec.ts and redis-backplane.redis.spec.ts.
 */
export function backplaneContract(kind: BackplaneKind, makeHarness: () => ContractHarness): void {
  let harness: ContractHarness;
  let subscriberCount = 0;

  beforeEach(() => {
    harness = makeHarness();
  });

  afterEach(() => harness.close());

  const subscriber = () => new FakeSubscriber(`s-${++subscriberCount}`);

  /** Subscribes and waits for the answer. */
  async function subscribed(node: ContractNode, topic: string, since?: number, who = subscriber()): Promise<FakeSubscriber> {
    const before = who.subscribed(topic).length;
    node.hub.subscribe(who, topic, since);
    await until(() => who.subscribed(topic).length > before, `the answer to subscribe ${topic}`);
    return who;
  }

  describe('#subscribe', () => {
    it('answers with the epoch and head, replaying nothing without since', async () => {
      const node = await harness.node();
      const first = await node.hub.publish('alerts', { n: 1 });
      await node.hub.publish('alerts', { n: 2 });
      const client = await subscribed(node, 'alerts');
      expect(client.frames).toEqual([{ type: 'subscribed', topic: 'alerts', epoch: first.epoch, seq: 2, recovered: true, replayed: 0 }]);
      expect(client.topics).toEqual(['alerts']);
    });

    it('starts a subscribe on a topic the node delivers where it stood when the subscribe arrived: an event published next reaches it', async () => {
      const node = await harness.node();
      await node.hub.publish('alerts', { n: 1 });
      await subscribed(node, 'alerts'); // the node now delivers the topic live
      const late = subscriber();
      // A client's `subscribe`, then its `message` whose handler publishes, before the head was read.
      node.hub.subscribe(late, 'alerts', undefined);
      const published = node.hub.publish('alerts', { n: 2 });
      await published;
      await until(() => late.seqs().length === 1, 'the event published after the subscribe');
      expect(late.subscribed()[0]).toMatchObject({ seq: 1, recovered: true, replayed: 0 });
      expect(late.seqs()).toEqual([2]);
    });

    it('replays the events after since, in order, before live ones, with recovered true', async () => {
      const node = await harness.node();
      for (const n of range(1, 5)) await node.hub.publish('alerts', { n });
      const client = await subscribed(node, 'alerts', 2);
      await node.hub.publish('alerts', { n: 6 });
      await until(() => client.events().length === 4, 'the live event');
      expect(client.frames[0]).toMatchObject({ type: 'subscribed', seq: 5, recovered: true, replayed: 3 });
      expect(client.events().map((event) => [event.seq, (event.data as { n: number }).n])).toEqual([
        [3, 3],
        [4, 4],
        [5, 5],
        [6, 6],
      ]);
    });

    it('replays nothing, recovered, when since is the head', async () => {
      const node = await harness.node();
      await node.hub.publish('alerts', { n: 1 });
      const client = await subscribed(node, 'alerts', 1);
      expect(client.frames).toEqual([expect.objectContaining({ type: 'subscribed', seq: 1, recovered: true, replayed: 0 })]);
    });

    it('says recovered false and replays what is left when the events after since were evicted by count (replay.maxEvents)', async () => {
      const node = await harness.node({ maxEvents: 2 });
      for (const n of range(1, 5)) await node.hub.publish('alerts', { n });
      const client = await subscribed(node, 'alerts', 1);
      expect(client.subscribed()[0]).toMatchObject({ seq: 5, recovered: false, replayed: 2 });
      expect(client.seqs()).toEqual([4, 5]);
    });

    it('says recovered false when the events after since are older than replay.maxAgeMs', async () => {
      const node = await harness.node({ maxAgeMs: 40 });
      await node.hub.publish('alerts', { n: 1 });
      await node.hub.publish('alerts', { n: 2 });
      await harness.age(100);
      const client = await subscribed(node, 'alerts', 0);
      expect(client.frames).toEqual([expect.objectContaining({ type: 'subscribed', seq: 2, recovered: false, replayed: 0 })]);
    });

    it('says recovered false, replaying nothing, for a since above the head (a position from another epoch)', async () => {
      const node = await harness.node();
      await node.hub.publish('alerts', { n: 1 });
      const client = await subscribed(node, 'alerts', 40);
      expect(client.frames).toEqual([expect.objectContaining({ type: 'subscribed', seq: 1, recovered: false, replayed: 0 })]);
    });

    it('answers a subscribe repeated while the first is still joining, after the first answer, and delivers each event once', async () => {
      const node = await harness.node();
      for (const n of range(1, 3)) await node.hub.publish('alerts', { n });
      const client = subscriber();
      node.hub.subscribe(client, 'alerts', 0);
      node.hub.subscribe(client, 'alerts', 0);
      await until(() => client.subscribed().length === 2, 'two answers');
      await node.hub.publish('alerts', { n: 4 });
      await until(() => client.events().length === 4, 'the live event');
      expect(client.frames.map((frame) => frame.type)).toEqual(['subscribed', 'event', 'event', 'event', 'subscribed', 'event']);
      expect(client.subscribed()).toEqual([
        expect.objectContaining({ seq: 3, recovered: true, replayed: 3 }),
        expect.objectContaining({ seq: 3, recovered: true, replayed: 0 }),
      ]);
      expect(client.seqs()).toEqual([1, 2, 3, 4]);
    });

    it.each([
      ['below the head', 3],
      ['equal to the head', 10],
    ])('neither loses nor repeats an event when since is %s while events are being published', async (_case, since) => {
      const node = await harness.node();
      for (const n of range(1, 10)) await node.hub.publish('alerts', { n });
      const client = subscriber();
      const published: Promise<unknown>[] = [];
      for (const n of range(11, 40)) {
        published.push(node.hub.publish('alerts', { n }));
        if (n === 15) node.hub.subscribe(client, 'alerts', since);
      }
      await Promise.all(published);
      await until(() => client.seqs().at(-1) === 40, 'the last event');
      expect(client.frames[0].type).toBe('subscribed');
      expect(client.seqs()).toEqual(range(since + 1, 40));
    });

    it('answers a subscribe repeated once subscribed, replaying nothing and changing nothing', async () => {
      const node = await harness.node();
      await node.hub.publish('alerts', { n: 1 });
      const client = await subscribed(node, 'alerts', 0);
      await subscribed(node, 'alerts', 0, client);
      expect(client.subscribed()[1]).toMatchObject({ seq: 1, recovered: true, replayed: 0 });
      expect((await node.hub.publish('alerts', { n: 2 })).delivered).toBe(1);
      expect(client.seqs()).toEqual([1, 2]);
    });
  });

  describe('#publish', () => {
    it('resolves with topic, seq, epoch and the subscribers of this node it was written to, with seqs per topic', async () => {
      const node = await harness.node();
      const clients = [await subscribed(node, 'alerts'), await subscribed(node, 'alerts')];
      const results = [
        await node.hub.publish('alerts', { n: 1 }),
        await node.hub.publish('news', { n: 1 }),
        await node.hub.publish('alerts', { n: 2 }),
      ];
      const epoch = clients[0].subscribed()[0].epoch;
      expect(results).toEqual([
        { topic: 'alerts', seq: 1, epoch, delivered: 2 },
        { topic: 'news', seq: 1, epoch: expect.any(String), delivered: 0 },
        { topic: 'alerts', seq: 2, epoch, delivered: 2 },
      ]);
      for (const client of clients) expect(client.seqs()).toEqual([1, 2]);
    });

    it('keeps the order of publishes made without await, for every subscriber', async () => {
      const node = await harness.node();
      const client = await subscribed(node, 'alerts');
      const results = await Promise.all(range(1, 30).map((n) => node.hub.publish('alerts', { n })));
      expect(results.map((result) => result.seq)).toEqual(range(1, 30));
      expect(client.events().map((event) => (event.data as { n: number }).n)).toEqual(range(1, 30));
      expect(client.seqs()).toEqual(range(1, 30));
    });

    it('writes the event frame JSON.stringify would write, byte for byte', async () => {
      const node = await harness.node();
      const topic = 'alerts "eu" \\ ünïcode';
      const client = await subscribed(node, topic);
      const data = { id: 'a-1', risk_score: 0.93, tags: ['x', null] };
      const { seq, epoch } = await node.hub.publish(topic, data);
      const timestamp = client.events()[0].timestamp;
      expect(client.texts[1]).toBe(JSON.stringify({ type: 'event', topic, seq, epoch, data, timestamp }));
      await node.hub.publish(topic, undefined);
      expect(client.events()[1].data).toBeNull();
    });

    it('serializes the data once per publish, whatever the number of subscribers', async () => {
      const node = await harness.node();
      for (let i = 0; i < 5; i++) await subscribed(node, 'alerts');
      const data = { id: 'once' };
      const stringify = jest.spyOn(JSON, 'stringify');
      const published = node.hub.publish('alerts', data);
      const calls = stringify.mock.calls.filter(([value]) => value === data).length;
      stringify.mockRestore();
      expect(calls).toBe(1);
      expect((await published).delivered).toBe(5);
    });

    it('rejects data JSON cannot encode, using no seq', async () => {
      const node = await harness.node();
      const client = await subscribed(node, 'alerts');
      await expect(node.hub.publish('alerts', { amount: 10n })).rejects.toThrow(TypeError);
      expect(await node.hub.publish('alerts', { amount: '10' })).toMatchObject({ seq: 1, delivered: 1 });
      const resumed = await subscribed(node, 'alerts', 0);
      expect(resumed.subscribed()[0]).toMatchObject({ seq: 1, recovered: true, replayed: 1 });
      expect(client.seqs()).toEqual([1]);
    });
  });

  describe('#unsubscribe and #release', () => {
    it('stops delivery to that subscriber only, and a later subscribe starts again', async () => {
      const node = await harness.node();
      const leaving = await subscribed(node, 'alerts');
      const staying = await subscribed(node, 'alerts');
      node.hub.unsubscribe(leaving, 'alerts');
      expect(leaving.topics).toEqual([]);
      expect((await node.hub.publish('alerts', { n: 1 })).delivered).toBe(1);
      expect(leaving.seqs()).toEqual([]);
      expect(staying.seqs()).toEqual([1]);
      await subscribed(node, 'alerts', undefined, leaving);
      expect(leaving.subscribed()[1]).toMatchObject({ seq: 1, recovered: true, replayed: 0 });
      expect((await node.hub.publish('alerts', { n: 2 })).delivered).toBe(2);
    });

    it('removes a closed subscriber from all its topics, also while it is still joining', async () => {
      const node = await harness.node();
      const leaving = await subscribed(node, 'alerts');
      await subscribed(node, 'news', undefined, leaving);
      const joining = subscriber();
      node.hub.subscribe(joining, 'alerts', undefined);
      node.hub.release(leaving);
      node.hub.release(joining);
      expect((await node.hub.publish('alerts', { n: 1 })).delivered).toBe(0);
      expect((await node.hub.publish('news', { n: 1 })).delivered).toBe(0);
      expect(leaving.events()).toEqual([]);
      expect(joining.frames).toEqual([]);
    });
  });

  describe('nodes', () => {
    it('delivers every node’s events to the subscribers of every node, in one order, without gaps', async () => {
      const a = await harness.node();
      const b = await harness.node();
      const onA = await subscribed(a, 'alerts');
      const onB = await subscribed(b, 'alerts');
      const results = await Promise.all(range(1, 40).map((n) => (n % 2 ? a : b).hub.publish('alerts', { n })));
      expect(results.map((result) => result.seq).sort((x, y) => x - y)).toEqual(range(1, 40));
      await until(() => onA.events().length === 40 && onB.events().length === 40, '40 events on both nodes');
      expect(onA.seqs()).toEqual(range(1, 40));
      expect(onB.texts).toEqual(onA.texts);
      expect(new Set(results.map((result) => result.epoch))).toEqual(new Set([onA.subscribed()[0].epoch]));
    });

    it('asks the other nodes and lists every node', async () => {
      const a = await harness.node();
      const b = await harness.node();
      const expected = kind.separateNodes ? [a.backplane.nodeId, b.backplane.nodeId].sort() : [a.backplane.nodeId];
      await until(async () => (await a.backplane.nodes()).length === expected.length, 'every node listed');
      expect((await a.backplane.nodes()).map((report) => report.node_id).sort()).toEqual(expected);

      const stats = await a.backplane.request({ kind: 'stats' });
      const kick = await a.backplane.request({ kind: 'disconnect', id: `${b.backplane.nodeId}-connection`, code: 4003, reason: 'kicked' }, (reply) =>
        reply.kind === 'disconnect' && reply.closed,
      );
      if (kind.separateNodes) {
        expect(stats.peers.map((report) => report.node_id)).toEqual([b.backplane.nodeId]);
        expect(stats.replies.get(b.backplane.nodeId)).toMatchObject({ kind: 'stats', stats: { heartbeat_stats: { active_connections: 1 } } });
        expect(kick.replies.get(b.backplane.nodeId)).toEqual({ kind: 'disconnect', closed: true });
        expect(b.answered.map((request) => request.kind)).toEqual(['stats', 'disconnect']);
      } else {
        expect(stats).toEqual({ peers: [], replies: new Map() });
        expect(kick).toEqual({ peers: [], replies: new Map() });
      }
      expect(a.answered).toEqual([]);
      expect(a.backplane.status().nodeId).toBe(a.backplane.nodeId);
    });

    it('carries the targeted delivery requests (send, join, leave, join-user) to the other nodes and their answers back', async () => {
      const a = await harness.node();
      const b = await harness.node();
      await until(async () => (await a.backplane.nodes()).length === (kind.separateNodes ? 2 : 1), 'every node listed');
      const connection = `${b.backplane.nodeId}-connection`;
      const requests: ControlRequest[] = [
        { kind: 'send', id: connection, topic: 'orders', data: { total: 12.5, items: ['a', 'é'], nested: { none: null } }, timestamp: '2026-01-01T00:00:00.000Z' },
        { kind: 'join', id: connection, topic: 'orders' },
        { kind: 'leave', id: 'nobody', topic: 'orders' },
        { kind: 'join-user', userId: `${b.backplane.nodeId}-user`, topic: 'inbox#alice', since: 7 },
      ];
      const answers = [];
      for (const request of requests) answers.push(await a.backplane.request(request));
      if (kind.separateNodes) {
        expect(answers.map((answer) => answer.replies.get(b.backplane.nodeId))).toEqual([
          { kind: 'applied', applied: true },
          { kind: 'applied', applied: true },
          { kind: 'applied', applied: false },
          { kind: 'applied', applied: true },
        ]);
        expect(b.answered).toEqual(requests);
      } else {
        for (const answer of answers) expect(answer).toEqual({ peers: [], replies: new Map() });
      }
      expect(a.answered).toEqual([]);
    });
  });

  // A memory backplane lives and dies with its process: its loss is a restart, told by the new epoch on reconnect.
  if (!kind.losesState) return;

  describe('a backplane that lost its state', () => {
    it('tells every subscriber in-band, joining ones too, then the new epoch’s events, contiguous, once', async () => {
      const a = await harness.node();
      const b = await harness.node();
      const onA = await subscribed(a, 'alerts');
      const onB = await subscribed(b, 'alerts');
      for (const n of range(1, 3)) await a.hub.publish('alerts', { n });
      await until(() => onB.events().length === 3, 'the first events on node B');
      const oldEpoch = onA.subscribed()[0].epoch;

      await harness.loseState();
      const joining = subscriber();
      b.hub.subscribe(joining, 'alerts', 3);
      const next = await a.hub.publish('alerts', { n: 4 });
      expect(next).toMatchObject({ seq: 1 });
      expect(next.epoch).not.toBe(oldEpoch);
      await b.hub.publish('alerts', { n: 5 });
      for (const client of [onA, onB, joining]) {
        await until(() => client.events().some((event) => event.epoch === next.epoch && event.seq === 2), `both new events on ${client.id}`);
        const after = client.frames.slice(client.frames.findLastIndex((frame) => frame.type === 'subscribed'));
        expect(after[0]).toMatchObject({ type: 'subscribed', topic: 'alerts', epoch: next.epoch, recovered: false, replayed: 0 });
        const from = (after[0] as SubscribedFrame).seq;
        expect(after.slice(1).map((frame) => (frame as EventFrame).seq)).toEqual(range(from + 1, 2));
        expect(client.events().filter((event) => event.epoch === next.epoch).map((event) => event.seq)).toEqual(range(from + 1, 2));
      }
      expect(onA.seqs('alerts').slice(0, 3)).toEqual([1, 2, 3]);
    });
  });
}
