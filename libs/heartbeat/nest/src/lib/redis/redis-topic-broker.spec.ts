import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { Subject } from 'rxjs';
import { WebSocket } from 'ws';
import { Clock } from '../clock.js';
import { ConnectionRegistry } from '../connection-registry.js';
import { HeartbeatConnection } from '../heartbeat-connection.js';
import { resolveHeartbeatOptions } from '../heartbeat-options.validator.js';
import type { HeartbeatSocket } from '../heartbeat-socket.js';
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
  readonly commands = {
    // The stream's entries newest first, as XREVRANGE gives them: ids `<ms>-<seq>`, fields [name, frame].
    heartbeatRead: async (_topic: string, _stream: string, _epoch: string, since: number) => {
      const entries: [string, string[]][] = [];
      for (let seq = this.head; seq > since; seq--) entries.push([`1-${seq}`, ['event', frame(seq)]]);
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

/** A connection whose socket records what it was sent. */
function subscriber() {
  const sent: { type: string; seq?: number }[] = [];
  const socket = { readyState: WebSocket.OPEN, bufferedAmount: 0, send: (data: unknown) => sent.push(JSON.parse(String(data))), close: () => undefined };
  const connection = new HeartbeatConnection('c-1', socket as unknown as HeartbeatSocket, { socket: { remoteAddress: '127.0.0.1', remotePort: 4000 } } as IncomingMessage, 0, {
    maxBufferedBytes: 1_000_000,
    onOverflow: () => undefined,
  });
  return { connection, sent, events: () => sent.filter((frame) => frame.type === 'event').map((frame) => frame.seq) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A broker on a fake link, with one subscriber at seq 5 of the fake stream. */
async function subscribedBroker(replay = { maxEvents: 100, maxAgeMs: 60_000 }) {
  const options = resolveHeartbeatOptions({ replay });
  const clock = new Clock();
  const link = new FakeLink();
  const broker = new RedisTopicBroker(options, new ConnectionRegistry(options, clock), clock, link as unknown as RedisLink);
  const client = subscriber();
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
      // cannot be read now. Before the fix this started a fill that answered from the local buffer
      // and handed 7 back at once, forever, without yielding: the node stopped answering.
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

    it('holds no more than twice the replay buffer, and still delivers every event from the stream when the link is back', async () => {
      const { broker, link, events } = await subscribedBroker({ maxEvents: 10, maxAgeMs: 60_000 });
      link.up = false;
      link.head = 60;
      for (let seq = 7; seq <= 60; seq++) link.live(seq);
      await settle();
      expect(events()).toEqual([]);

      link.up = true;
      link.ready.next();
      await settle();
      expect(events()).toEqual(Array.from({ length: 55 }, (_, i) => 6 + i));
      broker.onApplicationShutdown();
    });
  });
});
