import { CloseCode } from '@heartbeat/protocol';
import { firstValueFrom } from 'rxjs';
import { WebSocket } from 'ws';
import { eventually, TestClient } from '@heartbeat/testing';
import { type TestApp, startTestApp } from '../testing/test-app.js';
import { HeartbeatMessages } from './core/heartbeat.messages.js';
import type { ConnectionDetails } from '@heartbeat/protocol';
import type { HeartbeatLifecycleEvent } from './core/heartbeat-events.js';
import type { MemoryBackplane } from './core/memory-backplane.js';
import { Backplane } from './core/backplane.js';

const TOTALS_FIELDS = [
  'active_connections',
  'address_limit_rejections',
  'draining',
  'duplicate_messages',
  'last_cleanup_time',
  'rate_limited_disconnections',
  'resumed_sessions',
  'retained_sessions',
  'session_refusals',
  'session_takeovers',
  'slow_consumer_disconnections',
  'timeout_disconnections',
  'token_expirations',
  'total_client_pings',
  'total_pings_sent',
  'total_pongs_received',
];
const DETAILS_FIELDS = [
  'avg_rtt_ms',
  'buffered_bytes',
  'client_ping_count',
  'clock_offset_ms',
  'connected_at',
  'id',
  'last_ping_time',
  'last_pong_time',
  'last_seen_time',
  'missed_pings',
  'ping_count',
  'pong_count',
  'remote_address',
  'rtt_ms',
  'session_id',
  'state',
  'token_expires_at',
  'topics',
  'user_id',
];

function clientPing(client: TestClient, sequence: number): Promise<unknown> {
  client.send({ type: 'ping', timestamp: new Date().toISOString(), client_time: Date.now(), sequence });
  return client.next('pong', 2_000, (pong) => pong.sequence === sequence);
}

