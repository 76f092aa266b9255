import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { PresenceMember, ServerFrame } from '@heartbeat/protocol';
import { fakeWebSocketFactory, type FakeWebSocket } from '../testing/fake-web-socket.js';
import type { HeartbeatClientEventMap } from './client-events.js';
import { HeartbeatClient } from './heartbeat-client.js';
import { HeartbeatRequestError } from './heartbeat-request-error.js';
import { HeartbeatTopicError } from './heartbeat-topic-error.js';
import { withOutbox } from './outbox.feature.js';
import { withPresence } from './presence.feature.js';
import { withRequests } from './requests.feature.js';
import { HeartbeatClientOptionsError } from './resolve-client-options.js';

/** A client on fake sockets (the test plays the server's frames as docs/protocol.md says), with no reconnect jitter. */
function harness(requestTimeout?: number) {
  const sockets = fakeWebSocketFactory();
  const client = new HeartbeatClient({
    url: 'ws://server.test/ws',
    webSocket: sockets.WebSocket,
    jitter: 0,
    features: [withOutbox(), withRequests(requestTimeout === undefined ? {} : { timeout: requestTimeout }), withPresence()],
  });
  const errors: HeartbeatClientEventMap['error'][] = [];
  const unsubscribed: HeartbeatClientEventMap['unsubscribed'][] = [];
  const joined: HeartbeatClientEventMap['joined'][] = [];
  client.on('error', (payload) => errors.push(payload));
  client.on('unsubscribed', (payload) => unsubscribed.push(payload));
  client.on('joined', (payload) => joined.push(payload));
  /** Opens the next socket and welcomes it. */
  const welcome = async (userId?: string): Promise<FakeWebSocket> => {
    await jest.advanceTimersByTimeAsync(0);
    const socket = sockets.last();
    socket.serverOpen();
    socket.serverWelcome('session-1', userId === undefined ? {} : { user_id: userId });
    await jest.advanceTimersByTimeAsync(0);
    return socket;
  };
  const connect = async (userId?: string): Promise<FakeWebSocket> => {
    const connected = client.connect();
    const socket = await welcome(userId);
    await connected;
    return socket;
  };
  /** The link drops (1006) and the client reconnects after its first backoff delay. */
  const reconnect = async (socket: FakeWebSocket): Promise<FakeWebSocket> => {
    socket.serverClose(1006);
    await jest.advanceTimersByTimeAsync(5_000);
    return welcome();
  };
  return { client, sockets, errors, unsubscribed, joined, connect, reconnect };
}

/** Collects what an Observable delivers. */
function collect<T>(source: { subscribe: (observer: object) => { unsubscribe(): void } }) {
  const values: T[] = [];
  let error: unknown = null;
  let completed = false;
  const subscription = source.subscribe({
    next: (value: T) => values.push(value),
    error: (caught: unknown) => {
      error = caught;
    },
    complete: () => {
      completed = true;
    },
  });
  return { values, error: () => error, completed: () => completed, unsubscribe: () => subscription.unsubscribe() };
}

const member = (userId: string, connections = 1): PresenceMember => ({ user_id: userId, connections, since: 1_000 });
const subscribedFrame = (topic: string, seq = 0): ServerFrame => ({ type: 'subscribed', topic, epoch: 'e1', seq, recovered: true, replayed: 0 });
const eventFrame = (topic: string, seq: number): ServerFrame => ({
  type: 'event',
  topic,
  seq,
  epoch: 'e1',
  data: { seq },
  timestamp: '2026-01-01T00:00:00.000Z',
});

