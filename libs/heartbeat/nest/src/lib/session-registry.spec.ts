import { CloseCode, type EventFrame } from '@heartbeat/protocol';
import { BlackholeProxy, eventually, sleep, TestClient } from '@heartbeat/testing';
import { EventLog } from '../testing/event-log.js';
import { type TestApp, startTestApp } from '../testing/test-app.js';
import { HeartbeatMessages } from './core/heartbeat.messages.js';
import type { HeartbeatModuleOptions } from './core/heartbeat-options.interface.js';
import { SessionRegistry } from './core/session-registry.js';

const acceptGood = (token: string | undefined) => token === 'good';

describe('SessionRegistry', () => {
  let server: TestApp | undefined;
  let clients: TestClient[] = [];

  async function start(options: HeartbeatModuleOptions = {}): Promise<TestApp> {
    server = await startTestApp({ pingInterval: 5_000, heartbeatTimeout: 20_000, verifyToken: acceptGood, ...options });
    return server;
  }

  async function connect(url = server!.url): Promise<TestClient> {
    const client = await TestClient.connect(url);
    clients.push(client);
    return client;
  }

  /** Opens a connection, takes its session id and closes it; resolves once the server saw the close. */
  async function sessionOfClosedConnection(): Promise<string> {
    const client = await connect();
    const { session_id } = await client.hello('good');
    await client.close();
    await eventually(() => server!.service.connectionCount === 0, 'the server to see the close');
    return session_id;
  }

  const totals = () => server!.service.getTotals();

  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    clients = [];
    await server?.close();
    server = undefined;
  });

  describe('#attach', () => {
    it('resumes a session whose connection closed: same session_id, resumed true, counted and announced', async () => {
      await start();
      const log = new EventLog(server!.service.events$);
      const sessionId = await sessionOfClosedConnection();
      expect(totals()).toMatchObject({ retained_sessions: 1, resumed_sessions: 0 });

      const client = await connect();
      expect(await client.hello('good', { session_id: sessionId })).toMatchObject({ session_id: sessionId, resumed: true });
      expect(totals()).toMatchObject({ retained_sessions: 0, resumed_sessions: 1 });
      expect(log.of('authenticated').map((event) => [event.sessionId, event.resumed])).toEqual([
        [sessionId, false],
        [sessionId, true],
      ]);
      expect(server!.service.getLocalStats().connection_details[0].session_id).toBe(sessionId);
      log.stop();
    });

    it('resumes the same session again and again across reconnects', async () => {
      await start();
      let sessionId = await sessionOfClosedConnection();
      for (let round = 0; round < 3; round++) {
        const client = await connect();
        const welcome = await client.hello('good', { session_id: sessionId });
        expect(welcome).toMatchObject({ session_id: sessionId, resumed: true });
        sessionId = welcome.session_id;
        await client.close();
        await eventually(() => server!.service.connectionCount === 0, 'the server to see the close');
      }
      expect(totals().resumed_sessions).toBe(3);
    });

    it('starts a new session with resumed false for a session_id it does not know', async () => {
      await start();
      const client = await connect();
      const welcome = await client.hello('good', { session_id: 'not-a-session' });
      expect(welcome.resumed).toBe(false);
      expect(welcome.session_id).not.toBe('not-a-session');
      expect(totals().resumed_sessions).toBe(0);
    });

    it("gives a new session its connection's id", async () => {
      await start();
      const client = await connect();
      const welcome = await client.hello('good');
      const [details] = server!.service.getLocalStats().connection_details;
      expect([details.session_id, welcome.session_id]).toEqual([details.id, details.id]);
    });

    it('starts a new session once sessionTtl has passed since the connection closed', async () => {
      await start({ sessionTtl: 100 });
      const sessionId = await sessionOfClosedConnection();
      await sleep(150);
      const client = await connect();
      const welcome = await client.hello('good', { session_id: sessionId });
      expect(welcome.resumed).toBe(false);
      expect(welcome.session_id).not.toBe(sessionId);
      expect(totals().retained_sessions).toBe(0);
      expect(server!.app.get(SessionRegistry).size).toBe(1);
    });

    it('still resumes within sessionTtl', async () => {
      await start({ sessionTtl: 2_000 });
      const sessionId = await sessionOfClosedConnection();
      await sleep(100);
      const client = await connect();
      expect(await client.hello('good', { session_id: sessionId })).toMatchObject({ session_id: sessionId, resumed: true });
    });

    it('keeps nothing with sessionTtl 0: every hello starts a new session', async () => {
      await start({ sessionTtl: 0 });
      const sessionId = await sessionOfClosedConnection();
      expect(totals().retained_sessions).toBe(0);
      expect(server!.app.get(SessionRegistry).size).toBe(0);
      const client = await connect();
      expect(await client.hello('good', { session_id: sessionId })).toMatchObject({ resumed: false });
    });

    it('keeps at most maxRetainedSessions, forgetting the one that closed first', async () => {
      await start({ maxRetainedSessions: 2 });
      const [first, second, third] = [await sessionOfClosedConnection(), await sessionOfClosedConnection(), await sessionOfClosedConnection()];
      expect(totals().retained_sessions).toBe(2);
      expect(server!.app.get(SessionRegistry).size).toBe(2);

      const resumed = await Promise.all(
        [first, second, third].map(async (sessionId) => (await (await connect()).hello('good', { session_id: sessionId })).resumed),
      );
      expect(resumed).toEqual([false, true, true]);
    });

    it('drops the live connection still attached to the session (a half-open leftover) when a new one resumes it', async () => {
      const { port, service } = await start();
      const log = new EventLog(service.events$);
      const proxy = await BlackholeProxy.start(port);
      try {
        const old = await connect(`ws://127.0.0.1:${proxy.port}/ws`);
        const { session_id: sessionId } = await old.hello('good');
        const [{ id: oldId }] = service.getLocalStats().connection_details;
        proxy.blackhole(); // the old link dies silently: the server still believes in it

        const fresh = await connect();
        expect(await fresh.hello('good', { session_id: sessionId })).toMatchObject({ session_id: sessionId, resumed: true });
        const dropped = await log.next('disconnected', oldId);
        const [{ id: freshId }] = service.getLocalStats().connection_details.filter((details) => details.id !== oldId);
        expect(dropped).toMatchObject({ code: CloseCode.HeartbeatTimeout, reason: HeartbeatMessages.closeSuperseded(freshId) });
        expect(service.connectionCount).toBe(1);
        expect(totals()).toMatchObject({ session_takeovers: 1, resumed_sessions: 1, timeout_disconnections: 0 });

        // The session stays with the new connection, also after the old one is gone.
        await fresh.close();
        await eventually(() => service.connectionCount === 0, 'the new connection to close');
        const again = await connect();
        expect(await again.hello('good', { session_id: sessionId })).toMatchObject({ resumed: true });
      } finally {
        log.stop();
        await proxy.close();
      }
    });

    it('neither resumes a session nor drops its connection for a hello whose token is refused', async () => {
      const { service } = await start();
      const live = await connect();
      const { session_id: sessionId } = await live.hello('good');
      const intruder = await connect();
      intruder.send({ type: 'hello', token: 'bad', session_id: sessionId });
      expect((await intruder.closed).code).toBe(CloseCode.Unauthorized);
      live.send({ type: 'ping', timestamp: new Date().toISOString(), client_time: Date.now(), sequence: 7 });
      expect(await live.next('pong', 2_000, (pong) => pong.sequence === 7)).toMatchObject({ sequence: 7 });
      expect(totals()).toMatchObject({ session_takeovers: 0, resumed_sessions: 0 });
      expect(service.connectionCount).toBe(1);
    });
  });

  describe('resume end to end (session and positions)', () => {
    it('gets every event missed while disconnected exactly once, in order, before live ones', async () => {
      const { service } = await start();
      const first = await connect();
      const { session_id: sessionId } = await first.hello('good');
      first.send({ type: 'subscribe', topic: 'alerts' });
      await first.next('subscribed');
      for (let n = 1; n <= 3; n++) service.publish('alerts', { n });
      await eventually(() => first.all('event').length === 3, 'three live events');
      const last = first.all('event').at(-1)!.seq;
      await first.close();
      await eventually(() => service.connectionCount === 0, 'the server to see the close');

      for (let n = 4; n <= 8; n++) service.publish('alerts', { n });
      const second = await connect();
      second.send({ type: 'hello', token: 'good', session_id: sessionId, positions: { alerts: last } });
      // A publisher keeps going while the client resumes.
      const publisher = setInterval(() => service.publish('alerts', { live: true }), 2);
      try {
        expect(await second.next('welcome')).toMatchObject({ session_id: sessionId, resumed: true });
        await eventually(() => second.all('event').length >= 20, 'replayed and live events');
      } finally {
        clearInterval(publisher);
      }
      const subscribed = second.all('subscribed');
      expect(subscribed).toEqual([expect.objectContaining({ topic: 'alerts', recovered: true })]);
      const seqs = second.all('event').map((event: EventFrame) => event.seq);
      expect(seqs.slice(0, 5)).toEqual([4, 5, 6, 7, 8]);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => 4 + i));
      const firstFrames = second.frames.map((frame) => frame.type).filter((type) => type !== 'ping');
      expect(firstFrames.indexOf('subscribed')).toBeLessThan(firstFrames.indexOf('event'));
    });
  });
});
