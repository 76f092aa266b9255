import { CloseCode, ProtocolErrorCode } from '@heartbeat/protocol';
import { WebSocket } from 'ws';
import { BlackholeProxy, eventually, sleep, TestClient, type TestClientOptions } from '@heartbeat/testing';
import { type TestApp, startTestApp } from '../testing/test-app.js';
import { HeartbeatMessages } from './core/heartbeat.messages.js';
import type { HeartbeatLifecycleEvent } from './core/heartbeat-events.js';
import type { HeartbeatAuthContext, HeartbeatModuleOptions } from './core/heartbeat-options.interface.js';
import type { MemoryBackplane } from './core/memory-backplane.js';
import { Backplane } from './core/backplane.js';

/** What randomId() makes: 22 base64url characters. */
const RANDOM_ID = /^[A-Za-z0-9_-]{22}$/;
const FAST = { pingInterval: 100, heartbeatInterval: 100, heartbeatTimeout: 2_000 } satisfies HeartbeatModuleOptions;
const acceptGood = (token: string | undefined) => token === 'good';

describe('HandshakeService', () => {
  let server: TestApp | undefined;
  let clients: TestClient[] = [];

  async function start(options: HeartbeatModuleOptions = {}): Promise<TestApp> {
    server = await startTestApp({ ...FAST, ...options });
    return server;
  }

  async function connect(url = server!.url, options: TestClientOptions = {}): Promise<TestClient> {
    const client = await TestClient.connect(url, options);
    clients.push(client);
    return client;
  }

  /** Proves the connection is open and served: a client ping is answered. */
  async function expectServed(client: TestClient): Promise<void> {
    client.send({ type: 'ping', timestamp: new Date().toISOString(), client_time: Date.now(), sequence: 99 });
    expect(await client.next('pong', 2_000, (pong) => pong.sequence === 99)).toMatchObject({ sequence: 99 });
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
  }

  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    clients = [];
    await server?.close();
    server = undefined;
  });

  describe('#hello', () => {
    it('welcomes an accepted token with a new session, resumed false and the configured heartbeat settings', async () => {
      const { url } = await start({ verifyToken: acceptGood, pingInterval: 150, heartbeatTimeout: 2_500, maxMissedPings: 4 });
      const client = await connect(url);
      const before = Date.now();
      const welcome = await client.hello('good');
      const after = Date.now();
      expect(welcome).toEqual({
        type: 'welcome',
        session_id: expect.stringMatching(RANDOM_ID),
        resumed: false,
        heartbeat: { ping_interval: 150, heartbeat_timeout: 2_500, max_missed_pings: 4 },
        server_time: expect.any(Number),
        hello_subscribe: true,
      });
      expect(welcome.server_time).toBeGreaterThanOrEqual(before);
      expect(welcome.server_time).toBeLessThanOrEqual(after);

      const other = await connect(url);
      expect((await other.hello('good')).session_id).not.toBe(welcome.session_id);
    });

    it('closes with 4001 when the token is wrong, without a welcome', async () => {
      await start({ verifyToken: acceptGood });
      const client = await connect();
      client.send({ type: 'hello', token: 'bad' });
      expect(await client.closed).toEqual({ code: CloseCode.Unauthorized, reason: HeartbeatMessages.closeUnauthorized() });
      expect(client.all('welcome')).toEqual([]);
    });

    it('closes with 4001 when the token is missing', async () => {
      await start({ verifyToken: acceptGood });
      const client = await connect();
      client.send({ type: 'hello' });
      expect(await client.closed).toEqual({ code: CloseCode.Unauthorized, reason: HeartbeatMessages.closeUnauthorized() });
      expect(client.all('welcome')).toEqual([]);
    });

    it('accepts every client when there is no verifyToken', async () => {
      await start();
      const client = await connect();
      expect(await client.hello()).toMatchObject({ type: 'welcome', resumed: false });
    });

    it('waits for an async verifyToken: resolved true welcomes, resolved false closes with 4001', async () => {
      await start({
        verifyToken: async (token) => {
          await sleep(30);
          return token === 'good';
        },
      });
      const good = await connect();
      const bad = await connect();
      bad.send({ type: 'hello', token: 'bad' });
      expect(await good.hello('good')).toMatchObject({ type: 'welcome' });
      expect((await bad.closed).code).toBe(CloseCode.Unauthorized);
    });

    it('passes the token, the connection id, the remote address, the frame and the upgrade request to verifyToken', async () => {
      const calls: [string | undefined, HeartbeatAuthContext][] = [];
      const { service } = await start({
        verifyToken: (token, context) => {
          calls.push([token, context]);
          return true;
        },
      });
      const client = await connect(undefined, { headers: { 'x-tenant': 'acme' } });
      await client.hello('t-1');
      const [connection] = service.getLocalStats().connection_details;
      expect(calls).toHaveLength(1);
      const [token, context] = calls[0];
      expect(token).toBe('t-1');
      expect(context.connectionId).toBe(connection.id);
      expect(context.remoteAddress).toBe(connection.remote_address);
      expect(context.frame).toBe('hello');
      expect(context.request?.headers['x-tenant']).toBe('acme');
    });

    it.each([
      ['throws', () => {
        throw new Error('token store down');
      }],
      ['rejects', () => Promise.reject(new Error('token store down'))],
    ])('closes with 1011 when verifyToken %s', async (_case, verifyToken) => {
      await start({ verifyToken });
      const client = await connect();
      client.send({ type: 'hello', token: 'good' });
      expect(await client.closed).toEqual({ code: CloseCode.InternalError, reason: HeartbeatMessages.closeVerifyFailed() });
      expect(client.all('welcome')).toEqual([]);
    });

    it('answers a second hello with already_authenticated and keeps the connection', async () => {
      await start({ verifyToken: acceptGood });
      const client = await connect();
      await client.hello('good');
      client.send({ type: 'hello', token: 'good' });
      expect(await client.next('error')).toEqual({
        type: 'error',
        code: ProtocolErrorCode.AlreadyAuthenticated,
        message: HeartbeatMessages.alreadyAuthenticated(),
        ref: 'hello',
      });
      await expectServed(client);
      expect(client.all('welcome')).toEqual([]);
    });

    it('subscribes to hello.positions and replays the events after each position before live ones', async () => {
      const { app, service } = await start({ verifyToken: acceptGood });
      for (let n = 1; n <= 5; n++) service.publish('alerts', { n });
      for (let n = 1; n <= 2; n++) service.publish('news', { n });
      const client = await connect();
      client.send({ type: 'hello', token: 'good', positions: { alerts: 2, news: 0 } });
      await eventually(() => client.all('event').length === 5, '5 replayed events');
      service.publish('alerts', { n: 6 });
      await client.next('event', 2_000, (event) => event.topic === 'alerts' && event.seq === 6);

      const received = client.frames.filter((frame) => frame.type !== 'ping');
      const epoch = (app.get(Backplane) as MemoryBackplane).epoch;
      expect(received).toEqual([
        expect.objectContaining({ type: 'welcome' }),
        { type: 'subscribed', topic: 'alerts', epoch, seq: 5, recovered: true, replayed: 3 },
        expect.objectContaining({ type: 'event', topic: 'alerts', seq: 3, epoch, data: { n: 3 } }),
        expect.objectContaining({ type: 'event', topic: 'alerts', seq: 4, data: { n: 4 } }),
        expect.objectContaining({ type: 'event', topic: 'alerts', seq: 5, data: { n: 5 } }),
        { type: 'subscribed', topic: 'news', epoch, seq: 2, recovered: true, replayed: 2 },
        expect.objectContaining({ type: 'event', topic: 'news', seq: 1, data: { n: 1 } }),
        expect.objectContaining({ type: 'event', topic: 'news', seq: 2, data: { n: 2 } }),
      ]);
      expect(service.getLocalStats().connection_details[0].topics.sort()).toEqual(['alerts', 'news']);
    });

    it('subscribes the topics of hello.subscribe from their head, their subscribed answers in the welcome\'s TCP write', async () => {
      const { app, service } = await start({ verifyToken: acceptGood });
      service.publish('alerts', { n: 1 });
      const client = await connect();
      // What the client reads, chunk by chunk, beside ws's own reader of the socket.
      const chunks: string[] = [];
      (client.socket as unknown as { _socket: NodeJS.EventEmitter })._socket.on('data', (chunk: Buffer) => chunks.push(chunk.toString('latin1')));
      client.send({ type: 'hello', token: 'good', subscribe: ['alerts', 'news'] });
      await eventually(() => client.all('subscribed').length === 2, 'the subscribed answers of both topics');
      service.publish('alerts', { n: 2 });
      await eventually(() => client.all('event').length === 1, 'the live event');

      const epoch = (app.get(Backplane) as MemoryBackplane).epoch;
      expect(client.frames.filter((frame) => frame.type !== 'ping')).toEqual([
        expect.objectContaining({ type: 'welcome', hello_subscribe: true }),
        { type: 'subscribed', topic: 'alerts', epoch, seq: 1, recovered: true, replayed: 0 },
        { type: 'subscribed', topic: 'news', epoch, seq: 0, recovered: true, replayed: 0 },
        expect.objectContaining({ type: 'event', topic: 'alerts', seq: 2, data: { n: 2 } }),
      ]);
      expect(chunks[0]).toMatch(/"type":"welcome".*"topic":"alerts".*"topic":"news"/s);
    });

    it('does not subscribe to hello.positions when the token is refused', async () => {
      const { service } = await start({ verifyToken: acceptGood });
      service.publish('alerts', { n: 1 });
      const client = await connect();
      client.send({ type: 'hello', token: 'bad', positions: { alerts: 0 } });
      expect((await client.closed).code).toBe(CloseCode.Unauthorized);
      expect(client.frames).toEqual([]);
    });
  });

  describe('#start', () => {
    it('closes with 4008 once handshakeTimeout passed without a hello, and not before', async () => {
      await start({ handshakeTimeout: 150 });
      const connectingAt = Date.now();
      const client = await connect();
      await sleep(100);
      expect(client.socket.readyState).toBe(WebSocket.OPEN);
      const closed = await client.closed;
      const elapsed = Date.now() - connectingAt;
      expect(closed).toEqual({ code: CloseCode.HandshakeTimeout, reason: HeartbeatMessages.closeHandshakeTimeout(150) });
      expect(elapsed).toBeGreaterThanOrEqual(145);
      expect(elapsed).toBeLessThan(600);
      expect(client.frames).toEqual([]);
    });

    it('keeps a connection whose hello arrived in time', async () => {
      await start({ handshakeTimeout: 150 });
      const client = await connect();
      await client.hello();
      await sleep(300);
      await expectServed(client);
    });

    it('closes with 4008 when verifyToken is still running at the deadline, without a welcome', async () => {
      await start({
        handshakeTimeout: 150,
        verifyToken: async () => {
          await sleep(300);
          return true;
        },
      });
      const client = await connect();
      client.send({ type: 'hello', token: 'good' });
      expect((await client.closed).code).toBe(CloseCode.HandshakeTimeout);
      await sleep(250);
      expect(client.all('welcome')).toEqual([]);
    });

    it('never authenticates a connection whose deadline passed while verifyToken ran, even before its close completes', async () => {
      let verifying!: () => void;
      const verifyStarted = new Promise<void>((resolve) => (verifying = resolve));
      const { port, service } = await start({
        handshakeTimeout: 150,
        verifyToken: async () => {
          verifying();
          await sleep(300);
          return true;
        },
      });
      const events: HeartbeatLifecycleEvent[] = [];
      const subscription = service.events$.subscribe((event) => events.push(event));
      // The proxy swallows the server's close frame, so the server-side socket stays in CLOSING.
      const proxy = await BlackholeProxy.start(port);
      try {
        const client = await connect(`ws://127.0.0.1:${proxy.port}/ws`);
        client.send({ type: 'hello', token: 'good' });
        await verifyStarted;
        proxy.blackhole();
        await sleep(450);
        expect(events.map((event) => event.type)).toEqual(['connected']);
        const [details] = service.getLocalStats().connection_details;
        expect(details).toMatchObject({ session_id: null, ping_count: 0 });
        expect(details.state).not.toBe('open');
      } finally {
        subscription.unsubscribe();
        await proxy.close();
      }
    });
  });

  describe('#start (before hello)', () => {
    it('answers every frame other than hello with handshake_required and sends nothing else (no pings, no events) until a valid hello', async () => {
      const { service } = await start({ pingInterval: 50, heartbeatTimeout: 2_000 });
      const client = await connect();
      const now = new Date().toISOString();
      const early = [
        { type: 'subscribe', topic: 'alerts' },
        { type: 'ping', timestamp: now, client_time: Date.now(), sequence: 1 },
        { type: 'message', id: 'm-1', topic: 'alerts', data: {} },
        { type: 'auth', token: 'good' },
      ];
      for (const frame of early) {
        client.send(frame);
        service.publish('alerts', { early: frame.type });
      }
      await eventually(() => client.all('error').length === early.length, 'an error for every early frame');
      await sleep(300); // six ping intervals
      service.publish('alerts', { early: 'late' });
      await sleep(50);

      expect(client.frames).toEqual(
        early.map((frame) => ({
          type: 'error',
          code: ProtocolErrorCode.HandshakeRequired,
          message: HeartbeatMessages.handshakeRequired(),
          ref: frame.type,
        })),
      );
      expect(client.pingCount).toBe(0);

      await client.hello();
      expect(await client.next('ping', 1_000)).toMatchObject({ type: 'ping', sequence: 1 });
      expect(client.all('event')).toEqual([]);
    });
  });

  describe('#hello (nothing before authentication)', () => {
    it('sends nothing while verifyToken runs (no pings, no events), and nothing but the close to a refused token', async () => {
      let release!: (verdict: boolean) => void;
      const { service } = await start({
        pingInterval: 50,
        verifyToken: (token) => (token === 'slow' ? new Promise<boolean>((resolve) => (release = resolve)) : false),
      });
      const waiting = await connect();
      waiting.send({ type: 'hello', token: 'slow', positions: { alerts: 0 } });
      const refused = await connect();
      refused.send({ type: 'hello', token: 'bad', positions: { alerts: 0 } });
      for (let n = 0; n < 5; n++) {
        service.publish('alerts', { n });
        await sleep(40); // pings would be due every 50 ms
      }
      expect(waiting.frames).toEqual([]);
      expect((await refused.closed).code).toBe(CloseCode.Unauthorized);
      expect(refused.frames).toEqual([]);

      release(true);
      expect(await waiting.next('welcome')).toMatchObject({ type: 'welcome' });
      // The first frame after the welcome is the replay's subscribed, not an event or a ping.
      await eventually(() => waiting.frames.length > 0, 'a frame after the welcome');
      expect(waiting.frames[0]).toMatchObject({ type: 'subscribed', topic: 'alerts', replayed: 5 });
    });
  });

  describe('identity', () => {
    /** `u:<user>` names a user, `u:<user>+<role>` a user with a role claim; `anon` is anonymous. */
    const verifyUser = (token: string | undefined) => {
      if (token === 'anon') return true;
      if (!token?.startsWith('u:')) return false;
      const [userId, role] = token.slice(2).split('+');
      return { userId, claims: role === undefined ? {} : { role } };
    };

    async function owner(token: string) {
      const client = await connect();
      return { client, welcome: await client.hello(token) };
    }

    it('names the user in welcome, connection_details, the authenticated and disconnected events and messages$; none when anonymous', async () => {
      const { service } = await start({ verifyToken: verifyUser });
      const events: HeartbeatLifecycleEvent[] = [];
      service.events$.subscribe((event) => events.push(event));
      const messages: unknown[] = [];
      service.messages$.subscribe((message) => messages.push(message));
      const alice = await owner('u:alice');
      const anonymous = await owner('anon');
      expect(alice.welcome.user_id).toBe('alice');
      expect(anonymous.welcome).not.toHaveProperty('user_id');
      const rows = service.getLocalStats().connection_details;
      expect(rows.find((row) => row.session_id === alice.welcome.session_id)?.user_id).toBe('alice');
      expect(rows.find((row) => row.session_id === anonymous.welcome.session_id)?.user_id).toBeNull();
      alice.client.send({ type: 'message', id: 'm1', data: 'hi' });
      await alice.client.next('ack');
      expect(messages).toEqual([expect.objectContaining({ id: 'm1', userId: 'alice' })]);
      await alice.client.close();
      await eventually(() => events.some((event) => event.type === 'disconnected' && event.userId === 'alice'), 'alice disconnected');
      const authenticated = events.filter((event) => event.type === 'authenticated');
      expect(authenticated.map((event) => event.userId)).toEqual(['alice', undefined]);
    });

    it('gives a hello naming another user’s live session a new session, and leaves the owner connected and served', async () => {
      const { service } = await start({ verifyToken: verifyUser });
      const alice = await owner('u:alice');
      const mallory = await connect();
      const welcome = await mallory.hello('u:mallory', { session_id: alice.welcome.session_id });
      expect(welcome).toMatchObject({ resumed: false, user_id: 'mallory' });
      expect(welcome.session_id).not.toBe(alice.welcome.session_id);
      await expectServed(alice.client);
      expect(service.getTotals()).toMatchObject({ session_refusals: 1, session_takeovers: 0, resumed_sessions: 0 });
    });

    it('gives a replayed session id of another user a new session; the owner still resumes theirs, with nothing of the intruder in it', async () => {
      const { service } = await start({ verifyToken: verifyUser });
      const alice = await owner('u:alice');
      alice.client.send({ type: 'message', id: 'from-alice', data: 1 });
      await alice.client.next('ack');
      await alice.client.close();
      await eventually(() => service.connectionCount === 0, 'alice gone');
      const handed: string[] = [];
      service.messages$.subscribe((message) => handed.push(`${message.userId}:${message.id}`));

      for (const token of ['u:mallory', 'anon']) {
        const intruder = await connect();
        const welcome = await intruder.hello(token, { session_id: alice.welcome.session_id });
        expect(welcome.resumed).toBe(false);
        expect(welcome.session_id).not.toBe(alice.welcome.session_id);
        // The owner's message ids are not the intruder's: the same id is a new message, not a duplicate.
        intruder.send({ type: 'message', id: 'from-alice', data: 2 });
        await intruder.next('ack');
      }
      const back = await connect();
      expect(await back.hello('u:alice', { session_id: alice.welcome.session_id })).toMatchObject({ resumed: true, session_id: alice.welcome.session_id });
      back.send({ type: 'message', id: 'from-alice', data: 3 });
      await back.next('ack');
      expect(handed).toEqual(['mallory:from-alice', 'undefined:from-alice']);
      expect(service.getTotals()).toMatchObject({ session_refusals: 2, resumed_sessions: 1, duplicate_messages: 1 });
    });

    it('does not let a user resume an anonymous client’s session', async () => {
      const { service } = await start({ verifyToken: verifyUser });
      const anonymous = await owner('anon');
      const alice = await connect();
      const welcome = await alice.hello('u:alice', { session_id: anonymous.welcome.session_id });
      expect(welcome.session_id).not.toBe(anonymous.welcome.session_id);
      await expectServed(anonymous.client);
      expect(service.getTotals().session_refusals).toBe(1);
    });
  });

  describe('#auth', () => {
    it.each([
      ['another user', 'u:alice', 'u:bob'],
      ['an anonymous token on a user’s connection', 'u:alice', 'anon'],
      ['a user token on an anonymous connection', 'anon', 'u:alice'],
    ])('closes with 4001, saying the token belongs to another user, for %s', async (_case, first, second) => {
      const verifyToken = (token: string | undefined) => (token === 'anon' ? true : { userId: token?.slice(2) ?? '' });
      const { service } = await start({ verifyToken });
      const client = await connect();
      await client.hello(first);
      client.send({ type: 'subscribe', topic: 'alerts' });
      await client.next('subscribed');
      client.send({ type: 'auth', token: second });
      expect(await client.closed).toEqual({ code: CloseCode.Unauthorized, reason: HeartbeatMessages.closeOtherUser() });
      await service.publish('alerts', 'after');
      expect(client.all('event')).toEqual([]);
      expect(client.all('authenticated')).toEqual([]);
    });

    it('takes back, with unsubscribed {reason: "forbidden"}, the topics a fresh token no longer allows, and keeps the rest', async () => {
      const verifyToken = (token: string | undefined) => ({ userId: 'alice', claims: { role: token } });
      const { service } = await start({
        verifyToken,
        authorize: [
          { topic: 'ops', allow: { claim: 'role', equals: 'operator' } },
          { topic: 'alerts', allow: 'authenticated' },
        ],
      });
      const client = await connect();
      await client.hello('operator');
      for (const topic of ['ops', 'alerts']) {
        client.send({ type: 'subscribe', topic });
        await client.next('subscribed', 2_000, (frame) => frame.topic === topic);
      }
      client.send({ type: 'auth', token: 'viewer' });
      await client.next('authenticated');
      expect(await client.next('unsubscribed')).toEqual({ type: 'unsubscribed', topic: 'ops', reason: 'forbidden' });
      await service.publish('ops', 'secret');
      await service.publish('alerts', 'public');
      // Published before, the ops event would have come first.
      expect(await client.next('event')).toMatchObject({ topic: 'alerts', data: 'public' });
      expect(client.all('event')).toEqual([]);
      expect(service.getLocalStats().connection_details[0].topics).toEqual(['alerts']);
      client.send({ type: 'subscribe', topic: 'ops' });
      expect(await client.next('error')).toMatchObject({ code: ProtocolErrorCode.Forbidden, ref: 'ops' });
    });

    it('closes with 4001 when the fresh token is refused', async () => {
      await start({ verifyToken: acceptGood });
      const client = await connect();
      await client.hello('good');
      client.send({ type: 'auth', token: 'expired' });
      expect(await client.closed).toEqual({ code: CloseCode.Unauthorized, reason: HeartbeatMessages.closeUnauthorized() });
    });

    it('keeps the connection and its subscriptions when the fresh token is accepted', async () => {
      const { service } = await start({ verifyToken: acceptGood });
      const client = await connect();
      await client.hello('good');
      client.send({ type: 'subscribe', topic: 'alerts' });
      await client.next('subscribed');
      client.send({ type: 'auth', token: 'good' });
      expect(await client.next('authenticated')).toEqual({ type: 'authenticated' });
      await expectServed(client);
      service.publish('alerts', { after: 'auth' });
      expect(await client.next('event')).toMatchObject({ topic: 'alerts', data: { after: 'auth' } });
      expect(client.all('error')).toEqual([]);
    });

    it('tells verifyToken the token came in auth, without the upgrade request (released after hello)', async () => {
      const contexts: HeartbeatAuthContext[] = [];
      await start({
        verifyToken: (token, context) => {
          contexts.push(context);
          return token === 'good';
        },
      });
      const client = await connect(undefined, { headers: { 'x-tenant': 'acme' } });
      await client.hello('good');
      client.send({ type: 'auth', token: 'good' });
      await client.next('authenticated');
      expect(contexts.map((context) => [context.frame, context.request?.headers['x-tenant']])).toEqual([
        ['hello', 'acme'],
        ['auth', undefined],
      ]);
      expect(contexts[1].connectionId).toBe(contexts[0].connectionId);
    });
  });

  describe('HeartbeatWsAdapter#create (allowedOrigins)', () => {
    it('refuses the upgrade with HTTP 403 for an origin not in the list, and for no origin', async () => {
      const { url, service } = await start({ allowedOrigins: ['http://ok'] });
      await expect(TestClient.connect(url, { headers: { Origin: 'http://evil' } })).rejects.toThrow(
        'upgrade refused with HTTP 403',
      );
      await expect(TestClient.connect(url)).rejects.toThrow('upgrade refused with HTTP 403');
      expect(service.connectionCount).toBe(0);
    });

    it('accepts an origin in the list', async () => {
      const { url } = await start({ allowedOrigins: ['http://ok'] });
      const client = await connect(url, { headers: { Origin: 'http://ok' } });
      expect(await client.hello()).toMatchObject({ type: 'welcome' });
    });

    it('asks a predicate about each origin', async () => {
      const seen: (string | undefined)[] = [];
      const { url } = await start({
        allowedOrigins: (origin) => {
          seen.push(origin);
          return origin === 'http://ok';
        },
      });
      await expect(TestClient.connect(url, { headers: { Origin: 'http://evil' } })).rejects.toThrow('HTTP 403');
      const client = await connect(url, { headers: { Origin: 'http://ok' } });
      expect(await client.hello()).toMatchObject({ type: 'welcome' });
      expect(seen).toEqual(['http://evil', 'http://ok']);
    });
  });
});
