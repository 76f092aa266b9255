import { describe, expect, it } from '@jest/globals';
import { Subject } from 'rxjs';
import { Backplane, type BackplaneEvent, type ClusterStatus, type ControlAnswers, type EventPosition, isComplete, type NodeReport, type TopicHistory } from './backplane.js';
import { contractHub, FakeSubscriber } from './backplane.contract.js';
import type { TopicHub } from './topic-hub.js';

const frame = (seq: number, epoch: string) =>
  JSON.stringify({ type: 'event', topic: 'alerts', seq, epoch, data: { seq }, timestamp: '2026-12-04T18:00:00.000Z' });

/**
 * A backplane whose live events, link state and "back up" signal are pushed by the test. Its
 * history holds seqs 1..head of `epoch`, trimmed to the replay buffer; each read of `isUp` is
 * counted, so that a loop that asks again and again without yielding shows (and ends, with an
 * error, after 1,000 reads).
 */
class FakeBackplane extends Backplane {
  readonly nodeId = 'fake';
  readonly events = new Subject<BackplaneEvent>();
  readonly ready = new Subject<void>();
  readonly events$ = this.events.asObservable();
  readonly ready$ = this.ready.asObservable();
  up = true;
  upReads = 0;
  epoch = 'e1';
  head = 5;
  reads = 0;
  /** While set, a read of the history waits for it: a read in flight. */
  readGate: Promise<void> | undefined;
  /** While set, a read fails with it. */
  readError: Error | undefined;

  constructor(private readonly maxEvents: number) {
    super();
  }

  get isUp(): boolean {
    if (++this.upReads > 1_000) throw new Error('the hub asked the backplane 1,000 times without yielding');
    return this.up;
  }

