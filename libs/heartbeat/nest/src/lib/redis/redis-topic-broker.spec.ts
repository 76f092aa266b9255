import { describe, expect, it } from '@jest/globals';
import { CloseCode } from '@heartbeat/protocol';
import { Subject } from 'rxjs';
import { FakeClock } from '../../testing/fake-clock.js';
import { FakePeer } from '../../testing/fake-peer.js';
import { RecordingLogger } from '../../testing/recording-logger.js';
import { Clock } from '../clock.js';
import { ConnectionRegistry } from '../core/connection-registry.js';
import { HeartbeatCounters } from '../core/heartbeat-counters.js';
import { LifecycleEvents } from '../core/lifecycle-events.js';
import { resolveHeartbeatOptions } from '../heartbeat-options.validator.js';
import { RedisKeys } from './redis-keys.js';
import type { RedisLink } from './redis-link.js';
import { RedisTopicBroker } from './redis-topic-broker.js';

const EPOCH = 'e1';
const frame = (seq: number) => JSON.stringify({ type: 'event', topic: 'alerts', seq, epoch: EPOCH, data: { seq }, timestamp: '2026-12-04T18:00:00.000Z' });

/**
 * A RedisLink without Redis: its Pub/Sub messages and its "back up" signal are pushed by the test,
 * its stream holds seqs 1..head, and each read of `state` is counted, so that a loop that asks the
 * link again and again without yielding shows (and ends, with an error, after 1,000 reads).
 */
class FakeLink {
  readonly keys = new RedisKeys('test:');
  readonly options = { nodeId: 'n1', maxPendingPublishes: 10 };
  readonly messages = new Subject<{ channel: string; message: string }>();
  readonly ready = new Subject<void>();
  readonly messages$ = this.messages.asObservable();
  readonly ready$ = this.ready.asObservable();
  up = true;
  stateReads = 0;
  head = 5;
  reads = 0;
  /** While set, a read of the stream waits for it: a read in flight. */
  readGate: Promise<void> | undefined;
  readonly commands = {
    // The stream, trimmed to the replay buffer, newest first as XREVRANGE gives it: ids `<ms>-<seq>`, fields [name, frame].
    heartbeatRead: async (_topic: string, _stream: string, _epoch: string, since: number, maxEvents: number) => {
      this.reads++;
      await this.readGate;
      const entries: [string, string[]][] = [];
      for (let seq = this.head; seq > Math.max(since, this.head - maxEvents); seq--) entries.push([`1-${seq}`, ['event', frame(seq)]]);
      return [EPOCH, String(this.head), entries];
    },
  };

  get state() {
    if (++this.stateReads > 1_000) throw new Error('the broker asked the link 1,000 times without yielding');
    return { up: this.up };
  }

  /** Channels are not real here: every message the test pushes is on the topic's channel. */
  listen(): Promise<void> {
    return Promise.resolve();
  }

  live(seq: number): void {
    this.messages.next({ channel: this.keys.events('alerts'), message: `${seq} ${EPOCH} ${frame(seq)}` });
  }
}

/** A connection whose transport records what it was sent, and the code it was closed with. */
function subscriber(registry: ConnectionRegistry) {
  const peer = new FakePeer();
  const connection = registry.open(peer, undefined);
  const sent = peer.frames as { type: string; seq?: number }[];
  return {
    connection,
    sent,
    closed: () => (peer.closeFrame ? [peer.closeFrame.code] : []),
    events: () => sent.filter((frame) => frame.type === 'event').map((frame) => frame.seq),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A broker on a fake link, with one subscriber at seq 5 of the fake stream. */
async function subscribedBroker(replay = { maxEvents: 100, maxAgeMs: 60_000 }) {
  const options = resolveHeartbeatOptions({ replay });
  const clock = new Clock();
  const link = new FakeLink();
  const noHold = { release: () => undefined };
  const registry = new ConnectionRegistry(options, new FakeClock(), new LifecycleEvents(), new HeartbeatCounters(), new RecordingLogger(), {
    pings: noHold,
    sessions: noHold,
    addresses: noHold,
  });
  const broker = new RedisTopicBroker(options, registry, clock, link as unknown as RedisLink);
  const client = subscriber(registry);
  broker.subscribe(client.connection, 'alerts', undefined);
  await settle();
  return { broker, link, ...client };
}

describe('RedisTopicBroker', () => {
  describe('a gap while Redis is away', () => {
    it('holds the events behind it until the link is back, then reads the gap and delivers everything once, in order', async () => {
      const { broker, link, sent, events } = await subscribedBroker();
      expect(sent[0]).toMatchObject({ type: 'subscribed', seq: 5 });

      // One of the link's connections is down: Pub/Sub still brings 7 and 8, but 6 was missed and
      // cannot be read now. The broker must not try to read it (the local buffer cannot have it)
      // until the link is back, and must yield meanwhile: the link's state is asked a few times only.
      link.up = false;
      link.head = 8;
      link.live(7);
      link.live(8);
      await settle();
      expect(link.stateReads).toBeLessThan(20);
      expect(events()).toEqual([]);

      link.up = true;
      link.ready.next();
      await settle();
      expect(events()).toEqual([6, 7, 8]);

      link.live(9);
      link.head = 9;
      await settle();
      expect(events()).toEqual([6, 7, 8, 9]);
      broker.onApplicationShutdown();
    });

    it('holds no more than twice the replay buffer, and closes the subscribers with 1012 when the gap outlasted it (docs/scaling.md)', async () => {
      const { broker, link, events, closed } = await subscribedBroker({ maxEvents: 10, maxAgeMs: 60_000 });
      link.up = false;
      link.head = 60;
      for (let seq = 7; seq <= 60; seq++) link.live(seq);
      await settle();
      const held = (broker as unknown as { topics: Map<string, { held?: unknown[] }> }).topics.get('alerts')?.held;
      expect(held?.length).toBeLessThanOrEqual(20);

      link.up = true;
      link.ready.next();
      await settle();
      expect(events()).toEqual([]);
      expect(closed()).toEqual([CloseCode.ServiceRestart]);
      broker.onApplicationShutdown();
    });

    it('reads a gap once when the link comes back while a read of it is under way', async () => {
      const { broker, link, events } = await subscribedBroker();
      let release = () => undefined as void;
      link.readGate = new Promise<void>((resolve) => (release = resolve));
      const readsBefore = link.reads;
      link.head = 8;
      link.live(7);
      await settle();
      link.ready.next();
      link.live(8);
      await settle();
      expect(link.reads - readsBefore).toBe(1);

      link.readGate = undefined;
      release();
      await settle();
      expect(events()).toEqual([6, 7, 8]);
      broker.onApplicationShutdown();
    });
  });
});