describe('HeartbeatClient', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  describe('#request', () => {
    it('sends a request frame and resolves with the result\'s data', async () => {
      const { client, connect } = harness();
      const socket = await connect();

      const answer = client.request<{ ok: boolean }>('alerts.ack', { id: 7 });
      const [frame] = socket.frames('request');
      socket.serverSend({ type: 'result', id: frame.id, data: { ok: true } });

      await expect(answer).resolves.toEqual({ ok: true });
      expect(frame).toMatchObject({ type: 'request', topic: 'alerts.ack', data: { id: 7 } });
    });

    it('gives requests ids no message id can have', async () => {
      const { client, connect } = harness();
      const socket = await connect();

      void client.send('chat', 'hi');
      void client.request('alerts.ack', 1);
      void client.request('alerts.ack', 2);

      const messageIds = socket.frames('message').map((frame) => frame.id);
      const requestIds = socket.frames('request').map((frame) => frame.id);
      expect(new Set([...messageIds, ...requestIds]).size).toBe(3);
      expect(requestIds.every((id) => /-r\d+$/.test(id))).toBe(true);
    });

    it('rejects with the server\'s code, message and details for an error naming the request, without an error event', async () => {
      const { client, connect, errors } = harness();
      const socket = await connect();

      const answer = client.request('alerts.ack', {});
      const [{ id }] = socket.frames('request');
      socket.serverSend({ type: 'error', code: 'invalid_request', message: 'id must be a number', ref: id, details: ['id must be a number'] });

      const error = await answer.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HeartbeatRequestError);
      expect(error).toMatchObject({ code: 'invalid_request', details: ['id must be a number'] });
      expect((error as Error).message).toContain('id must be a number');
      expect(errors).toEqual([]);
    });

    it('waits for the connection and sends the request after the welcome', async () => {
      const { client, connect } = harness();

      const answer = client.request('alerts.ack', 1);
      const socket = await connect();
      const [{ id }] = socket.frames('request');
      socket.serverSend({ type: 'result', id, data: 'done' });

      await expect(answer).resolves.toBe('done');
    });

    it('times out when no connection comes within the timeout, saying it was not sent', async () => {
      const { client } = harness();

      const answer = client.request('alerts.ack', 1, { timeout: 2_000 }).catch((caught: unknown) => caught);
      await jest.advanceTimersByTimeAsync(2_000);

      const error = await answer;
      expect(error).toMatchObject({ name: 'HeartbeatRequestError', code: 'timeout' });
      expect((error as Error).message).toContain('was not sent');
    });

    it('times out after the client\'s requestTimeout when the server does not answer, saying the handler may have run', async () => {
      const { client, connect } = harness(3_000);
      await connect();

      const answer = client.request('alerts.ack', 1).catch((caught: unknown) => caught);
      await jest.advanceTimersByTimeAsync(2_999);
      let settled = false;
      void answer.then(() => (settled = true));
      await jest.advanceTimersByTimeAsync(0);
      expect(settled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);

      const error = await answer;
      expect(error).toMatchObject({ code: 'timeout' });
      expect((error as Error).message).toContain('may or may not have run');
    });

    it('rejects with connection_lost when the connection ends after the request was sent, and does not send it again', async () => {
      const { client, connect, reconnect } = harness();
      const socket = await connect();

      const answer = client.request('alerts.ack', 1).catch((caught: unknown) => caught);
      const next = await reconnect(socket);

      const error = await answer;
      expect(error).toMatchObject({ code: 'connection_lost' });
      expect((error as Error).message).toContain('may or may not have run');
      expect(next.frames('request')).toEqual([]);
    });

    it('rejects waiting requests with destroyed on destroy(), and every later one', async () => {
      const { client } = harness();

      const waiting = client.request('alerts.ack', 1);
      client.destroy();

      await expect(waiting).rejects.toMatchObject({ code: 'destroyed' });
      await expect(client.request('alerts.ack', 1)).rejects.toMatchObject({ code: 'destroyed' });
    });

    it('rejects at once, sending nothing, for a bad topic name, data JSON cannot carry, or a bad timeout', async () => {
      const { client, connect } = harness();
      const socket = await connect();

      await expect(client.request('alerts ack', 1)).rejects.toMatchObject({ code: 'invalid_topic' });
      await expect(client.request('alerts.ack', { n: 1n })).rejects.toMatchObject({ code: 'invalid_data' });
      await expect(client.request('alerts.ack', 1, { timeout: -1 })).rejects.toBeInstanceOf(HeartbeatClientOptionsError);
      expect(socket.frames('request')).toEqual([]);
    });

    it('ignores a result for no request of its own', async () => {
      const { client, connect, errors } = harness();
      const socket = await connect();

      socket.serverSend({ type: 'result', id: 'unknown', data: 1 });

      expect(errors).toEqual([]);
      expect(client.state.status).toBe('connected');
    });
  });

  describe('#send (topic names)', () => {
    it('rejects a topic name outside the rules at once, sending nothing', async () => {
      const { client, connect } = harness();
      const socket = await connect();

      await expect(client.send('alerts*', 1)).rejects.toMatchObject({ name: 'HeartbeatSendError', code: 'invalid-topic' });
      expect(socket.frames('message')).toEqual([]);
    });
  });

  describe('#subscribe (refusals)', () => {
    it('errors the topic with a HeartbeatTopicError when the server refuses it, and leaves it out of the next hello', async () => {
      const { client, connect, reconnect } = harness();
      const socket = await connect();
      const other = collect(client.subscribe('alerts'));
      socket.serverSend(subscribedFrame('alerts', 3));
      const refused = collect(client.subscribe('user.feed#bob'));

      socket.serverSend({ type: 'error', code: 'forbidden', message: 'Not yours.', ref: 'user.feed#bob' });
      const next = await reconnect(socket);

      expect(refused.error()).toBeInstanceOf(HeartbeatTopicError);
      expect(refused.error()).toMatchObject({ code: 'forbidden', topic: 'user.feed#bob' });
      expect(other.error()).toBeNull();
      expect(next.frames('hello')[0].positions).toEqual({ alerts: 3 });
      expect(next.frames('subscribe')).toEqual([]);
    });

    it('errors every Observer of a topic that ends with unsubscribed forbidden, and tells it as an unsubscribed event', async () => {
      const { client, connect, unsubscribed } = harness();
      const socket = await connect();
      const first = collect(client.subscribe('alerts'));
      const second = collect(client.subscribe('alerts'));
      socket.serverSend(subscribedFrame('alerts'));

      socket.serverSend({ type: 'unsubscribed', topic: 'alerts', reason: 'forbidden' });

      expect([first.error(), second.error()]).toEqual([expect.any(HeartbeatTopicError), expect.any(HeartbeatTopicError)]);
      expect(unsubscribed).toEqual([{ topic: 'alerts', reason: 'forbidden' }]);
      expect(socket.frames('unsubscribe')).toEqual([]);
    });

    it('completes the topic\'s Observers when the server removed the connection from it', async () => {
      const { client, connect, unsubscribed } = harness();
      const socket = await connect();
      const observer = collect(client.subscribe('alerts'));
      socket.serverSend(subscribedFrame('alerts'));

      socket.serverSend({ type: 'unsubscribed', topic: 'alerts', reason: 'removed' });
      socket.serverSend(eventFrame('alerts', 1));

      expect(observer.completed()).toBe(true);
      expect(observer.values).toEqual([]);
      expect(unsubscribed).toEqual([{ topic: 'alerts', reason: 'removed' }]);
    });
  });

  describe('server-side joins', () => {
    it('tells a topic the server joined as a joined event, keeps its position and resumes it in the next hello', async () => {
      const { client, connect, reconnect, joined } = harness();
      const socket = await connect('alice');

      socket.serverSend(subscribedFrame('orders#alice', 5));
      socket.serverSend(eventFrame('orders#alice', 6));
      const later = collect(client.subscribe('orders#alice'));
      socket.serverSend(eventFrame('orders#alice', 7));
      const next = await reconnect(socket);

      expect(joined).toEqual([{ topic: 'orders#alice' }]);
      expect(later.values.map((value) => (value as { seq: number }).seq)).toEqual([7]);
      expect(next.frames('hello')[0].positions).toEqual({ 'orders#alice': 7 });
    });
  });

  describe('#presence$', () => {
    it('subscribes the topic asking for presence and follows the snapshot, joins and leaves', async () => {
      const { client, connect } = harness();
      const socket = await connect();

      const presence = collect<readonly PresenceMember[]>(client.presence$('room'));
      socket.serverSend(subscribedFrame('room'));
      socket.serverSend({ type: 'presence', topic: 'room', members: [member('alice')] });
      socket.serverSend({ type: 'join', topic: 'room', member: member('bob') });
      socket.serverSend({ type: 'leave', topic: 'room', user_id: 'alice' });

      expect(socket.frames('subscribe')).toEqual([{ type: 'subscribe', topic: 'room', presence: true }]);
      expect(presence.values.map((list) => list.map((m) => m.user_id))).toEqual([['alice'], ['alice', 'bob'], ['bob']]);
    });

    it('shares the topic\'s server subscription, asking again for presence when it comes after subscribe()', async () => {
      const { client, connect } = harness();
      const socket = await connect();
      const events = collect(client.subscribe('room'));
      socket.serverSend(subscribedFrame('room', 2));

      const presence = collect(client.presence$('room'));
      presence.unsubscribe();
      socket.serverSend(eventFrame('room', 3));

      expect(socket.frames('subscribe')).toEqual([
        { type: 'subscribe', topic: 'room' },
        { type: 'subscribe', topic: 'room', since: 2, presence: true },
      ]);
      expect(socket.frames('unsubscribe')).toEqual([]);
      expect(events.values).toHaveLength(1);
    });

    it('replaces the list with the snapshot after a reconnect: no member stays who left meanwhile', async () => {
      const { client, connect, reconnect } = harness();
      const socket = await connect();
      const presence = collect<readonly PresenceMember[]>(client.presence$('room'));
      socket.serverSend(subscribedFrame('room'));
      socket.serverSend({ type: 'presence', topic: 'room', members: [member('alice'), member('bob')] });

      const next = await reconnect(socket);
      next.serverSend(subscribedFrame('room'));
      next.serverSend({ type: 'presence', topic: 'room', members: [member('carol')] });

      expect(next.frames('subscribe')).toEqual([{ type: 'subscribe', topic: 'room', since: 0, presence: true }]);
      expect(presence.values.at(-1)?.map((m) => m.user_id)).toEqual(['carol']);
    });

    it('errors the presence alone when the server refuses it; the topic\'s events go on', async () => {
      const { client, connect } = harness();
      const socket = await connect();
      const events = collect(client.subscribe('room'));
      const presence = collect(client.presence$('room'));
      socket.serverSend(subscribedFrame('room'));

      socket.serverSend({ type: 'error', code: 'presence_disabled', message: 'No presence here.', ref: 'room' });
      socket.serverSend(eventFrame('room', 1));

      expect(presence.error()).toMatchObject({ name: 'HeartbeatTopicError', code: 'presence_disabled', topic: 'room' });
      expect(events.error()).toBeNull();
      expect(events.values).toHaveLength(1);
    });

    it('errors at once for a topic name outside the rules', () => {
      const { client } = harness();

      expect(collect(client.presence$('room with spaces')).error()).toMatchObject({ code: 'invalid_topic' });
    });
  });

  describe('#messages$', () => {
    it('delivers the server\'s messages to this connection with their topic, data and timestamp', async () => {
      const { client, connect } = harness();
      const socket = await connect();
      const messages = collect(client.messages$);

      socket.serverSend({ type: 'message', topic: 'notice', data: { text: 'hi' }, timestamp: '2026-01-01T00:00:01.000Z' });
      socket.serverSend({ type: 'message', data: 1, timestamp: '2026-01-01T00:00:02.000Z' });
      client.destroy();

      expect(messages.values).toEqual([
        { topic: 'notice', data: { text: 'hi' }, timestamp: '2026-01-01T00:00:01.000Z' },
        { topic: undefined, data: 1, timestamp: '2026-01-01T00:00:02.000Z' },
      ]);
      expect(messages.completed()).toBe(true);
    });
  });

  describe('#state', () => {
    it('holds the welcome\'s user as userId, and null for an anonymous connection', async () => {
      const { client, connect, reconnect } = harness();
      expect(client.state.userId).toBeNull();

      const socket = await connect('alice');
      expect(client.state.userId).toBe('alice');

      await reconnect(socket);
      expect(client.state.userId).toBeNull();
    });
  });
});
