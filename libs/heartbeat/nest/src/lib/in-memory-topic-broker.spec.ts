import { jest } from '@jest/globals';
import { type EventFrame, parseServerFrame } from '@heartbeat/protocol';
import { eventually, sleep, TestClient } from '@heartbeat/testing';
import { type TestApp, startTestApp } from '../testing/test-app.js';
import type { HeartbeatConnection } from './core/heartbeat-connection.js';
import type { HeartbeatModuleOptions } from './core/heartbeat-options.interface.js';
import { InMemoryTopicBroker } from './in-memory-topic-broker.js';
import { TopicBroker } from './topic-broker.js';

/** The broker's subscriber sets, read for the one thing the wire cannot show: that nothing is left behind. */
const subscribersOf = (broker: InMemoryTopicBroker, topic: string): Set<HeartbeatConnection> | undefined =>
  (broker as unknown as { topics: Map<string, { subscribers: Set<HeartbeatConnection> }> }).topics.get(topic)?.subscribers;

describe('InMemoryTopicBroker', () => {
  let server: TestApp | undefined;
  let broker: InMemoryTopicBroker;
  let clients: TestClient[] = [];

  async function start(options: HeartbeatModuleOptions = {}): Promise<void> {
    server = await startTestApp({ pingInterval: 5_000, heartbeatTimeout: 20_000, ...options });
    broker = server.app.get(TopicBroker) as InMemoryTopicBroker;
  }

  async function subscriber(topic?: string, since?: number): Promise<TestClient> {
    const { client } = await TestClient.open(server!.url);
    clients.push(client);
    if (topic !== undefined) {
      client.send(since === undefined ? { type: 'subscribe', topic } : { type: 'subscribe', topic, since });
      await client.next('subscribed', 2_000, (frame) => frame.topic === topic);
    }
    return client;
  }

  /** Resolves once the server processed everything the client sent before (frames are handled in order). */
  async function roundTrip(client: TestClient): Promise<void> {
    const sequence = Math.floor(Math.random() * 1e9);
    client.send({ type: 'ping', timestamp: new Date().toISOString(), client_time: Date.now(), sequence });
    await client.next('pong', 2_000, (pong) => pong.sequence === sequence);
  }

  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    clients = [];
    await server?.close();
    server = undefined;
  });

  describe('#publish', () => {
    beforeEach(() => start());

    it('assigns consecutive seq numbers per topic, independently, with the broker epoch', async () => {
      const results = ['alerts', 'alerts', 'news', 'alerts', 'news'].map((topic) => broker.publish(topic, { topic }));
      expect(results.map(({ topic, seq }) => [topic, seq])).toEqual([
        ['alerts', 1],
        ['alerts', 2],
        ['news', 1],
        ['alerts', 3],
        ['news', 2],
      ]);
      expect(new Set(results.map((result) => result.epoch))).toEqual(new Set([broker.epoch]));
      expect(broker.epoch).toMatch(/^[0-9a-z]+-[0-9a-f]{8}$/);
      expect(broker.head('alerts')).toBe(3);
      expect(broker.head('news')).toBe(2);
      expect(broker.head('never-published')).toBe(0);
    });

    it('sends every subscriber the identical event frame', async () => {
      const subscribers = await Promise.all([subscriber('alerts'), subscriber('alerts'), subscriber('alerts')]);
      const before = Date.now();
      const result = broker.publish('alerts', { id: 'a-1', category: 'spam', risk_score: 0.93 });
      expect(result).toMatchObject({ topic: 'alerts', seq: 1, delivered: 3 });
      const received = await Promise.all(subscribers.map((client) => client.next('event')));
      expect(received[0]).toEqual({
        type: 'event',
        topic: 'alerts',
        seq: 1,
        epoch: broker.epoch,
        data: { id: 'a-1', category: 'spam', risk_score: 0.93 },
        timestamp: expect.any(String),
      });
      expect(Date.parse(received[0].timestamp)).toBeGreaterThanOrEqual(before - 1);
      expect(received[1]).toEqual(received[0]);
      expect(received[2]).toEqual(received[0]);
    });

    it('does not use up a seq when the data cannot be serialized', async () => {
      const client = await subscriber('alerts');
      expect(() => broker.publish('alerts', { amount: 10n })).toThrow(TypeError);
      expect(broker.head('alerts')).toBe(0);
      expect(broker.publish('alerts', { amount: '10' })).toMatchObject({ seq: 1, delivered: 1 });
      expect(await client.next('event')).toMatchObject({ seq: 1, data: { amount: '10' } });
      // Nothing is missing from the buffer either: a resume from 0 is complete.
      const resumed = await subscriber();
      resumed.send({ type: 'subscribe', topic: 'alerts', since: 0 });
      expect(await resumed.next('subscribed')).toMatchObject({ seq: 1, recovered: true, replayed: 1 });
      expect(await resumed.next('event')).toMatchObject({ seq: 1, data: { amount: '10' } });
    });

    it('sends data JSON has no text for (undefined, a function) as null: an event always carries data', async () => {
      const client = await subscriber('alerts');
      broker.publish('alerts', undefined);
      broker.publish('alerts', () => 'not data');
      const events = [await client.next('event'), await client.next('event')];
      expect(events.map((event) => [event.seq, event.data])).toEqual([
        [1, null],
        [2, null],
      ]);
      for (const event of events) expect(parseServerFrame(JSON.stringify(event)).ok).toBe(true);
    });

    it('escapes the topic name in the event text', async () => {
      const topic = 'alerts "eu" \\ ünïcode';
      const client = await subscriber(topic);
      broker.publish(topic, { n: 1 });
      expect(await client.next('event')).toMatchObject({ topic, seq: 1, data: { n: 1 } });
    });

    it('does not deliver to subscribers of other topics', async () => {
      const news = await subscriber('news');
      expect(broker.publish('alerts', { n: 1 }).delivered).toBe(0);
      await roundTrip(news);
      expect(news.all('event')).toEqual([]);
    });

    it('serializes the data once per publish, whatever the number of subscribers', async () => {
      const subscribers = await Promise.all(Array.from({ length: 20 }, () => subscriber('alerts')));
      const data = { id: 'once' };
      const stringify = jest.spyOn(JSON, 'stringify');
      let result: ReturnType<InMemoryTopicBroker['publish']>;
      let calls: unknown[][];
      try {
        result = broker.publish('alerts', data);
      } finally {
        calls = [...stringify.mock.calls]; // mockRestore() forgets the calls
        stringify.mockRestore();
      }
      expect(calls.filter(([value]) => value === data)).toHaveLength(1);
      expect(result.delivered).toBe(20);
      const received = await Promise.all(subscribers.map((client) => client.next('event')));
      expect(received.every((event) => event.seq === 1 && (event.data as { id: string }).id === 'once')).toBe(true);
    });
  });

  describe('#unsubscribe', () => {
    beforeEach(() => start());

    it('stops delivery to that connection only', async () => {
      const leaving = await subscriber('alerts');
      const staying = await subscriber('alerts');
      broker.publish('alerts', { n: 1 });
      await leaving.next('event', 2_000, (event) => event.seq === 1);

      leaving.send({ type: 'unsubscribe', topic: 'alerts' });
      await roundTrip(leaving);
      expect(broker.publish('alerts', { n: 2 }).delivered).toBe(1);
      await roundTrip(leaving);
      expect(leaving.all('event')).toEqual([]);
      expect(await staying.next('event', 2_000, (event) => event.seq === 2)).toMatchObject({ data: { n: 2 } });
      expect(server!.service.getLocalStats().connection_details.map((details) => details.topics.length).sort()).toEqual([0, 1]);
    });

    it('lets the connection subscribe again and receive new events', async () => {
      const client = await subscriber('alerts');
      client.send({ type: 'unsubscribe', topic: 'alerts' });
      client.send({ type: 'subscribe', topic: 'alerts' });
      expect(await client.next('subscribed')).toMatchObject({ topic: 'alerts', seq: 0, recovered: true, replayed: 0 });
      broker.publish('alerts', { n: 1 });
      expect(await client.next('event')).toMatchObject({ seq: 1 });
    });
  });

  describe('#subscribe', () => {
    it('answers subscribed with the epoch and head, without replay when no since is given', async () => {
      await start();
      broker.publish('alerts', { n: 1 });
      broker.publish('alerts', { n: 2 });
      const client = await subscriber();
      client.send({ type: 'subscribe', topic: 'alerts' });
      expect(await client.next('subscribed')).toEqual({
        type: 'subscribed',
        topic: 'alerts',
        epoch: broker.epoch,
        seq: 2,
        recovered: true,
        replayed: 0,
      });
      await roundTrip(client);
      expect(client.all('event')).toEqual([]);
    });

    it('replays the events after since, in order, before live ones, with recovered true', async () => {
      await start();
      for (let n = 1; n <= 5; n++) broker.publish('alerts', { n });
      const client = await subscriber();
      client.send({ type: 'subscribe', topic: 'alerts', since: 2 });
      await eventually(() => client.all('event').length === 3, 'three replayed events');
      broker.publish('alerts', { n: 6 });
      await eventually(() => client.all('event').length === 4, 'the live event');

      const frames = client.frames.filter((frame) => frame.type === 'subscribed' || frame.type === 'event');
      expect(frames[0]).toEqual({ type: 'subscribed', topic: 'alerts', epoch: broker.epoch, seq: 5, recovered: true, replayed: 3 });
      expect(frames.slice(1).map((frame) => [(frame as EventFrame).seq, (frame as EventFrame<{ n: number }>).data.n])).toEqual([
        [3, 3],
        [4, 4],
        [5, 5],
        [6, 6],
      ]);
    });

    it('replays nothing with recovered true when since is the head', async () => {
      await start();
      broker.publish('alerts', { n: 1 });
      const client = await subscriber();
      client.send({ type: 'subscribe', topic: 'alerts', since: 1 });
      expect(await client.next('subscribed')).toMatchObject({ seq: 1, recovered: true, replayed: 0 });
      await roundTrip(client);
      expect(client.all('event')).toEqual([]);
    });

    it('says recovered false when the buffer no longer holds the missed events (count bound)', async () => {
      await start({ replay: { maxEvents: 2 } });
      for (let n = 1; n <= 5; n++) broker.publish('alerts', { n });
      const client = await subscriber();
      client.send({ type: 'subscribe', topic: 'alerts', since: 1 });
      const subscribed = await client.next('subscribed');
      expect(subscribed).toMatchObject({ seq: 5, recovered: false });
      await roundTrip(client);
      const replayed = client.all('event');
      expect(replayed).toHaveLength(subscribed.replayed);
      // Whatever is still buffered comes along; the gap (2, 3) cannot be filled.
      expect(replayed.map((event) => event.seq)).toEqual([4, 5]);
    });

    it('says recovered false when the missed events are older than replay.maxAgeMs', async () => {
      await start({ replay: { maxAgeMs: 50 } });
      broker.publish('alerts', { n: 1 });
      broker.publish('alerts', { n: 2 });
      await sleep(120);
      const client = await subscriber();
      client.send({ type: 'subscribe', topic: 'alerts', since: 0 });
      expect(await client.next('subscribed')).toMatchObject({ seq: 2, recovered: false, replayed: 0 });
    });

    it('says recovered false with nothing replayed when since is above the head (a position from another epoch)', async () => {
      await start();
      broker.publish('alerts', { n: 1 });
      const client = await subscriber();
      client.send({ type: 'subscribe', topic: 'alerts', since: 40 });
      expect(await client.next('subscribed')).toMatchObject({ epoch: broker.epoch, seq: 1, recovered: false, replayed: 0 });
      await roundTrip(client);
      expect(client.all('event')).toEqual([]);
    });

    it('does not replay again or deliver twice when the connection subscribes to a topic it already has', async () => {
      await start();
      broker.publish('alerts', { n: 1 });
      const client = await subscriber('alerts', 0);
      await client.next('event', 2_000, (event) => event.seq === 1);
      client.send({ type: 'subscribe', topic: 'alerts', since: 0 });
      expect(await client.next('subscribed')).toMatchObject({ seq: 1, replayed: 0 });
      expect(broker.publish('alerts', { n: 2 }).delivered).toBe(1);
      await client.next('event', 2_000, (event) => event.seq === 2);
      await roundTrip(client);
      expect(client.all('event')).toEqual([]);
    });
    it.each([
      ['below the head', 3],
      ['equal to the head', 10],
    ])('neither loses nor repeats an event when since is %s while events are being published', async (_case, since) => {
      await start();
      for (let n = 1; n <= 10; n++) broker.publish('alerts', { n });
      const client = await subscriber();
      const publisher = setInterval(() => broker.publish('alerts', {}), 1);
      try {
        client.send({ type: 'subscribe', topic: 'alerts', since });
        await eventually(() => client.all('event').length >= 30, '30 events');
        // A repeated subscribe while subscribed changes nothing either.
        client.send({ type: 'subscribe', topic: 'alerts', since });
        await client.next('subscribed', 2_000, (frame) => frame.replayed === 0 && frame.seq > 10);
        await eventually(() => client.all('event').length >= 60, '60 events');
      } finally {
        clearInterval(publisher);
      }
      const first = client.frames.findIndex((frame) => frame.type === 'subscribed');
      expect(client.frames.findIndex((frame) => frame.type === 'event')).toBeGreaterThan(first);
      const seqs = client.all('event').map((event) => event.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => since + 1 + i));
    });
  });

  describe('#removeConnection (on close)', () => {
    it('removes a closed connection from all its topics', async () => {
      await start();
      const leaving = await subscriber('alerts');
      leaving.send({ type: 'subscribe', topic: 'news' });
      await leaving.next('subscribed', 2_000, (frame) => frame.topic === 'news');
      const staying = await subscriber('alerts');
      expect(subscribersOf(broker, 'alerts')?.size).toBe(2);
      expect(subscribersOf(broker, 'news')?.size).toBe(1);

      await leaving.close();
      await eventually(() => server!.service.connectionCount === 1, 'the closed connection to be removed');
      expect(subscribersOf(broker, 'alerts')?.size).toBe(1);
      expect(subscribersOf(broker, 'news')?.size).toBe(0);
      expect(broker.publish('alerts', { n: 1 }).delivered).toBe(1);
      expect(await staying.next('event')).toMatchObject({ seq: 1 });
    });
  });
});