describe('HeartbeatService', () => {
  let server: TestApp;
  let clients: TestClient[] = [];

  async function open(token?: string) {
    const opened = await TestClient.open(server.url, token);
    clients.push(opened.client);
    return opened;
  }

  async function connect() {
    const client = await TestClient.connect(server.url);
    clients.push(client);
    return client;
  }

  const detailsOf = (sessionId: string): ConnectionDetails | undefined =>
    server.service.getLocalStats().connection_details.find((details) => details.session_id === sessionId);

  beforeEach(async () => {
    server = await startTestApp({
      pingInterval: 100,
      heartbeatInterval: 100,
      heartbeatTimeout: 5_000,
      verifyToken: (token) => token !== 'bad',
    });
  });

  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    clients = [];
    await server.close();
  });

  describe('#getStats', () => {
    it('reports this node as a cluster of one in memory mode', async () => {
      await open();
      const stats = await server.service.getStats();
      const local = server.service.getLocalStats();
      expect(stats.heartbeat_stats).toEqual(local.heartbeat_stats);
      expect(stats.connection_details.map((details) => details.id)).toEqual(local.connection_details.map((details) => details.id));
      expect(stats.nodes).toEqual([
        { node_id: server.service.getClusterStatus().nodeId, stale: false, reported_at: expect.any(Number), heartbeat_stats: local.heartbeat_stats },
      ]);
      expect(server.service.getClusterStatus()).toEqual({ mode: 'memory', nodeId: expect.stringMatching(/-\d+$/) });
    });
  });

  describe('#getLocalStats', () => {
    it('reports nothing but a zero state before any connection', () => {
      expect(server.service.getLocalStats()).toEqual({
        heartbeat_stats: {
          total_pings_sent: 0,
          total_pongs_received: 0,
          total_client_pings: 0,
          timeout_disconnections: 0,
          active_connections: 0,
          last_cleanup_time: null,
          resumed_sessions: 0,
          session_takeovers: 0,
          duplicate_messages: 0,
          slow_consumer_disconnections: 0,
          rate_limited_disconnections: 0,
          address_limit_rejections: 0,
          token_expirations: 0,
          session_refusals: 0,
          retained_sessions: 0,
          draining: false,
        },
        connection_details: [],
      });
    });

    it('returns every field of heartbeat_stats and connection_details, reflecting real traffic', async () => {
      const before = Date.now();
      const { client, welcome } = await open();
      const after = Date.now();
      for (const topic of ['alerts', 'news']) {
        client.send({ type: 'subscribe', topic });
        await client.next('subscribed', 2_000, (frame) => frame.topic === topic);
      }
      await clientPing(client, 1);
      await clientPing(client, 2);
      const details = await eventually(() => {
        const current = detailsOf(welcome.session_id);
        return current && current.pong_count >= 2 ? current : undefined;
      }, 'two answered server pings');
      const { heartbeat_stats: totals, connection_details: all } = server.service.getLocalStats();

      expect(Object.keys(totals).sort()).toEqual(TOTALS_FIELDS);
      expect(totals).toMatchObject({ total_client_pings: 2, timeout_disconnections: 0, active_connections: 1 });
      expect(totals.total_pings_sent).toBe(all[0].ping_count);
      expect(totals.total_pongs_received).toBe(all[0].pong_count);
      expect(totals.last_cleanup_time).toEqual(expect.any(Number));
      expect(totals.last_cleanup_time!).toBeGreaterThanOrEqual(before);

      expect(Object.keys(details).sort()).toEqual(DETAILS_FIELDS);
      expect(details).toMatchObject({
        session_id: welcome.session_id,
        state: 'open',
        user_id: null,
        client_ping_count: 2,
        missed_pings: 0,
        buffered_bytes: 0,
      });
      expect(details.id).toEqual(expect.any(String));
      expect(details.remote_address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(details.remote_address).not.toBe(`127.0.0.1:${server.port}`);
      expect(details.topics.sort()).toEqual(['alerts', 'news']);

      const connectedAt = Date.parse(details.connected_at);
      expect(new Date(connectedAt).toISOString()).toBe(details.connected_at);
      expect(connectedAt).toBeGreaterThanOrEqual(before);
      expect(connectedAt).toBeLessThanOrEqual(after);

      // The server counts a ping when it is written, the client when it arrives, and answers each one.
      expect(details.ping_count).toBeGreaterThanOrEqual(2);
      expect(details.ping_count).toBeGreaterThanOrEqual(client.pingCount);
      expect(details.pong_count).toBeLessThanOrEqual(client.pingCount);
      expect(details.last_ping_time).toEqual(expect.any(Number));
      expect(details.last_pong_time).toEqual(expect.any(Number));
      expect(details.last_seen_time).toBeGreaterThanOrEqual(details.last_pong_time!);
      expect(details.last_ping_time!).toBeGreaterThanOrEqual(connectedAt);
      for (const value of [details.rtt_ms, details.avg_rtt_ms]) {
        expect(value).toEqual(expect.any(Number));
        expect(value!).toBeGreaterThanOrEqual(0);
        expect(value!).toBeLessThan(1_000);
      }
      // Same machine, same clock: the estimated offset is within the round trip.
      expect(Math.abs(details.clock_offset_ms!)).toBeLessThan(1_000);
    });

    it('describes a connection that has not completed its handshake', async () => {
      await connect();
      const [details] = await eventually(() => {
        const all = server.service.getLocalStats().connection_details;
        return all.length === 1 ? all : undefined;
      }, 'the connection to be registered');
      expect(details).toMatchObject({
        session_id: null,
        state: 'handshake',
        ping_count: 0,
        pong_count: 0,
        client_ping_count: 0,
        missed_pings: 0,
        last_ping_time: null,
        last_pong_time: null,
        rtt_ms: null,
        avg_rtt_ms: null,
        clock_offset_ms: null,
        topics: [],
      });
      expect(server.service.getLocalStats().heartbeat_stats.active_connections).toBe(1);
    });

    it('adds up the totals over every connection and drops closed connections', async () => {
      const a = await open();
      const b = await open();
      await clientPing(a.client, 1);
      await clientPing(b.client, 1);
      await clientPing(b.client, 2);
      const stats = server.service.getLocalStats();
      expect(stats.heartbeat_stats).toMatchObject({ total_client_pings: 3, active_connections: 2 });
      expect(stats.heartbeat_stats.total_pings_sent).toBe(stats.connection_details.reduce((sum, d) => sum + d.ping_count, 0));
      const ports = stats.connection_details.map((details) => details.remote_address);
      expect(new Set(ports).size).toBe(2);

      await a.client.close();
      await eventually(() => server.service.getLocalStats().heartbeat_stats.active_connections === 1, 'one connection left');
      const after = server.service.getLocalStats();
      expect(after.connection_details.map((details) => details.session_id)).toEqual([b.welcome.session_id]);
      expect(after.heartbeat_stats.total_client_pings).toBe(3);
    });
  });

  describe('#disconnect', () => {
    it('closes that connection with 4003 by default and leaves the others alone', async () => {
      const a = await open();
      const b = await open();
      const id = detailsOf(a.welcome.session_id)!.id;
      expect(await server.service.disconnect(id)).toBe(true);
      expect(await a.client.closed).toEqual({ code: CloseCode.Kicked, reason: HeartbeatMessages.closeKicked() });
      await clientPing(b.client, 1);
      expect(b.client.socket.readyState).toBe(WebSocket.OPEN);
      await eventually(() => server.service.connectionCount === 1, 'the kicked connection to be removed');
      expect(await server.service.disconnect(id)).toBe(false);
    });

    it('closes with the given code and reason', async () => {
      const { client, welcome } = await open();
      expect(await server.service.disconnect(detailsOf(welcome.session_id)!.id, CloseCode.ServiceRestart, 'moving you')).toBe(true);
      expect(await client.closed).toEqual({ code: CloseCode.ServiceRestart, reason: 'moving you' });
    });

    it('rejects with a RangeError for a code or reason a close frame cannot carry, leaving the connection as it was', async () => {
      const { client, welcome } = await open();
      const { id } = detailsOf(welcome.session_id)!;
      for (const code of [999, 1004, 1005, 1006, 1015, 2999, 5000, 4003.5]) {
        await expect(server.service.disconnect(id, code, 'bad code')).rejects.toThrow(new RangeError(HeartbeatMessages.invalidCloseCode(code)));
      }
      for (const reason of ['x'.repeat(124), 'é'.repeat(62)]) {
        await expect(server.service.disconnect(id, CloseCode.Kicked, reason)).rejects.toThrow(
          new RangeError(HeartbeatMessages.closeReasonTooLong(124)),
        );
      }
      await clientPing(client, 1);
      const longest = `${'é'.repeat(61)}x`; // 123 bytes
      expect(await server.service.disconnect(id, CloseCode.Kicked, longest)).toBe(true);
      expect(await client.closed).toEqual({ code: CloseCode.Kicked, reason: longest });
    });

    it('returns false for an unknown id and closes nothing', async () => {
      const { client } = await open();
      expect(await server.service.disconnect('no-such-connection')).toBe(false);
      await clientPing(client, 1);
      expect(server.service.connectionCount).toBe(1);
    });
  });

  describe('#events$', () => {
    let events: HeartbeatLifecycleEvent[];
    let stop: () => void;

    beforeEach(() => {
      events = [];
      const subscription = server.service.events$.subscribe((event) => events.push(event));
      stop = () => subscription.unsubscribe();
    });

    afterEach(() => stop());

    it('emits connected, authenticated, disconnected(code, reason) in order for a connection', async () => {
      const { client, welcome } = await open();
      await client.close(1000);
      await eventually(() => events.some((event) => event.type === 'disconnected'), 'the disconnected event');

      const [connected] = events;
      const mine = events.filter((event) => event.connectionId === connected.connectionId);
      expect(mine).toEqual([
        { type: 'connected', connectionId: connected.connectionId, remoteAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/), at: expect.any(Number) },
        {
          type: 'authenticated',
          connectionId: connected.connectionId,
          remoteAddress: connected.remoteAddress,
          sessionId: welcome.session_id,
          resumed: false,
          at: expect.any(Number),
        },
        {
          type: 'disconnected',
          connectionId: connected.connectionId,
          remoteAddress: connected.remoteAddress,
          code: 1000,
          reason: '',
          at: expect.any(Number),
        },
      ]);
      const times = mine.map((event) => event.at);
      expect(times).toEqual([...times].sort((x, y) => x - y));
    });

    it('reports the server-side reason of a kick in disconnected', async () => {
      const { client, welcome } = await open();
      server.service.disconnect(detailsOf(welcome.session_id)!.id);
      await client.closed;
      await eventually(() => events.some((event) => event.type === 'disconnected'), 'the disconnected event');
      expect(events.at(-1)).toMatchObject({ type: 'disconnected', code: CloseCode.Kicked, reason: HeartbeatMessages.closeKicked() });
    });

    it('emits connected then disconnected with 4001 (no authenticated) for a refused token', async () => {
      const client = await connect();
      client.send({ type: 'hello', token: 'bad' });
      expect((await client.closed).code).toBe(CloseCode.Unauthorized);
      await eventually(() => events.some((event) => event.type === 'disconnected'), 'the disconnected event');
      expect(events.map((event) => event.type)).toEqual(['connected', 'disconnected']);
      expect(events[1]).toMatchObject({ code: CloseCode.Unauthorized, reason: HeartbeatMessages.closeUnauthorized() });
    });
  });

  describe('#messages$', () => {
    it('receives a message frame and the client gets an ack with its id', async () => {
      const { client, welcome } = await open();
      const received = firstValueFrom(server.service.messages$);
      client.send({ type: 'message', id: 'm-1', topic: 'chat', data: { text: 'hi', n: [1, 2] } });
      expect(await received).toEqual({
        connectionId: detailsOf(welcome.session_id)!.id,
        sessionId: welcome.session_id,
        id: 'm-1',
        topic: 'chat',
        data: { text: 'hi', n: [1, 2] },
      });
      expect(await client.next('ack')).toEqual({ type: 'ack', id: 'm-1' });
    });

    it('passes a message without topic with topic undefined, and acks each message once', async () => {
      const { client } = await open();
      const seen: unknown[] = [];
      const subscription = server.service.messages$.subscribe((message) => seen.push(message));
      client.send({ type: 'message', id: 'a', data: 1 });
      client.send({ type: 'message', id: 'b', data: 2 });
      await client.next('ack', 2_000, (ack) => ack.id === 'b');
      subscription.unsubscribe();
      expect(seen).toEqual([
        expect.objectContaining({ id: 'a', topic: undefined, data: 1 }),
        expect.objectContaining({ id: 'b', topic: undefined, data: 2 }),
      ]);
      expect(client.all('ack')).toEqual([{ type: 'ack', id: 'a' }]);
    });
  });

  describe('#publish', () => {
    it('delivers to the topic subscribers and returns seq, epoch and delivered count', async () => {
      const { client } = await open();
      client.send({ type: 'subscribe', topic: 'alerts' });
      await client.next('subscribed');
      const result = await server.service.publish('alerts', { risk: 0.97 });
      expect(result).toEqual({ topic: 'alerts', seq: 1, epoch: (server.app.get(Backplane) as MemoryBackplane).epoch, delivered: 1 });
      expect(await client.next('event')).toMatchObject({ topic: 'alerts', seq: 1, epoch: result.epoch, data: { risk: 0.97 } });
    });
  });

  describe('targeted delivery', () => {
    /**
     * Each token names its user; every topic but a user topic is refused, to show server-side joins
     * bypass authorize, which answers with a promise, as one that looks the user up would.
     */
    beforeEach(async () => {
      await server.close();
      server = await startTestApp({ verifyToken: (token) => ({ userId: token ?? '' }), authorize: async () => false });
    });

    const idOf = (welcome: { session_id: string }) => detailsOf(welcome.session_id)!.id;

    describe('#publishToUser', () => {
      it('joins every connection of the user (an unasked subscribed), then delivers the event to them and to no one else', async () => {
        const phone = await open('alice');
        const laptop = await open('alice');
        const bob = await open('bob');
        const first = await server.service.publishToUser('alice', 'inbox', { n: 1 });
        expect(first).toMatchObject({ topic: 'inbox#alice', seq: 1, delivered: expect.any(Number) });
        for (const { client } of [phone, laptop]) {
          expect(await client.next('subscribed')).toMatchObject({ topic: 'inbox#alice', joined: true });
          expect(await client.next('event')).toMatchObject({ topic: 'inbox#alice', seq: 1, data: { n: 1 } });
        }
        const second = await server.service.publishToUser('alice', 'inbox', { n: 2 });
        expect(second).toMatchObject({ seq: 2, delivered: 2 });
        for (const { client } of [phone, laptop]) {
          expect(await client.next('event')).toMatchObject({ topic: 'inbox#alice', seq: 2, data: { n: 2 } });
          expect(client.all('subscribed')).toEqual([]);
        }
        await clientPing(bob.client, 1);
        expect(bob.client.all('subscribed')).toEqual([]);
        expect(bob.client.all('event')).toEqual([]);
      });

      it('replays the user topic to the user resuming by its position, like any topic', async () => {
        const { client } = await open('alice');
        await server.service.publishToUser('alice', 'inbox', { n: 1 });
        await client.next('event');
        await client.close();
        await eventually(() => server.service.connectionCount === 0, 'alice gone');
        await server.service.publishToUser('alice', 'inbox', { n: 2 });
        const back = await connect();
        await back.hello('alice', { positions: { 'inbox#alice': 1 } });
        expect(await back.next('subscribed')).toMatchObject({ topic: 'inbox#alice', seq: 2, recovered: true, replayed: 1 });
        expect(await back.next('event')).toMatchObject({ seq: 2, data: { n: 2 } });
      });

      it('stores the event for a user with no connection, who gets it by subscribing to the user topic', async () => {
        expect(await server.service.publishToUser('carol', 'inbox', 'while away')).toMatchObject({ topic: 'inbox#carol', seq: 1, delivered: 0 });
        const { client } = await open('carol');
        client.send({ type: 'subscribe', topic: 'inbox#carol', since: 0 });
        expect(await client.next('event')).toMatchObject({ seq: 1, data: 'while away' });
      });

      it('rejects a bad user id or topic with a sentence, and data JSON cannot encode with a TypeError, joining nobody', async () => {
        const { client } = await open('alice');
        await expect(server.service.publishToUser('', 'inbox', 1)).rejects.toThrow(new RangeError(HeartbeatMessages.invalidUserId('publishToUser', '')));
        await expect(server.service.publishToUser('u'.repeat(129), 'inbox', 1)).rejects.toThrow(RangeError);
        await expect(server.service.publishToUser('alice', 'in box', 1)).rejects.toThrow(/HeartbeatService.publishToUser\(\): The topic name "in box"/);
        await expect(server.service.publishToUser('al ice', 'inbox', 1)).rejects.toThrow(RangeError);
        await expect(server.service.publishToUser('alice', 'inbox#bob', 1)).rejects.toThrow(RangeError);
        await expect(server.service.publishToUser('alice', 'inbox', { big: 1n })).rejects.toThrow(TypeError);
        await clientPing(client, 1);
        expect(client.all('subscribed')).toEqual([]);
      });
    });

    describe('#sendToConnection', () => {
      it('writes a server message frame to that connection alone, unnumbered', async () => {
        const a = await open('alice');
        const b = await open('alice');
        const before = Date.now();
        expect(await server.service.sendToConnection(idOf(a.welcome), 'notice', { hello: 'a' })).toBe(true);
        const message = await a.client.next('message');
        expect(message).toEqual({ type: 'message', topic: 'notice', data: { hello: 'a' }, timestamp: expect.any(String) });
        expect(Date.parse(message.timestamp)).toBeGreaterThanOrEqual(before);
        await clientPing(b.client, 1);
        expect(b.client.all('message')).toEqual([]);
      });

      it('resolves false for an id no node holds, and rejects a bad id, topic or data', async () => {
        expect(await server.service.sendToConnection('no-such-connection', 'notice', 1)).toBe(false);
        await expect(server.service.sendToConnection('', 'notice', 1)).rejects.toThrow(new RangeError(HeartbeatMessages.invalidConnectionId('sendToConnection', '')));
        await expect(server.service.sendToConnection('x', 'no tice', 1)).rejects.toThrow(RangeError);
        const { welcome } = await open('alice');
        await expect(server.service.sendToConnection(idOf(welcome), 'notice', 1n)).rejects.toThrow(TypeError);
      });
    });

    describe('#join and #leave', () => {
      it('subscribes a connection from the server past authorize, and unsubscribes it with unsubscribed {reason: "removed"}', async () => {
        const { client, welcome } = await open('alice');
        client.send({ type: 'subscribe', topic: 'ops' });
        expect(await client.next('error')).toMatchObject({ code: 'forbidden', ref: 'ops' });
        expect(await server.service.join(idOf(welcome), 'ops')).toBe(true);
        expect(await client.next('subscribed')).toMatchObject({ topic: 'ops', joined: true });
        await server.service.publish('ops', 'one');
        expect(await client.next('event')).toMatchObject({ topic: 'ops', data: 'one' });
        expect(await server.service.leave(idOf(welcome), 'ops')).toBe(true);
        expect(await client.next('unsubscribed')).toEqual({ type: 'unsubscribed', topic: 'ops', reason: 'removed' });
        await server.service.publish('ops', 'two');
        await clientPing(client, 1);
        expect(client.all('event')).toEqual([]);
        expect(detailsOf(welcome.session_id)!.topics).toEqual([]);
      });

      it('says `joined` on its answer, so that a client whose subscribe of the topic went unanswered (superseded while authorize decided) takes it for a join', async () => {
        const { client, welcome } = await open('alice');
        client.send({ type: 'subscribe', topic: 'ops' });
        client.send({ type: 'unsubscribe', topic: 'ops' });
        await clientPing(client, 1);
        expect(await server.service.join(idOf(welcome), 'ops')).toBe(true);
        expect(await client.next('subscribed')).toEqual({ type: 'subscribed', topic: 'ops', epoch: expect.any(String), seq: 0, recovered: true, replayed: 0, joined: true });
        expect(client.all('error')).toEqual([]);
      });

      it('resolves false for an id no node holds, and rejects a bad id or topic name', async () => {
        expect(await server.service.join('no-such-connection', 'ops')).toBe(false);
        expect(await server.service.leave('no-such-connection', 'ops')).toBe(false);
        await expect(server.service.join('x', 'ops.*')).rejects.toThrow(RangeError);
        await expect(server.service.leave('', 'ops')).rejects.toThrow(RangeError);
      });
    });
  });
});