  /** Nothing to link, stop or subscribe to: the test pushes the events. */
  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return this.start();
  }

  watch(): Promise<void> {
    return this.start();
  }

  /** Appends without sending live: the test decides when (and whether) the event arrives, as Pub/Sub does. */
  async append(): Promise<EventPosition> {
    this.head++;
    return { seq: this.head, epoch: this.epoch };
  }

  async readSince(topic: string, since: number | undefined): Promise<TopicHistory> {
    this.reads++;
    await this.readGate;
    if (this.readError) throw this.readError;
    // As the Redis backplane does while its link is down: an answer from what this node saw last, which has no history.
    if (!this.up) return { epoch: this.epoch, seq: this.head, events: [], complete: isComplete(since, this.head, []) };
    const events: BackplaneEvent[] = [];
    if (since !== undefined) {
      for (let seq = Math.max(since, this.head - this.maxEvents) + 1; seq <= this.head; seq++) events.push(this.event(seq));
    }
    return { epoch: this.epoch, seq: this.head, events, complete: isComplete(since, this.head, events) };
  }

  async request(): Promise<ControlAnswers> {
    return { peers: [], replies: new Map() };
  }

  async nodes(): Promise<NodeReport[]> {
    return [];
  }

  status(): ClusterStatus {
    return { mode: 'memory', nodeId: this.nodeId };
  }

  event(seq: number, epoch = this.epoch): BackplaneEvent {
    return { topic: 'alerts', seq, epoch, text: frame(seq, epoch) };
  }

  live(seq: number, epoch = this.epoch): void {
    this.events.next(this.event(seq, epoch));
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A hub on a fake backplane (seqs 1-5) whose reads of the history wait for `release()`, and a subscriber. */
function hubWithHeldRead(): { hub: TopicHub; client: FakeSubscriber; release(): void } {
  const backplane = new FakeBackplane(100);
  let open = () => undefined as void;
  backplane.readGate = new Promise<void>((resolve) => (open = resolve));
  const release = () => {
    backplane.readGate = undefined;
    open();
  };
  return { hub: contractHub(backplane, 100), client: new FakeSubscriber('c-1'), release };
}

/** A hub on a fake backplane, with one subscriber at seq 5 of its history. */
async function subscribedHub(maxEvents = 100): Promise<{ hub: TopicHub; backplane: FakeBackplane; client: FakeSubscriber }> {
  const backplane = new FakeBackplane(maxEvents);
  const hub = contractHub(backplane, maxEvents);
  const client = new FakeSubscriber('c-1');
  hub.subscribe(client, 'alerts', undefined);
  await settle();
  expect(client.frames).toEqual([{ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 5, recovered: true, replayed: 0 }]);
  return { hub, backplane, client };
}

describe('TopicHub', () => {
  describe('a gap while the link is down', () => {
    it('holds the events behind it until the link is back, then reads the gap and delivers everything once, in order', async () => {
      const { hub, backplane, client } = await subscribedHub();
      // One of the link's connections is down: live events 7 and 8 still come, but 6 was missed and
      // cannot be read now. The hub must not try to read it until the link is back, and must yield
      // meanwhile: the link's state is asked a few times only.
      backplane.up = false;
      backplane.head = 8;
      backplane.live(7);
      backplane.live(8);
      await settle();
      expect(backplane.upReads).toBeLessThan(20);
      expect(backplane.reads).toBe(1);
      expect(client.seqs()).toEqual([]);

      backplane.up = true;
      backplane.ready.next();
      await settle();
      expect(client.seqs()).toEqual([6, 7, 8]);

      backplane.head = 9;
      backplane.live(9);
      await settle();
      expect(client.seqs()).toEqual([6, 7, 8, 9]);
      hub.close();
    });

    it('holds no more than twice the replay buffer, and tells the subscriber in-band when the gap outlasted it (docs/protocol.md#losses-told-in-band)', async () => {
      const { hub, backplane, client } = await subscribedHub(10);
      backplane.up = false;
      backplane.head = 60;
      for (let seq = 7; seq <= 60; seq++) backplane.live(seq);
      await settle();
      const held = (hub as unknown as { topics: Map<string, { held?: unknown[] }> }).topics.get('alerts')?.held;
      expect(held?.length).toBeLessThanOrEqual(20);

      backplane.up = true;
      backplane.ready.next();
      await settle();
      // 6–50 are gone; the history still holds 51–60, and they are delivered after the loss is told.
      expect(client.frames[1]).toEqual({ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 50, recovered: false, replayed: 0 });
      expect(client.seqs()).toEqual(Array.from({ length: 10 }, (_, i) => 51 + i));
      backplane.head = 61;
      backplane.live(61);
      expect(client.seqs().at(-1)).toBe(61);
      expect(client.frames).toHaveLength(1 + 1 + 11);
      hub.close();
    });

    it('reads a gap once when the link comes back while a read of it is under way', async () => {
      const { hub, backplane, client } = await subscribedHub();
      let release = () => undefined as void;
      backplane.readGate = new Promise<void>((resolve) => (release = resolve));
      const readsBefore = backplane.reads;
      backplane.head = 8;
      backplane.live(7);
      await settle();
      backplane.ready.next();
      backplane.live(8);
      await settle();
      expect(backplane.reads - readsBefore).toBe(1);

      backplane.readGate = undefined;
      release();
      await settle();
      expect(client.seqs()).toEqual([6, 7, 8]);
      hub.close();
    });

    it('holds the events again when the link came back and went down during a read: no loss told for what the backplane still holds', async () => {
      const { hub, backplane, client } = await subscribedHub();
      let release = () => undefined as void;
      backplane.readGate = new Promise<void>((resolve) => (release = resolve));
      backplane.head = 8;
      backplane.live(7);
      await settle();
      backplane.ready.next();
      // Down again before the read answers: the answer is made from what the node saw last, without 6.
      backplane.up = false;
      backplane.readGate = undefined;
      release();
      backplane.live(8);
      await settle();
      expect(client.frames).toHaveLength(1);
      backplane.up = true;
      backplane.ready.next();
      await settle();
      expect(client.seqs()).toEqual([6, 7, 8]);
      expect(client.frames).toHaveLength(4);
      hub.close();
    });

    it('holds the events again, without a loop, when the read fails while the link goes down, and reads once it is back', async () => {
      const { hub, backplane, client } = await subscribedHub();
      backplane.readError = new Error('connection lost');
      backplane.head = 8;
      backplane.up = true;
      backplane.live(8);
      backplane.up = false;
      await settle();
      expect(backplane.upReads).toBeLessThan(20);
      expect(client.seqs()).toEqual([]);

      backplane.readError = undefined;
      backplane.up = true;
      backplane.ready.next();
      await settle();
      expect(client.seqs()).toEqual([6, 7, 8]);
      hub.close();
    });

    it('tells the gap in-band when the read fails while the link is up: nothing silent, no loop', async () => {
      const { hub, backplane, client } = await subscribedHub();
      backplane.readError = new Error('script failed');
      backplane.head = 8;
      backplane.live(8);
      await settle();
      expect(backplane.reads).toBe(2);
      expect(client.frames.slice(1)).toEqual([{ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 7, recovered: false, replayed: 0 }, expect.objectContaining({ type: 'event', seq: 8 })]);
      hub.close();
    });
  });

  describe('a new epoch', () => {
    it('tells subscribers and joiners in-band, then delivers the new epoch’s events from its start, contiguous, once', async () => {
      const { hub, backplane, client } = await subscribedHub();
      let release = () => undefined as void;
      backplane.readGate = new Promise<void>((resolve) => (release = resolve));
      const joiner = new FakeSubscriber('c-2');
      hub.subscribe(joiner, 'alerts', 5);
      await settle();

      backplane.epoch = 'e2';
      backplane.head = 2;
      backplane.live(2, 'e2');
      backplane.head = 3;
      backplane.live(3, 'e2');
      // Told at once: the topic continues from the new epoch's start, which is read (the read waits behind the gate).
      expect(client.frames.slice(1)).toEqual([{ type: 'subscribed', topic: 'alerts', epoch: 'e2', seq: 0, recovered: false, replayed: 0 }]);

      backplane.readGate = undefined;
      release();
      await settle();
      expect(client.seqs()).toEqual([1, 2, 3]);
      // Its read saw e2 at 3 (since 5 is above that head): not recovered, nothing replayed, then live events.
      expect(joiner.frames).toEqual([{ type: 'subscribed', topic: 'alerts', epoch: 'e2', seq: 3, recovered: false, replayed: 0 }]);
      backplane.head = 4;
      backplane.live(4, 'e2');
      expect(joiner.seqs()).toEqual([4]);
      expect(client.seqs()).toEqual([1, 2, 3, 4]);
      hub.close();
    });
  });

  describe('a new epoch read while the epoch changes again', () => {
    it('tells each epoch in-band and delivers the newest from its start, without a silent gap', async () => {
      const { hub, backplane, client } = await subscribedHub();
      let release = () => undefined as void;
      backplane.readGate = new Promise<void>((resolve) => (release = resolve));
      backplane.epoch = 'e2';
      backplane.head = 3;
      backplane.live(3, 'e2');
      // The read of e2 from its start is under way when the topic moves on to e3.
      backplane.epoch = 'e3';
      backplane.head = 2;
      backplane.readGate = undefined;
      release();
      await settle();
      await settle();
      expect(client.frames.slice(1).map((sent) => [sent.type, (sent as { epoch: string }).epoch, (sent as { seq: number }).seq])).toEqual([
        ['subscribed', 'e2', 0],
        ['subscribed', 'e3', 0],
        ['event', 'e3', 1],
        ['event', 'e3', 2],
      ]);
      hub.close();
    });
  });

  describe('#subscribe', () => {
    it('answers a subscribe repeated while the read is under way, after the first answer', async () => {
      const { hub, client, release } = hubWithHeldRead();
      hub.subscribe(client, 'alerts', 3);
      hub.subscribe(client, 'alerts', 3);
      await settle();
      expect(client.frames).toEqual([]);
      release();
      await settle();
      expect(client.frames.map((sent) => sent.type)).toEqual(['subscribed', 'event', 'event', 'subscribed']);
      expect(client.subscribed()[1]).toEqual({ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 5, recovered: true, replayed: 0 });
      hub.close();
    });

    it('does not add a subscriber that is closing (the registry already removed it, or is about to)', async () => {
      const { hub } = await subscribedHub();
      const closing = new FakeSubscriber('c-2');
      closing.isClosing = true;
      hub.subscribe(closing, 'alerts', 0);
      await settle();
      expect(closing.topics).toEqual([]);
      expect((hub as unknown as { topics: Map<string, { subscribers: Set<unknown>; joining: Map<unknown, unknown> }> }).topics.get('alerts')).toMatchObject({
        subscribers: new Set([expect.objectContaining({ id: 'c-1' })]),
        joining: new Map(),
      });
      hub.close();
    });

    it('answers a failed read with an error frame, leaving the topic', async () => {
      const backplane = new FakeBackplane(100);
      const hub = contractHub(backplane, 100);
      backplane.readError = new Error('Redis refused');
      const client = new FakeSubscriber('c-1');
      hub.subscribe(client, 'alerts', undefined);
      await settle();
      expect(client.frames).toEqual([{ type: 'error', code: 'internal_error', message: 'failed: subscribe', ref: 'subscribe' }]);
      expect(client.topics).toEqual([]);
      hub.close();
    });

    it('answers an error when the topic cannot be watched (Redis refused SUBSCRIBE), and the next subscriber tries again', async () => {
      const backplane = new FakeBackplane(100);
      const hub = contractHub(backplane, 100);
      let refuse = true;
      backplane.watch = () => (refuse ? Promise.reject(new Error('Redis refused')) : Promise.resolve());
      const first = new FakeSubscriber('c-1');
      hub.subscribe(first, 'alerts', undefined);
      await settle();
      expect(first.frames).toEqual([{ type: 'error', code: 'internal_error', message: 'failed: subscribe', ref: 'subscribe' }]);
      expect(first.topics).toEqual([]);

      refuse = false;
      const second = new FakeSubscriber('c-2');
      hub.subscribe(second, 'alerts', undefined);
      await settle();
      expect(second.frames).toEqual([{ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 5, recovered: true, replayed: 0 }]);
      hub.close();
    });
  });

  describe('#join', () => {
    it('answers a server-side join with `joined`, its replay after it, and a repeat on a subscribed topic too; a subscribe’s answer without it', async () => {
      const { hub, client } = await subscribedHub();
      const joined = new FakeSubscriber('c-2');
      hub.join(joined, 'alerts', 3);
      hub.join(client, 'alerts', undefined);
      await settle();
      expect(joined.frames.map((sent) => sent.type)).toEqual(['subscribed', 'event', 'event']);
      expect(joined.subscribed()).toEqual([{ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 5, recovered: true, replayed: 2, joined: true }]);
      expect(client.subscribed()).toEqual([
        { type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 5, recovered: true, replayed: 0 },
        { type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 5, recovered: true, replayed: 0, joined: true },
      ]);
      // From the head of a topic the node already delivers: it starts at the node's position.
      const fromHead = new FakeSubscriber('c-3');
      hub.join(fromHead, 'alerts', undefined);
      await settle();
      expect(fromHead.subscribed()).toEqual([{ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 5, recovered: true, replayed: 0, joined: true }]);
      hub.close();
    });

    it('marks only the join among the answers that wait for the same read: the subscribe’s first, then the join’s', async () => {
      const { hub, client, release } = hubWithHeldRead();
      hub.subscribe(client, 'alerts', 3);
      hub.join(client, 'alerts', undefined);
      hub.subscribe(client, 'alerts', 3);
      release();
      await settle();
      expect(client.frames.map((sent) => sent.type)).toEqual(['subscribed', 'event', 'event', 'subscribed', 'subscribed']);
      expect(client.subscribed().map((frame) => frame.joined)).toEqual([undefined, true, undefined]);
      hub.close();
    });
  });

  describe('#publish', () => {
    it('resolves once the event reached this node’s subscribers, with their count, when it arrives after the append', async () => {
      const { hub, backplane, client } = await subscribedHub();
      let result: unknown;
      const published = hub.publish('alerts', { n: 6 }).then((value) => (result = value));
      await settle();
      expect(result).toBeUndefined();
      backplane.live(6);
      await published;
      expect(result).toEqual({ topic: 'alerts', seq: 6, epoch: 'e1', delivered: 1 });
      expect(client.seqs()).toEqual([6]);
    });

    it('resolves with 0 delivered when the first subscriber’s read already holds the event (it will not come live)', async () => {
      const backplane = new FakeBackplane(100);
      const hub = contractHub(backplane, 100);
      let release = () => undefined as void;
      backplane.readGate = new Promise<void>((resolve) => (release = resolve));
      hub.subscribe(new FakeSubscriber('c-1'), 'alerts', undefined);
      await settle();
      let result: unknown;
      const published = hub.publish('alerts', { n: 6 }).then((value) => (result = value));
      await settle();
      backplane.readGate = undefined;
      release();
      await published;
      expect(result).toEqual({ topic: 'alerts', seq: 6, epoch: 'e1', delivered: 0 });
      hub.close();
    });

    it('resolves with the count of a publish in a new epoch this node had not seen yet, once its event arrives', async () => {
      const { hub, backplane, client } = await subscribedHub();
      backplane.epoch = 'e2';
      backplane.head = 0;
      let result: unknown;
      const published = hub.publish('alerts', { n: 1 }).then((value) => (result = value));
      await settle();
      expect(result).toBeUndefined();
      backplane.live(1, 'e2');
      await published;
      expect(result).toEqual({ topic: 'alerts', seq: 1, epoch: 'e2', delivered: 1 });
      expect(client.frames.slice(1, 2)).toEqual([{ type: 'subscribed', topic: 'alerts', epoch: 'e2', seq: 0, recovered: false, replayed: 0 }]);
      hub.close();
    });

    it('resolves with 0 delivered when the event will not come live (the hub closed)', async () => {
      const { hub } = await subscribedHub();
      const published = hub.publish('alerts', { n: 6 });
      await settle();
      hub.close();
      hub.close();
      expect(await published).toEqual({ topic: 'alerts', seq: 6, epoch: 'e1', delivered: 0 });
    });
  });
});
