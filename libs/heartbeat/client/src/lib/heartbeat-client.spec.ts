import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { formatRetryHint } from '@heartbeat/protocol';
import { BehaviorSubject, Subject } from 'rxjs';
import { fakeBroadcastHub } from '../testing/fake-broadcast-channel.js';
import { fakeWebSocketFactory, type FakeWebSocket } from '../testing/fake-web-socket.js';
import { manualClock } from '../testing/manual-clock.js';
import { withTestHooks } from '../testing/with-test-hooks.js';
import type { HeartbeatClientEventMap, HeartbeatClientEventName } from './client-events.js';
import type { HeartbeatClientOptions } from './client-options.js';
import type { HeartbeatClientState } from './client-state.js';
import type { ConnectivitySignals } from './connectivity-signals.js';
import * as ClientMessages from './client.messages.js';
import { HeartbeatClient } from './heartbeat-client.js';
import { HeartbeatClientOptionsError } from './resolve-client-options.js';
import type { HeartbeatClientFeature } from './client-feature.js';
import { withNodeDiagnostics } from './node-diagnostics.feature.js';
import { withOutbox } from './outbox.feature.js';
import { withPresence } from './presence.feature.js';
import { MAX_MESSAGES_IN_FLIGHT } from './outbox.js';
import { withRequests } from './requests.feature.js';
import { withResumeStorage } from './resume-storage.feature.js';
import type { StorageLike } from './resume-store.js';
import type { BroadcastChannelFactory } from './session-claims.js';
import { withTokenRefresh } from './token-refresh.feature.js';
import type { ClientTestHooks } from './test-hooks.js';

const SOURCE_SCHEDULE = [5000, 7500, 11250, 16875, 25312.5];

function fakeConnectivity() {
  const online$ = new Subject<void>();
  const offline$ = new Subject<void>();
  const resumed$ = new Subject<void>();
  const pageHidden$ = new Subject<void>();
  let online = true;
  const signals: ConnectivitySignals = { isOnline: () => online, online$, offline$, resumed$, pageHidden$ };
  return {
    signals,
    goOffline: () => {
      online = false;
      offline$.next();
    },
    goOnline: () => {
      online = true;
      online$.next();
    },
    pageVisible: () => resumed$.next(),
    pageHidden: () => pageHidden$.next(),
  };
}

/** The opt-in features a test client has unless the test names its own (docs/client.md#features). */
const ALL_FEATURES = () => [withOutbox(), withRequests(), withTokenRefresh(), withPresence(), withNodeDiagnostics()];

/**
 * Every feature, with resume storage on `storage`. Real BroadcastChannels would connect the clients
 * of different tests; tests that need one pass a fake.
 */
function persisted(storage: StorageLike, broadcastChannel: BroadcastChannelFactory | false = false): HeartbeatClientFeature[] {
  return [...ALL_FEATURES(), withResumeStorage({ storage, broadcastChannel })];
}

function setup(options: Partial<HeartbeatClientOptions> = {}, hooks: ClientTestHooks = {}) {
  const sockets = fakeWebSocketFactory();
  const connectivity = fakeConnectivity();
  const client = new HeartbeatClient(
    withTestHooks(
      {
        url: 'ws://server.test/ws',
        webSocket: sockets.WebSocket,
        connectivity: connectivity.signals,
        jitter: 0,
        features: ALL_FEATURES(),
        ...options,
      },
      { random: () => 0.5, ...hooks },
    ),
  );
  const seen: { name: HeartbeatClientEventName; payload: unknown; at: number }[] = [];
  const names: HeartbeatClientEventName[] = [
    'connection_established',
    'connection_lost',
    'reconnecting',
    'reconnect_failed',
    'pong',
    'error',
    'resumed',
    'gap',
  ];
  for (const name of names) client.on(name, (payload) => seen.push({ name, payload, at: Date.now() }));
  const eventsNamed = <K extends HeartbeatClientEventName>(name: K) =>
    seen.filter((e) => e.name === name).map((e) => e.payload as HeartbeatClientEventMap[K]);
  return { client, sockets, connectivity, seen, eventsNamed };
}

/** An `event` frame of topic `alerts` (by default) at `seq`. */
function event(seq: number, epoch = 'e1', topic = 'alerts') {
  return { type: 'event' as const, topic, seq, epoch, data: { n: seq }, timestamp: new Date().toISOString() };
}

/** Lets promise callbacks (token provider, connect()) run without moving the clock. */
const flush = () => jest.advanceTimersByTimeAsync(0);

async function connectNow(
  harness: ReturnType<typeof setup>,
  sessionId = 'session-1',
  welcome?: Parameters<FakeWebSocket['serverWelcome']>[1],
): Promise<FakeWebSocket> {
  const connected = harness.client.connect();
  await flush();
  const socket = harness.sockets.last();
  socket.serverOpen();
  socket.serverWelcome(sessionId, welcome);
  await connected;
  return socket;
}

/** Plays a server that is down: every new socket fails with 1006 as soon as it exists. */
async function failEachAttemptFor(harness: ReturnType<typeof setup>, ms: number): Promise<{ startedAt: number; failedAt: number }[]> {
  const attempts: { startedAt: number; failedAt: number }[] = [];
  let known = harness.sockets.sockets.length;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await jest.advanceTimersByTimeAsync(250);
    while (harness.sockets.sockets.length > known) {
      const socket = harness.sockets.sockets[known++];
      attempts.push({ startedAt: socket.createdAt, failedAt: Date.now() });
      socket.serverClose(1006);
      await flush();
    }
  }
  return attempts;
}

describe('HeartbeatClient', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  describe('#connect', () => {
    it('sends hello with the token and resolves on welcome', async () => {
      const harness = setup({ token: 'secret', clientInfo: { name: 'spec', version: '1' } });
      const socket = await connectNow(harness);
      expect(socket.url).toBe('ws://server.test/ws');
      expect(socket.frames('hello')).toEqual([{ type: 'hello', token: 'secret', client: { name: 'spec', version: '1' } }]);
      expect(harness.client.state).toMatchObject({ status: 'connected', phase: 'connected', sessionId: 'session-1', connectedAt: Date.now() });
      expect(harness.eventsNamed('connection_established')).toEqual([
        { sessionId: 'session-1', resumed: false, reconnect: false, at: Date.now() },
      ]);
    });

    it('calls a token provider on every attempt', async () => {
      let issued = 0;
      const harness = setup({ token: async () => `token-${++issued}` });
      const first = await connectNow(harness);
      first.serverClose(1006);
      await jest.advanceTimersByTimeAsync(5000);
      harness.sockets.last().serverOpen();
      expect(harness.sockets.last().frames('hello')[0].token).toBe('token-2');
    });

    it('returns promises that settle together when called twice while connecting', async () => {
      const { client, sockets } = setup();
      const a = client.connect();
      const b = client.connect();
      await flush();
      expect(sockets.sockets).toHaveLength(1);
      sockets.last().serverOpen();
      sockets.last().serverWelcome();
      await expect(Promise.all([a, b])).resolves.toEqual([undefined, undefined]);
      await expect(client.connect()).resolves.toBeUndefined();
    });

    it('rejects when the attempt fails and keeps retrying in the background', async () => {
      const { client, sockets } = setup();
      const attempt = client.connect();
      await flush();
      sockets.last().serverOpen();
      sockets.last().serverClose(1006);
      await expect(attempt).rejects.toThrow('closed the connection before welcome (code 1006)');
      expect(client.state).toMatchObject({ phase: 'backoff', status: 'connecting', isReconnecting: true, nextReconnectAt: Date.now() + 5000 });
    });

    it('skips a scheduled wait and connects at once', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      socket.serverClose(1006);
      await flush();
      expect(harness.client.state.phase).toBe('backoff');
      const again = harness.client.connect();
      await flush();
      expect(harness.sockets.sockets).toHaveLength(2);
      harness.sockets.last().serverOpen();
      harness.sockets.last().serverWelcome('session-2');
      await expect(again).resolves.toBeUndefined();
    });

    it('gives up on an attempt that gets no welcome within connectTimeout', async () => {
      const { client, sockets } = setup({ connectTimeout: 2000 });
      const attempt = client.connect().catch((error: Error) => error.message);
      await flush();
      sockets.last().serverOpen();
      await jest.advanceTimersByTimeAsync(2000);
      await expect(attempt).resolves.toMatch('sent no welcome within connectTimeout (2000 ms): it does not look like a Heartbeat endpoint');
      expect(sockets.last().closedWith).toEqual({ code: 1000, reason: '' });
      expect(client.state).toMatchObject({ phase: 'backoff', lastErrorKind: 'no-welcome' });
    });

    it('says the socket did not open when connectTimeout runs out before the upgrade answered', async () => {
      const { client, sockets } = setup({ connectTimeout: 2000 });
      const attempt = client.connect().catch((error: Error) => error.message);
      await flush();
      await jest.advanceTimersByTimeAsync(2000);
      await expect(attempt).resolves.toMatch('The WebSocket to ws://server.test/ws did not open within connectTimeout (2000 ms)');
      expect(sockets.last().closedWith).toEqual({ code: 1000, reason: '' });
      expect(client.state.lastErrorKind).toBe('connect-timeout');
    });

    it('blames the token provider when connectTimeout runs out while it is still asked', async () => {
      const { client, sockets } = setup({ connectTimeout: 2000, token: () => new Promise<string>(() => undefined) });
      const attempt = client.connect().catch((error: Error) => error.message);
      await jest.advanceTimersByTimeAsync(2000);
      await expect(attempt).resolves.toMatch('The token provider did not answer within connectTimeout (2000 ms)');
      expect(sockets.sockets).toHaveLength(0);
      expect(client.state.lastErrorKind).toBe('token-provider');
    });
  });

  describe('first connection failures', () => {
    const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4000'), { code: 'ECONNREFUSED' });

    /** The latest socket's upgrade fails: with `error` as ws reports it, without as a browser does. */
    const failUpgrade = (harness: ReturnType<typeof setup>, error?: Error) => {
      harness.sockets.last().serverError(error);
      harness.sockets.last().serverClose(1006);
    };

    async function firstAttemptFails(harness: ReturnType<typeof setup>, error?: Error): Promise<void> {
      harness.client.connect().catch(() => undefined);
      await flush();
      failUpgrade(harness, error);
      await flush();
    }

    it('names the cause ws reports in the error event, lastError and lastErrorKind, and rejects connect() with it', async () => {
      const harness = setup({ url: 'ws://127.0.0.1:4000/ws' });
      const attempt = harness.client.connect().catch((error: unknown) => error);
      await flush();
      failUpgrade(harness, refused());

      const failure = (await attempt) as { kind: string; message: string; code: number };
      expect(failure).toMatchObject({ name: 'ConnectionFailure', kind: 'connection-refused', code: 1006 });
      expect(failure.message).toMatch(/^Connection refused by 127\.0\.0\.1:4000 \(ECONNREFUSED\): is the Heartbeat server running at ws:\/\/127\.0\.0\.1:4000\/ws\?/);
      expect(harness.eventsNamed('error')).toEqual([{ message: failure.message, code: '1006', kind: 'connection-refused', at: Date.now() }]);
      expect(harness.client.state).toMatchObject({ phase: 'backoff', lastError: failure.message, lastErrorKind: 'connection-refused', lastCloseCode: 1006 });
    });

    it.each([
      [404, 'not-found', 'nothing serves WebSockets at the path "/socket"'],
      [403, 'origin-refused', 'allowedOrigins'],
    ])('names the HTTP status ws reports: %i is %s', async (status, kind, text) => {
      const harness = setup({ url: 'ws://127.0.0.1:4000/socket' });
      await firstAttemptFails(harness, new Error(`Unexpected server response: ${status}`));

      expect(harness.client.state.lastErrorKind).toBe(kind);
      expect(harness.client.state.lastError).toContain(text);
    });

    it('lists the possible causes when the error event says nothing, as in a browser', async () => {
      const harness = setup();
      await firstAttemptFails(harness);

      expect(harness.client.state.lastErrorKind).toBe('upgrade-failed');
      expect(harness.client.state.lastError).toMatch(/^The WebSocket upgrade at ws:\/\/server\.test\/ws failed before the connection opened \(the browser does not say why\)\. Check: /);
      expect(harness.eventsNamed('error')[0]).toMatchObject({ kind: 'upgrade-failed', code: '1006' });
    });

    it('keeps the cause in lastError and lastErrorKind after the attempts run out', async () => {
      const harness = setup({ url: 'ws://127.0.0.1:4000/ws', maxReconnectAttempts: 1, suspendedRetryInterval: 0 });
      harness.client.connect().catch(() => undefined);
      await flush();
      for (let attempt = 0; attempt < 2; attempt++) {
        failUpgrade(harness, refused());
        await jest.advanceTimersByTimeAsync(5000);
      }

      expect(harness.sockets.sockets).toHaveLength(2);
      const cause = harness.eventsNamed('error')[0].message;
      expect(harness.client.state).toMatchObject({
        status: 'error',
        phase: 'failed',
        lastError: `Could not reconnect after 1 attempt; call connect() to try again. Last error: ${cause}`,
        lastErrorKind: 'connection-refused',
      });
      expect(harness.eventsNamed('reconnect_failed')).toEqual([{ attempts: 1, lastError: cause, kind: 'connection-refused', willRetry: false }]);
    });

    it('keeps the cause while the slow retries run', async () => {
      const harness = setup({ maxReconnectAttempts: 1 });
      harness.client.connect().catch(() => undefined);
      await flush();
      for (let attempt = 0; attempt < 2; attempt++) {
        failUpgrade(harness, new Error('Unexpected server response: 404'));
        await jest.advanceTimersByTimeAsync(5000);
      }

      expect(harness.client.state).toMatchObject({ phase: 'suspended', lastErrorKind: 'not-found' });
      expect(harness.client.state.lastError).toContain('HTTP 404');
    });

    it('names a token rejected before welcome, and clears the kind with the error once connected', async () => {
      const harness = setup({ token: 'wrong' });
      harness.client.connect().catch(() => undefined);
      await flush();
      harness.sockets.last().serverOpen();
      harness.sockets.last().serverClose(4001, 'unauthorized: the token is missing, invalid or expired');
      await flush();
      expect(harness.eventsNamed('error')[0]).toMatchObject({ kind: 'unauthorized', code: '4001' });
      expect(harness.eventsNamed('error')[0].message).toContain('The server rejected the token (4001');

      harness.sockets.last().serverOpen();
      harness.sockets.last().serverWelcome();
      await flush();
      expect(harness.client.state).toMatchObject({ phase: 'connected', lastError: null, lastErrorKind: null });
    });
  });

  describe('reconnect schedule', () => {
    it('follows the default backoff schedule exactly with jitter 0, then slows to suspendedRetryInterval', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      const lostAt = Date.now();
      socket.serverClose(1006);
      const attempts = await failEachAttemptFor(harness, 200_000);
      const waits = attempts.map((a, i) => a.startedAt - (i === 0 ? lostAt : attempts[i - 1].failedAt));
      // Timers run on whole milliseconds: 25312.5 ms fires at 25312.
      expect(waits.slice(0, 5)).toEqual(SOURCE_SCHEDULE.map(Math.floor));
      expect(waits.slice(5, 7)).toEqual([60_000, 60_000]);
      expect(harness.eventsNamed('reconnecting').slice(0, 5).map((e) => e.delayMs)).toEqual(SOURCE_SCHEDULE);
      expect(harness.eventsNamed('reconnect_failed')).toEqual([
        { attempts: 5, lastError: expect.stringContaining('failed before the connection opened'), kind: 'upgrade-failed', willRetry: true },
      ]);
      const slow = harness.eventsNamed('reconnecting').slice(5);
      expect(slow.length).toBeGreaterThanOrEqual(2);
      expect(slow.every((e) => e.delayMs === 60_000 && e.suspended)).toBe(true);
      expect(harness.client.state.status).toBe('error');
    });

    it('stops with status error after the fast attempts when suspendedRetryInterval is 0', async () => {
      const harness = setup({ suspendedRetryInterval: 0 });
      const socket = await connectNow(harness);
      socket.serverClose(1006);
      const attempts = await failEachAttemptFor(harness, 120_000);
      expect(attempts).toHaveLength(5);
      expect(harness.client.state).toMatchObject({ status: 'error', phase: 'failed', isReconnecting: false, nextReconnectAt: null });
      expect(harness.client.state.lastError).toContain('Could not reconnect after 5 attempts');
      expect(harness.eventsNamed('reconnect_failed')).toEqual([{ attempts: 5, lastError: expect.any(String), kind: 'upgrade-failed', willRetry: false }]);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('keeps jittered delays within (1 - jitter) × delay .. delay', async () => {
      const draws = [0, 0.999, 0.5, 0.25, 0.75];
      let draw = 0;
      const harness = setup({ jitter: 0.3 }, { random: () => draws[draw++ % draws.length] });
      const socket = await connectNow(harness);
      socket.serverClose(1006);
      await failEachAttemptFor(harness, 80_000);
      const delays = harness.eventsNamed('reconnecting').slice(0, 5).map((e) => e.delayMs);
      delays.forEach((delay, i) => {
        expect(delay).toBeGreaterThanOrEqual(SOURCE_SCHEDULE[i] * 0.7);
        expect(delay).toBeLessThanOrEqual(SOURCE_SCHEDULE[i]);
      });
    });

    it('resets the schedule after a successful reconnect', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      socket.serverClose(1006);
      await failEachAttemptFor(harness, 13_000);
      expect(harness.client.state.reconnectAttempts).toBe(3);
      await jest.advanceTimersByTimeAsync(11_250);
      harness.sockets.last().serverOpen();
      harness.sockets.last().serverWelcome('session-2');
      expect(harness.client.state).toMatchObject({ status: 'connected', reconnectAttempts: 0, reconnectCount: 1 });
      harness.sockets.last().serverClose(1011);
      await flush();
      expect(harness.eventsNamed('reconnecting').at(-1)?.delayMs).toBe(5000);
    });
  });

  describe('close-code reactions', () => {
    it.each([
      [1000, 'disconnected', 'idle'],
      [4003, 'error', 'failed'],
      [4400, 'error', 'failed'],
    ])('stays closed after %i with status %s', async (code, status, phase) => {
      const harness = setup();
      const socket = await connectNow(harness);
      socket.serverClose(code, 'bye');
      await jest.advanceTimersByTimeAsync(120_000);
      expect(harness.sockets.sockets).toHaveLength(1);
      expect(harness.client.state).toMatchObject({ status, phase, isReconnecting: false, lastCloseCode: code });
      // lastErrorKind is null exactly when lastError is.
      expect(harness.client.state.lastErrorKind === null).toBe(harness.client.state.lastError === null);
      expect(harness.eventsNamed('connection_lost')).toEqual([
        { code, reason: 'bye', wasClean: true, willReconnect: false, at: expect.any(Number) },
      ]);
      expect(jest.getTimerCount()).toBe(0);
    });

    it.each([1006, 1011, 4000, 4008, 1009, 4009])('reconnects after %i on the backoff schedule', async (code) => {
      const harness = setup();
      const socket = await connectNow(harness);
      socket.serverClose(code);
      await jest.advanceTimersByTimeAsync(4999);
      expect(harness.sockets.sockets).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(harness.sockets.sockets).toHaveLength(2);
    });

    it.each([1001, 1012])('reconnects after %i within a random share of the first delay', async (code) => {
      const harness = setup({}, { random: () => 0.2 });
      const socket = await connectNow(harness);
      socket.serverClose(code);
      await flush();
      expect(harness.eventsNamed('reconnecting')[0].delayMs).toBe(1000);
      await jest.advanceTimersByTimeAsync(1000);
      expect(harness.sockets.sockets).toHaveLength(2);
    });

    it.each([1013, 4429])('waits the longest backoff after %i', async (code) => {
      const harness = setup();
      const socket = await connectNow(harness);
      socket.serverClose(code, 'retry later');
      await jest.advanceTimersByTimeAsync(29_999);
      expect(harness.sockets.sockets).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(harness.sockets.sockets).toHaveLength(2);
    });

    it.each([1013, 4429])('waits the retry hint of a %i reason when it is longer than the longest backoff', async (code) => {
      const harness = setup();
      const socket = await connectNow(harness);
      socket.serverClose(code, formatRetryHint('rate limited: 51 messages in 1 s', 42_000));
      await flush();
      expect(harness.eventsNamed('reconnecting')[0]).toMatchObject({ attempt: 1, delayMs: 42_000 });
      expect(harness.client.state.nextReconnectAt).toBe(Date.now() + 42_000);
      await jest.advanceTimersByTimeAsync(41_999);
      expect(harness.sockets.sockets).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(harness.sockets.sockets).toHaveLength(2);
    });

    it('asks the token provider again after 4001, retries at once, and connect() resolves', async () => {
      const tokens = ['expired', 'fresh'];
      const provider = jest.fn(async () => tokens.shift());
      const harness = setup({ token: provider });
      const attempt = harness.client.connect().then(() => 'resolved');
      await flush();
      harness.sockets.last().serverOpen();
      harness.sockets.last().serverClose(4001, 'token expired');
      await flush();
      await flush();
      expect(provider).toHaveBeenCalledTimes(2);
      const retry = harness.sockets.last();
      retry.serverOpen();
      expect(retry.frames('hello')[0].token).toBe('fresh');
      retry.serverWelcome();
      expect(await attempt).toBe('resolved');
      expect(harness.client.state.status).toBe('connected');
    });

    it('ends with status error after a second 4001 in a row', async () => {
      const harness = setup({ token: async () => 'always-wrong' });
      harness.client.connect().catch(() => undefined);
      for (let i = 0; i < 2; i++) {
        await flush();
        harness.sockets.last().serverOpen();
        harness.sockets.last().serverClose(4001, 'invalid token');
      }
      await jest.advanceTimersByTimeAsync(120_000);
      expect(harness.sockets.sockets).toHaveLength(2);
      expect(harness.client.state).toMatchObject({ status: 'error', phase: 'failed' });
      expect(harness.client.state.lastError).toContain('rejected the token twice');
    });

    it('counts a rejecting token provider as a failed attempt on the backoff schedule', async () => {
      const provider = jest.fn(async (): Promise<string> => {
        throw new Error('auth service down');
      });
      const harness = setup({ token: provider, suspendedRetryInterval: 0 });
      const attempt = harness.client.connect();
      await expect(attempt).rejects.toThrow('The token provider failed (auth service down)');
      await jest.advanceTimersByTimeAsync(4999);
      expect(provider).toHaveBeenCalledTimes(1);
      await jest.advanceTimersByTimeAsync(200_000);
      expect(provider).toHaveBeenCalledTimes(6);
      expect(harness.sockets.sockets).toHaveLength(0);
      expect(harness.client.state.status).toBe('error');
    });
  });

  describe('heartbeat', () => {
    it('pings every pingInterval and measures RTT and clock offset from the pong', async () => {
      const harness = setup({ pingInterval: 1000, pongTimeout: 500 });
      const socket = await connectNow(harness);
      await jest.advanceTimersByTimeAsync(1000);
      const [ping] = socket.frames('ping');
      expect(ping).toMatchObject({ sequence: 1, client_time: Date.now() });
      await jest.advanceTimersByTimeAsync(40);
      socket.serverSend({
        type: 'pong',
        timestamp: new Date().toISOString(),
        server_time: ping.client_time + 20 + 5000,
        client_time: ping.client_time,
        sequence: 1,
        ping_count: 1,
      });
      expect(harness.client.state).toMatchObject({ pingCount: 1, pongCount: 1, rttMs: 40, rttSmoothedMs: 40, clockOffsetMs: 5000 });
      expect(harness.eventsNamed('pong')).toEqual([{ sequence: 1, rttMs: 40, clockOffsetMs: 5000, at: Date.now() }]);
    });

    it('answers server pings with the echoed sequence and its ping count', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      for (const sequence of [1, 2]) {
        socket.serverSend({ type: 'ping', timestamp: new Date().toISOString(), server_time: Date.now(), sequence });
      }
      expect(socket.frames('pong').map((p) => [p.sequence, p.ping_count])).toEqual([[1, 1], [2, 2]]);
      expect(harness.client.state.serverPingCount).toBe(2);
    });

    it('drops a silent link after pingInterval + maxMissedPongs × pongTimeout and reconnects', async () => {
      const harness = setup({ pingInterval: 1000, pongTimeout: 300, maxMissedPongs: 3 });
      const socket = await connectNow(harness);
      const lastInbound = Date.now();
      await jest.advanceTimersByTimeAsync(1000 + 2 * 300);
      expect(harness.client.state).toMatchObject({ status: 'connected', missedPongs: 2 });
      await jest.advanceTimersByTimeAsync(300);
      expect(Date.now() - lastInbound).toBe(1900);
      expect(socket.terminated).toBe(true);
      expect(harness.eventsNamed('connection_lost')).toEqual([
        { code: 4000, reason: 'heartbeat timeout', wasClean: false, willReconnect: true, at: Date.now() },
      ]);
      expect(harness.client.state).toMatchObject({ phase: 'backoff', lastCloseCode: 4000 });
    });

    it('keeps a link that delivers frames while a throttled tab runs its timers a minute late', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      let sequence = 0;
      for (let minute = 0; minute < 10; minute++) {
        // A minute of wall-clock time in which no timer runs, while the server pings every 20 s
        // (setSystemTime moves the clock and holds the timers back by as much).
        for (let tick = 0; tick < 3; tick++) {
          jest.setSystemTime(Date.now() + 20_000);
          socket.serverSend({ type: 'ping', timestamp: new Date().toISOString(), server_time: Date.now(), sequence: ++sequence });
        }
        // Then the overdue timers fire together, a minute late.
        await jest.runOnlyPendingTimersAsync();
      }
      expect(socket.frames('ping').length).toBeGreaterThan(0);
      expect(harness.client.state).toMatchObject({ status: 'connected', missedPongs: 0 });
      expect(harness.eventsNamed('connection_lost')).toEqual([]);
    });

    it('checks the link at once after a wall-clock jump (sleep and resume)', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      jest.setSystemTime(Date.now() + 15 * 60_000);
      await jest.advanceTimersByTimeAsync(5000);
      expect(socket.frames('ping')).toHaveLength(1);
    });

    it('sends a ping on request only while connected', async () => {
      const harness = setup();
      expect(harness.client.sendPing()).toBe(false);
      const socket = await connectNow(harness);
      expect(harness.client.sendPing()).toBe(true);
      expect(socket.frames('ping')).toHaveLength(1);
      expect(harness.client.state.lastPingAt).toBe(Date.now());
    });
  });

  describe('#state', () => {
    const serverPing = (socket: FakeWebSocket, sequence: number) =>
      socket.serverSend({ type: 'ping', timestamp: new Date().toISOString(), server_time: Date.now(), sequence });
    /** The snapshots of the client's state made from now on (its store is the one BehaviorSubject of states). */
    const snapshotsMade = () => {
      const next = jest.spyOn(BehaviorSubject.prototype, 'next');
      return () => next.mock.calls.map(([value]) => value).filter((value): value is HeartbeatClientState => typeof value === 'object' && value !== null && 'serverPingCount' in value);
    };

    it('emits a snapshot of its own for every ping to a subscriber of state$', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      const seen: HeartbeatClientState[] = [];
      const subscription = harness.client.state$.subscribe((state) => seen.push(state));
      serverPing(socket, 1);
      serverPing(socket, 2);
      subscription.unsubscribe();
      expect(seen.map((state) => state.serverPingCount)).toEqual([0, 1, 2]);
      expect(new Set(seen).size).toBe(3);
    });

    it('makes no snapshot for pings and pongs while nobody subscribes to state$, and has every counter when read', async () => {
      const harness = setup({ pingInterval: 1000, pongTimeout: 500 });
      const socket = await connectNow(harness);
      const before = harness.client.state;
      const snapshots = snapshotsMade();
      serverPing(socket, 1);
      serverPing(socket, 2);
      await jest.advanceTimersByTimeAsync(1000);
      const [ping] = socket.frames('ping');
      await jest.advanceTimersByTimeAsync(40);
      socket.serverSend({ type: 'pong', timestamp: new Date().toISOString(), server_time: ping.client_time + 20, client_time: ping.client_time, sequence: 1, ping_count: 2 });
      expect(snapshots()).toEqual([]);
      const after = harness.client.state;
      expect(after).toMatchObject({ serverPingCount: 2, pingCount: 1, lastPingAt: ping.client_time, pongCount: 1, lastPongAt: Date.now(), rttMs: 40 });
      expect(before).toMatchObject({ serverPingCount: 0, pingCount: 0, pongCount: 0 });
      expect(harness.client.state).toBe(after);
      expect(snapshots()).toHaveLength(1);
    });

    it('gives a subscriber that comes later the counters that changed before it subscribed', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      serverPing(socket, 1);
      serverPing(socket, 2);
      const seen: number[] = [];
      harness.client.state$.subscribe((state) => seen.push(state.serverPingCount));
      serverPing(socket, 3);
      expect(seen).toEqual([2, 3]);
    });

    it('counts pings that come after the last subscriber left', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      harness.client.state$.subscribe().unsubscribe();
      serverPing(socket, 1);
      serverPing(socket, 2);
      expect(harness.client.state.serverPingCount).toBe(2);
    });

    it('shows a pong handler the counters of that pong', async () => {
      const harness = setup({ pingInterval: 1000, pongTimeout: 500 });
      const socket = await connectNow(harness);
      const seen: Pick<HeartbeatClientState, 'pongCount' | 'rttMs'>[] = [];
      harness.client.on('pong', () => seen.push({ pongCount: harness.client.state.pongCount, rttMs: harness.client.state.rttMs }));
      await jest.advanceTimersByTimeAsync(1000);
      const [ping] = socket.frames('ping');
      await jest.advanceTimersByTimeAsync(30);
      socket.serverSend({ type: 'pong', timestamp: new Date().toISOString(), server_time: ping.client_time, client_time: ping.client_time, sequence: 1, ping_count: 0 });
      expect(seen).toEqual([{ pongCount: 1, rttMs: 30 }]);
    });

    it('puts the counters that changed unobserved in the snapshot of the next change of the connection', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      const snapshots = snapshotsMade();
      serverPing(socket, 1);
      socket.serverClose(1006);
      await flush();
      const [first, ...rest] = snapshots();
      expect(first).toMatchObject({ phase: 'backoff', serverPingCount: 1 });
      expect(rest.map((state) => state.serverPingCount)).toEqual(rest.map(() => 1));
    });

    it('starts the counters of the next connection from 0, whatever changed unobserved on the last one', async () => {
      const harness = setup();
      const first = await connectNow(harness);
      serverPing(first, 1);
      serverPing(first, 2);
      first.serverClose(1006);
      await flush();
      await jest.advanceTimersByTimeAsync(SOURCE_SCHEDULE[0]);
      const second = harness.sockets.last();
      expect(second).not.toBe(first);
      second.serverOpen();
      second.serverWelcome('session-1');
      await flush();
      expect(harness.client.state).toMatchObject({ phase: 'connected', serverPingCount: 0, pingCount: 0, pongCount: 0 });
      serverPing(second, 1);
      expect(harness.client.state.serverPingCount).toBe(1);
    });

    it('still has the counters that changed unobserved after destroy()', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      serverPing(socket, 1);
      harness.client.destroy();
      expect(harness.client.state).toMatchObject({ phase: 'idle', serverPingCount: 1 });
    });
  });

  describe('browser hints', () => {
    it('reconnects at once with the backoff reset when the page becomes visible', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      socket.serverClose(1006);
      await failEachAttemptFor(harness, 13_000);
      expect(harness.client.state.reconnectAttempts).toBe(3);
      harness.connectivity.pageVisible();
      await flush();
      expect(harness.sockets.sockets).toHaveLength(4);
      expect(harness.client.state).toMatchObject({ phase: 'connecting', reconnectAttempts: 1 });
    });

    it('pauses attempts while offline and resumes on online without burning attempts', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      socket.serverClose(1006);
      await flush();
      harness.connectivity.goOffline();
      await jest.advanceTimersByTimeAsync(10 * 60_000);
      expect(harness.sockets.sockets).toHaveLength(1);
      expect(harness.client.state).toMatchObject({ phase: 'offline', status: 'disconnected', online: false, isReconnecting: true });
      harness.connectivity.goOnline();
      await flush();
      expect(harness.sockets.sockets).toHaveLength(2);
      expect(harness.client.state).toMatchObject({ phase: 'connecting', reconnectAttempts: 1, online: true });
    });

    it('restarts after the attempts ran out when the network comes back', async () => {
      const harness = setup({ suspendedRetryInterval: 0 });
      const socket = await connectNow(harness);
      socket.serverClose(1006);
      await failEachAttemptFor(harness, 120_000);
      expect(harness.client.state.phase).toBe('failed');
      harness.connectivity.goOnline();
      await flush();
      expect(harness.sockets.sockets).toHaveLength(7);
    });

    it('checks a live link instead of reconnecting when the page becomes visible', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      harness.connectivity.pageVisible();
      expect(socket.frames('ping')).toHaveLength(1);
      expect(harness.sockets.sockets).toHaveLength(1);
    });
  });

  describe('#disconnect', () => {
    it.each([
      ['connected', async (h: ReturnType<typeof setup>) => void (await connectNow(h))],
      ['connecting', async (h: ReturnType<typeof setup>) => void h.client.connect().catch(() => undefined)],
      ['backoff', async (h: ReturnType<typeof setup>) => (await connectNow(h)).serverClose(1006)],
      ['offline', async (h: ReturnType<typeof setup>) => {
        (await connectNow(h)).serverClose(1006);
        h.connectivity.goOffline();
      }],
    ])('leaves no timer and no listener behind when %s, and is safe twice', async (phase, reach) => {
      const harness = setup();
      await reach(harness);
      await flush();
      expect(harness.client.state.phase).toBe(phase);
      harness.client.disconnect();
      harness.client.disconnect();
      expect(jest.getTimerCount()).toBe(0);
      expect(harness.client.state).toMatchObject({ status: 'disconnected', phase: 'idle', isReconnecting: false, nextReconnectAt: null });
      for (const socket of harness.sockets.sockets) {
        expect(['open', 'message', 'close'].map((t) => socket.listenerCount(t))).toEqual([0, 0, 0]);
      }
      await jest.advanceTimersByTimeAsync(120_000);
      expect(harness.client.state.phase).toBe('idle');
    });

    it('closes an open socket with 1000 and reports the loss', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      harness.client.disconnect();
      expect(socket.closedWith).toEqual({ code: 1000, reason: '' });
      expect(harness.eventsNamed('connection_lost')).toEqual([
        { code: 1000, reason: 'client disconnect', wasClean: true, willReconnect: false, at: Date.now() },
      ]);
    });

    it('rejects a pending connect()', async () => {
      const { client } = setup();
      const attempt = client.connect();
      client.disconnect();
      await expect(attempt).rejects.toThrow('disconnect() was called before the connection was established');
    });
  });

  describe('#disableAutoReconnect', () => {
    it('cancels a scheduled attempt and stays disconnected after a loss', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      socket.serverClose(1006);
      await flush();
      harness.client.disableAutoReconnect();
      harness.client.disableAutoReconnect();
      expect(harness.client.state).toMatchObject({ autoReconnect: false, phase: 'idle', status: 'disconnected' });
      expect(jest.getTimerCount()).toBe(0);
      await jest.advanceTimersByTimeAsync(60_000);
      expect(harness.sockets.sockets).toHaveLength(1);
    });

    it('does not reconnect a connection lost while it is off', async () => {
      const harness = setup({ autoReconnect: false });
      const socket = await connectNow(harness);
      socket.serverClose(1006);
      await jest.advanceTimersByTimeAsync(60_000);
      expect(harness.client.state).toMatchObject({ phase: 'idle', status: 'disconnected' });
      expect(harness.client.state.lastError).toContain('1006');
      expect(harness.eventsNamed('connection_lost')[0].willReconnect).toBe(false);
    });
  });

  describe('#enableAutoReconnect', () => {
    it('reconnects a link that was lost while auto-reconnect was off', async () => {
      const harness = setup({ autoReconnect: false });
      const socket = await connectNow(harness);
      socket.serverClose(1006);
      await flush();
      harness.client.enableAutoReconnect();
      harness.client.enableAutoReconnect();
      await flush();
      expect(harness.sockets.sockets).toHaveLength(2);
      expect(harness.client.state).toMatchObject({ autoReconnect: true, phase: 'connecting' });
    });

    it('does not connect a client that was disconnected on purpose', async () => {
      const harness = setup({ autoReconnect: false });
      await connectNow(harness);
      harness.client.disconnect();
      harness.client.enableAutoReconnect();
      await flush();
      expect(harness.sockets.sockets).toHaveLength(1);
    });
  });

  describe('#resetReconnectState', () => {
    it('starts a scheduled retry over from the first delay', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      socket.serverClose(1006);
      await failEachAttemptFor(harness, 26_000);
      expect(harness.client.state.reconnectAttempts).toBe(4);
      harness.client.resetReconnectState();
      harness.client.resetReconnectState();
      expect(harness.client.state).toMatchObject({ reconnectAttempts: 1, lastError: null, nextReconnectAt: Date.now() + 5000 });
      expect(harness.eventsNamed('reconnecting').at(-1)).toMatchObject({ attempt: 1, delayMs: 5000 });
    });

    it('forgets the attempts of a wait paused offline: the next attempt is the first again', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      socket.serverClose(1006);
      await failEachAttemptFor(harness, 26_000);
      expect(harness.client.state.reconnectAttempts).toBe(4);
      harness.connectivity.goOffline();
      await flush();
      expect(harness.client.state.phase).toBe('offline');
      harness.client.resetReconnectState();
      harness.client.resetReconnectState();
      expect(harness.client.state.reconnectAttempts).toBe(0);
      void harness.client.connect().catch(() => undefined);
      await flush();
      expect(harness.client.state).toMatchObject({ phase: 'connecting', reconnectAttempts: 1 });
    });

    it('turns a failed client back to disconnected', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      socket.serverClose(4003, 'kicked');
      await flush();
      harness.client.resetReconnectState();
      expect(harness.client.state).toMatchObject({ status: 'disconnected', phase: 'idle', lastError: null });
    });
  });

  describe('#subscribe', () => {
    it('names its position in hello.positions after a reconnect, sends no subscribe for it, and drops duplicates', async () => {
      const harness = setup();
      const seqs: number[] = [];
      harness.client.subscribe('alerts').subscribe((e) => seqs.push(e.seq));
      harness.client.subscribe('alerts').subscribe();
      const first = await connectNow(harness);
      expect(first.frames('subscribe')).toEqual([{ type: 'subscribe', topic: 'alerts' }]);
      first.serverSend({ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 10, recovered: true, replayed: 0 });
      first.serverSend(event(11));
      first.serverSend(event(12));
      first.serverClose(1006);
      await jest.advanceTimersByTimeAsync(5000);
      const second = harness.sockets.last();
      second.serverOpen();
      expect(second.frames('hello')[0].positions).toEqual({ alerts: 12 });
      second.serverWelcome('session-1');
      expect(second.frames('subscribe')).toEqual([]);
      second.serverSend({ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 14, recovered: true, replayed: 2 });
      for (const seq of [12, 13, 14, 14, 15]) second.serverSend(event(seq));
      expect(seqs).toEqual([11, 12, 13, 14, 15]);
      expect(harness.eventsNamed('resumed')).toEqual([{ topic: 'alerts', replayed: 2, epoch: 'e1', seq: 14 }]);
    });

    it('reports a gap when the server came back with a new epoch', async () => {
      const harness = setup();
      const seqs: string[] = [];
      harness.client.subscribe('alerts').subscribe((e) => seqs.push(`${e.epoch}:${e.seq}`));
      const first = await connectNow(harness);
      first.serverSend({ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 0, recovered: true, replayed: 0 });
      first.serverSend(event(1));
      first.serverClose(1006);
      await jest.advanceTimersByTimeAsync(5000);
      const second = harness.sockets.last();
      second.serverOpen();
      second.serverWelcome('session-2');
      second.serverSend({ type: 'subscribed', topic: 'alerts', epoch: 'e2', seq: 3, recovered: false, replayed: 0 });
      second.serverSend(event(4, 'e2'));
      expect(harness.eventsNamed('gap')).toEqual([
        { topic: 'alerts', reason: 'new-epoch', lastSeq: 1, previousEpoch: 'e1', epoch: 'e2', seq: 3 },
      ]);
      expect(seqs).toEqual(['e1:1', 'e2:4']);
    });
  });

  describe('first subscription path (hello.subscribe)', () => {
    it('names every topic without a position in hello.subscribe, and sends no subscribe once the welcome says the server took them', async () => {
      const harness = setup();
      const seqs: number[] = [];
      harness.client.subscribe('alerts').subscribe((e) => seqs.push(e.seq));
      harness.client.subscribe('stats').subscribe();
      harness.client.connect().catch(() => undefined);
      await flush();
      const socket = harness.sockets.last();
      socket.serverOpen();
      expect(socket.frames('hello')[0].subscribe).toEqual(['alerts', 'stats']);
      socket.serverWelcome('session-1', { hello_subscribe: true });
      socket.serverSend({ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 10, recovered: true, replayed: 0 });
      socket.serverSend({ type: 'subscribed', topic: 'stats', epoch: 'e1', seq: 0, recovered: true, replayed: 0 });
      socket.serverSend(event(11));
      expect(socket.frames('subscribe')).toEqual([]);
      expect(seqs).toEqual([11]);
      expect(harness.eventsNamed('gap')).toEqual([]);
      expect(harness.client.state.phase).toBe('connected');
    });

    it('names a topic with a position in hello.positions and one subscribed since the link dropped in hello.subscribe', async () => {
      const harness = setup();
      harness.client.subscribe('alerts').subscribe();
      const first = await connectNow(harness);
      first.serverSend({ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 10, recovered: true, replayed: 0 });
      first.serverClose(1006);
      harness.client.subscribe('stats').subscribe();
      await jest.advanceTimersByTimeAsync(5000);
      const second = harness.sockets.last();
      second.serverOpen();
      expect(second.frames('hello')[0]).toMatchObject({ positions: { alerts: 10 }, subscribe: ['stats'] });
      second.serverWelcome('session-1', { resumed: true, hello_subscribe: true });
      expect(second.frames('subscribe')).toEqual([]);
    });
  });

  describe('resume path (hello.positions)', () => {
    /** Connected with `alerts` at seq 12 in e1, then the link drops; the next socket exists, unopened. */
    async function droppedAt12(harness: ReturnType<typeof setup>) {
      const first = await connectNow(harness);
      first.serverSend({ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 10, recovered: true, replayed: 0 });
      first.serverSend(event(11));
      first.serverSend(event(12));
      first.serverClose(1006);
      await jest.advanceTimersByTimeAsync(5000);
      return harness.sockets.last();
    }

    it('subscribes after welcome only the topics hello.positions did not name', async () => {
      const harness = setup();
      harness.client.subscribe('alerts').subscribe();
      const second = await droppedAt12(harness);
      harness.client.subscribe('stats').subscribe();
      second.serverOpen();
      expect(second.frames('hello')[0].positions).toEqual({ alerts: 12 });
      expect(second.frames('subscribe')).toEqual([]);
      second.serverWelcome('session-1', { resumed: true });
      expect(second.frames('subscribe')).toEqual([{ type: 'subscribe', topic: 'stats' }]);
    });

    it('names no positions in the first hello, and subscribes every topic after the welcome of a server that does not read hello.subscribe', async () => {
      const harness = setup();
      harness.client.subscribe('alerts').subscribe();
      const socket = await connectNow(harness);
      expect(socket.frames('hello')[0]).not.toHaveProperty('positions');
      expect(socket.frames('hello')[0].subscribe).toEqual(['alerts']);
      expect(socket.frames('subscribe')).toEqual([{ type: 'subscribe', topic: 'alerts' }]);
    });

    it('leaves on the server a topic given up while the hello was out', async () => {
      const harness = setup();
      const subscription = harness.client.subscribe('alerts').subscribe();
      const second = await droppedAt12(harness);
      second.serverOpen();
      subscription.unsubscribe();
      second.serverWelcome('session-1', { resumed: true });
      expect(second.frames('unsubscribe')).toEqual([{ type: 'unsubscribe', topic: 'alerts' }]);
    });

    it("reports an evicted gap from the lost position when the server's subscribe of it could not replay everything", async () => {
      const harness = setup();
      const seqs: number[] = [];
      harness.client.subscribe('alerts').subscribe((e) => seqs.push(e.seq));
      const second = await droppedAt12(harness);
      second.serverOpen();
      second.serverWelcome('session-1', { resumed: true });
      second.serverSend({ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 40, recovered: false, replayed: 2 });
      for (const seq of [39, 40, 41]) second.serverSend(event(seq));
      expect(harness.eventsNamed('gap')).toEqual([
        { topic: 'alerts', reason: 'evicted', lastSeq: 12, previousEpoch: 'e1', epoch: 'e1', seq: 40 },
      ]);
      expect(seqs).toEqual([11, 12, 39, 40, 41]);
    });
  });

  describe('losses told in-band (an unasked subscribed)', () => {
    /** Connected, subscribed to `alerts` in e1, events up to 11 delivered. */
    async function at11() {
      const harness = setup();
      const seqs: string[] = [];
      harness.client.subscribe('alerts').subscribe((e) => seqs.push(`${e.epoch}:${e.seq}`));
      const socket = await connectNow(harness);
      socket.serverSend({ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 10, recovered: true, replayed: 0 });
      socket.serverSend(event(11));
      return { harness, socket, seqs };
    }

    it('reports a new epoch as a gap, stays connected and takes the new epoch from its seq', async () => {
      const { harness, socket, seqs } = await at11();
      socket.serverSend({ type: 'subscribed', topic: 'alerts', epoch: 'e2', seq: 0, recovered: false, replayed: 0 });
      socket.serverSend(event(12)); // a straggler of the lost epoch
      socket.serverSend(event(1, 'e2'));
      socket.serverSend(event(2, 'e2'));
      socket.serverSend(event(2, 'e2'));
      expect(harness.eventsNamed('gap')).toEqual([
        { topic: 'alerts', reason: 'new-epoch', lastSeq: 11, previousEpoch: 'e1', epoch: 'e2', seq: 0 },
      ]);
      expect(seqs).toEqual(['e1:11', 'e2:1', 'e2:2']);
      expect(harness.client.state).toMatchObject({ phase: 'connected', reconnectCount: 0 });
      expect(socket.closedWith).toBeNull();
      expect(harness.eventsNamed('connection_lost')).toEqual([]);
    });

    it('reports events evicted past its position as a gap and goes on from the new seq', async () => {
      const { harness, socket, seqs } = await at11();
      socket.serverSend({ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 40, recovered: false, replayed: 0 });
      socket.serverSend(event(30));
      socket.serverSend(event(41));
      expect(harness.eventsNamed('gap')).toEqual([
        { topic: 'alerts', reason: 'evicted', lastSeq: 11, previousEpoch: 'e1', epoch: 'e1', seq: 40 },
      ]);
      expect(seqs).toEqual(['e1:11', 'e1:41']);
      expect(harness.client.state.phase).toBe('connected');
      expect(socket.frames('subscribe')).toHaveLength(1);
    });

    it('reports nothing and delivers nothing twice when the same epoch continues from where it is', async () => {
      const { harness, socket, seqs } = await at11();
      socket.serverSend({ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 11, recovered: false, replayed: 0 });
      socket.serverSend({ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 9, recovered: true, replayed: 0 });
      socket.serverSend(event(11));
      socket.serverSend(event(12));
      expect(harness.eventsNamed('gap')).toEqual([]);
      expect(seqs).toEqual(['e1:11', 'e1:12']);
    });

    it('ignores one for a topic the client is not subscribed to', async () => {
      const { harness, socket } = await at11();
      socket.serverSend({ type: 'subscribed', topic: 'stats', epoch: 'e9', seq: 3, recovered: false, replayed: 0 });
      expect(harness.eventsNamed('gap')).toEqual([]);
      expect(harness.eventsNamed('error')).toEqual([]);
      expect(harness.client.state.phase).toBe('connected');
    });
  });

  describe('heartbeat bounds from welcome.heartbeat', () => {
    const SERVER = { ping_interval: 2000, heartbeat_timeout: 5000, max_missed_pings: 3 };

    async function connectWith(harness: ReturnType<typeof setup>, heartbeat: typeof SERVER) {
      const connected = harness.client.connect();
      await flush();
      const socket = harness.sockets.last();
      socket.serverOpen();
      socket.serverWelcome('session-1', { heartbeat });
      await connected;
      return socket;
    }

    it("follows the server's values when the app set none: pings every ping_interval, gives up at heartbeat_timeout", async () => {
      const harness = setup();
      const socket = await connectWith(harness, SERVER);
      await jest.advanceTimersByTimeAsync(1999);
      expect(socket.frames('ping')).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(socket.frames('ping')).toHaveLength(1);
      // pongTimeout = (5000 − 2000) / 3, below the default 10 s: the silent link is given up when the server gives up on it.
      await jest.advanceTimersByTimeAsync(2999);
      expect(harness.client.state).toMatchObject({ phase: 'connected', missedPongs: 2 });
      await jest.advanceTimersByTimeAsync(1);
      expect(socket.terminated).toBe(true);
      expect(harness.client.state).toMatchObject({ phase: 'backoff', lastCloseCode: 4000 });
    });

    it('keeps the options the app gave explicitly', async () => {
      const harness = setup({ pingInterval: 1000, pongTimeout: 300, maxMissedPongs: 2 });
      const socket = await connectWith(harness, SERVER);
      await jest.advanceTimersByTimeAsync(1000);
      expect(socket.frames('ping')).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(599);
      expect(socket.terminated).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(socket.terminated).toBe(true);
    });

    it('keeps what the chosen preset sets and follows the server for the rest', async () => {
      const harness = setup({ preset: 'mobile' });
      const socket = await connectWith(harness, { ping_interval: 25_000, heartbeat_timeout: 90_000, max_missed_pings: 2 });
      await jest.advanceTimersByTimeAsync(14_999);
      expect(socket.frames('ping')).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(socket.frames('ping')).toHaveLength(1);
      // mobile: pingInterval 15 s and pongTimeout 8 s; maxMissedPongs 2 from the server.
      await jest.advanceTimersByTimeAsync(2 * 8000 - 1);
      expect(socket.terminated).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(socket.terminated).toBe(true);
    });

    it('ignores server values that cannot be bounds (0) and keeps its own', async () => {
      const harness = setup({ pingInterval: 1000, pongTimeout: 300 });
      const socket = await connectWith(harness, { ping_interval: 0, heartbeat_timeout: 0, max_missed_pings: 0 });
      await jest.advanceTimersByTimeAsync(1000 + 3 * 300);
      expect(socket.terminated).toBe(true);
    });
  });

  describe('the reconnect loop', () => {
    it('runs its deadlines, waits and heartbeat on the clock it is given', async () => {
      const clock = manualClock(Date.now());
      const harness = setup({ pingInterval: 1000, pongTimeout: 300, maxMissedPongs: 1 }, { clock });
      const socket = await connectNow(harness);
      await jest.advanceTimersByTimeAsync(60_000);
      expect(socket.frames('ping')).toHaveLength(0);
      clock.advance(1000);
      expect(socket.frames('ping')).toHaveLength(1);
      clock.advance(300);
      expect(socket.terminated).toBe(true);
      expect(harness.client.state).toMatchObject({ phase: 'backoff', nextReconnectAt: clock.now() + 5000 });
      await jest.advanceTimersByTimeAsync(60_000);
      expect(harness.sockets.sockets).toHaveLength(1);
      clock.advance(5000);
      await flush();
      expect(harness.sockets.sockets).toHaveLength(2);
      clock.advance(10_000);
      expect(harness.client.state).toMatchObject({ phase: 'backoff', reconnectAttempts: 2, lastErrorKind: 'connect-timeout' });
      harness.client.destroy();
      expect(clock.pending).toBe(0);
    });

    it('decides once per failure, even when handlers call methods while it reacts', async () => {
      let draws = 0;
      const lines: string[] = [];
      const harness = setup({ jitter: 0.3, debug: (line) => lines.push(line) }, { random: () => (draws++, 0.5) });
      const socket = await connectNow(harness);
      for (const name of ['connection_lost', 'error', 'reconnecting'] as const) {
        harness.client.on(name, () => {
          harness.client.enableAutoReconnect();
          void harness.client.connect().catch(() => undefined);
        });
      }
      socket.serverClose(1006);
      await flush();
      expect(draws).toBe(1);
      harness.sockets.last().serverClose(1006);
      await flush();
      expect(draws).toBe(2);
      expect(lines.filter((line) => line.startsWith('attempt ended'))).toHaveLength(2);
    });

    it('goes on with the attempt under way after resetReconnectState(), deciding its failure from the first delay', async () => {
      let slow = false;
      const harness = setup({ token: () => (slow ? new Promise<string>((resolve) => setTimeout(() => resolve('late'), 1000)) : 'quick') });
      const socket = await connectNow(harness);
      socket.serverClose(1006);
      slow = true;
      await jest.advanceTimersByTimeAsync(5000);
      expect(harness.client.state).toMatchObject({ phase: 'connecting', reconnectAttempts: 1 });
      harness.client.resetReconnectState();
      await jest.advanceTimersByTimeAsync(1000);
      expect(harness.sockets.sockets).toHaveLength(2);
      harness.sockets.last().serverClose(1006);
      await flush();
      expect(harness.eventsNamed('reconnecting').at(-1)).toMatchObject({ attempt: 1, delayMs: 5000 });
    });

    it('drops a token that arrives for an attempt given up meanwhile', async () => {
      const answers: ((token: string) => void)[] = [];
      const harness = setup({ token: () => new Promise<string>((resolve) => answers.push(resolve)) });
      void harness.client.connect().catch(() => undefined);
      await flush();
      harness.client.disconnect();
      const connected = harness.client.connect();
      await flush();
      answers[0]('stale');
      await flush();
      expect(harness.sockets.sockets).toHaveLength(0);
      answers[1]('fresh');
      await flush();
      const socket = harness.sockets.last();
      socket.serverOpen();
      expect(socket.frames('hello')[0].token).toBe('fresh');
      socket.serverWelcome();
      await expect(connected).resolves.toBeUndefined();
      expect(harness.sockets.sockets).toHaveLength(1);
    });

    it('ignores a token provider that fails for an attempt given up meanwhile', async () => {
      const answers: { resolve: (token: string) => void; reject: (error: Error) => void }[] = [];
      const harness = setup({ token: () => new Promise<string>((resolve, reject) => answers.push({ resolve, reject })) });
      const errors: unknown[] = [];
      harness.client.on('error', (error) => errors.push(error));
      void harness.client.connect().catch(() => undefined);
      await flush();
      harness.client.disconnect();
      const connected = harness.client.connect();
      await flush();
      answers[0].reject(new Error('stale provider failure'));
      await flush();
      expect(errors).toEqual([]);
      expect(harness.client.state).toMatchObject({ phase: 'connecting', reconnectAttempts: 0, lastError: null });
      answers[1].resolve('fresh');
      await flush();
      const socket = harness.sockets.last();
      socket.serverOpen();
      socket.serverWelcome();
      await expect(connected).resolves.toBeUndefined();
    });

    it('waits for the transition under way before running a method called from a handler', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      const seen: string[] = [];
      harness.client.on('connection_lost', () => {
        harness.client.disconnect();
        seen.push(`after disconnect(): ${harness.client.state.phase}`);
      });
      socket.serverClose(1006);
      await flush();
      expect(seen).toEqual(['after disconnect(): backoff']);
      expect(harness.client.state).toMatchObject({ phase: 'idle', nextReconnectAt: null });
      expect(harness.eventsNamed('reconnecting')).toHaveLength(1);
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('calls from handlers (re-entrancy)', () => {
    it.each([
      ['a loss with auto-reconnect off', { autoReconnect: false }, 1006],
      ['a 4003 kick', {}, 4003],
      ['a normal close by the server', {}, 1000],
    ] as const)('connect() from connection_lost after %s starts a new attempt that settles', async (_, options, code) => {
      const harness = setup(options);
      const socket = await connectNow(harness);
      let again: Promise<void> | null = null;
      harness.client.on('connection_lost', () => {
        again = harness.client.connect();
      });
      socket.serverClose(code);
      await flush();
      expect(harness.sockets.sockets).toHaveLength(2);
      harness.sockets.last().serverOpen();
      harness.sockets.last().serverWelcome('session-2');
      await expect(again).resolves.toBeUndefined();
      expect(harness.client.state.status).toBe('connected');
    });

    it('connect() from connection_lost during backoff connects at once', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      harness.client.on('connection_lost', () => void harness.client.connect().catch(() => undefined));
      socket.serverClose(1006);
      await flush();
      expect(harness.sockets.sockets).toHaveLength(2);
    });

    it('resetReconnectState() from reconnecting is not undone by the wait it announces', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      socket.serverClose(1006);
      await failEachAttemptFor(harness, 13_000);
      expect(harness.client.state.reconnectAttempts).toBe(3);
      const announced: number[] = [];
      harness.client.on('reconnecting', ({ attempt }) => {
        announced.push(attempt);
        harness.client.resetReconnectState();
      });
      const [third] = await failEachAttemptFor(harness, 12_000);
      expect(announced).toEqual([4, 1]);
      expect(harness.client.state).toMatchObject({ reconnectAttempts: 1, nextReconnectAt: third.failedAt + 5000 });
    });

    it('disconnect() from state$ on the first connecting state leaves nothing open', async () => {
      const harness = setup();
      const subscription = harness.client.state$.subscribe((state) => {
        if (state.phase === 'connecting') harness.client.disconnect();
      });
      await harness.client.connect().catch(() => undefined);
      subscription.unsubscribe();
      await jest.advanceTimersByTimeAsync(60_000);
      expect(harness.sockets.sockets).toHaveLength(0);
      expect(harness.client.state.phase).toBe('idle');
      expect(jest.getTimerCount()).toBe(0);
    });

    it('connect() from state$ on the first connecting state joins the attempt instead of starting another', async () => {
      const harness = setup();
      let joined: Promise<void> | null = null;
      const subscription = harness.client.state$.subscribe((state) => {
        if (state.phase === 'connecting' && !joined) joined = harness.client.connect();
      });
      const first = harness.client.connect();
      await flush();
      subscription.unsubscribe();
      expect(harness.sockets.sockets).toHaveLength(1);
      harness.sockets.last().serverOpen();
      harness.sockets.last().serverWelcome();
      await expect(Promise.all([first, joined])).resolves.toEqual([undefined, undefined]);
      harness.client.destroy();
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('#send', () => {
    it('paces a large outbox after a reconnect: a window of messages in flight, more as acks arrive', async () => {
      const harness = setup();
      const sent = Array.from({ length: 100 }, (_, i) => harness.client.send('alerts.ack', { i }));
      const socket = await connectNow(harness);
      const first = socket.frames('message');
      expect(first).toHaveLength(MAX_MESSAGES_IN_FLIGHT);
      for (const message of first) socket.serverSend({ type: 'ack', id: message.id });
      const all = socket.frames('message');
      expect(all).toHaveLength(100);
      expect(all.map((message) => (message.data as { i: number }).i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      for (const message of all.slice(MAX_MESSAGES_IN_FLIGHT)) socket.serverSend({ type: 'ack', id: message.id });
      await expect(Promise.all(sent)).resolves.toHaveLength(100);
    });

    const messages = (socket: FakeWebSocket) => socket.frames('message');

    it('resolves on the ack, counting the message as pending until then', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      const acked = harness.client.send('alerts', { ok: 1 });
      const [message] = messages(socket);
      expect(message).toMatchObject({ topic: 'alerts', data: { ok: 1 } });
      expect(harness.client.state.pendingMessages).toBe(1);
      socket.serverSend({ type: 'ack', id: message.id });
      await expect(acked).resolves.toBeUndefined();
      expect(harness.client.state.pendingMessages).toBe(0);
    });

    it('sends a message without a topic when the topic is undefined', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      void harness.client.send(undefined, null);
      expect(socket.sent.at(-1)).toMatch(/^\{"type":"message","id":"[0-9a-f]{16}-1","data":null\}$/);
    });

    it('queues messages while not connected and sends them in order after welcome and the resubscriptions', async () => {
      const harness = setup();
      harness.client.subscribe('alerts').subscribe();
      const first = harness.client.send('alerts.ack', { n: 1 });
      const second = harness.client.send('alerts.ack', { n: 2 });
      expect(harness.client.state.pendingMessages).toBe(2);
      const connecting = harness.client.connect();
      await flush();
      const socket = harness.sockets.last();
      socket.serverOpen();
      expect(socket.frames().map((f) => f.type)).toEqual(['hello']);
      socket.serverWelcome();
      await connecting;
      expect(socket.frames().map((f) => f.type)).toEqual(['hello', 'subscribe', 'message', 'message']);
      expect(messages(socket).map((m) => m.data)).toEqual([{ n: 1 }, { n: 2 }]);
      socket.serverAckAll();
      await expect(Promise.all([first, second])).resolves.toEqual([undefined, undefined]);
    });

    it('holds a message sent from a state$ handler on "connected" until the resubscriptions are out', async () => {
      const harness = setup();
      harness.client.subscribe('alerts').subscribe();
      const subscription = harness.client.state$.subscribe((state) => {
        if (state.phase === 'connected' && harness.client.state.pendingMessages === 0) void harness.client.send('t', 'from handler');
      });
      const socket = await connectNow(harness);
      subscription.unsubscribe();
      expect(socket.frames().map((f) => f.type)).toEqual(['hello', 'subscribe', 'message']);
    });

    it('resends the messages in flight after a reconnect with the same id, after the resubscriptions, ahead of later ones', async () => {
      const harness = setup();
      harness.client.subscribe('alerts').subscribe();
      const first = await connectNow(harness);
      first.serverSend({ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 4, recovered: true, replayed: 0 });
      const lost = harness.client.send('alerts.ack', { alertId: 'a-1' });
      const [inFlight] = messages(first);
      first.serverClose(1006);
      await flush();
      expect(harness.client.state).toMatchObject({ phase: 'backoff', pendingMessages: 1 });
      const later = harness.client.send('alerts.ack', { alertId: 'a-2' });
      expect(messages(first)).toHaveLength(1);

      await jest.advanceTimersByTimeAsync(5000);
      const second = harness.sockets.last();
      second.serverOpen();
      second.serverWelcome('session-1', { resumed: true });
      expect(second.frames('hello')[0].positions).toEqual({ alerts: 4 });
      expect(second.frames().map((f) => f.type)).toEqual(['hello', 'message', 'message']);
      expect(second.sent[1]).toBe(first.sent.find((text) => text.includes(inFlight.id)));
      expect(messages(second).map((m) => m.id)).toEqual([inFlight.id, expect.not.stringMatching(inFlight.id)]);
      second.serverAckAll();
      await expect(Promise.all([lost, later])).resolves.toEqual([undefined, undefined]);
      expect(harness.client.state.pendingMessages).toBe(0);
    });

    it('does not send an acknowledged message again after a reconnect', async () => {
      const harness = setup();
      const first = await connectNow(harness);
      void harness.client.send('t', 'acked');
      first.serverAckAll();
      void harness.client.send('t', 'unacked');
      first.serverClose(1006);
      await jest.advanceTimersByTimeAsync(5000);
      const second = harness.sockets.last();
      second.serverOpen();
      second.serverWelcome();
      expect(messages(second).map((m) => m.data)).toEqual(['unacked']);
    });

    it('keeps messages through failed attempts and the offline phase, and sends them once connected', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      socket.serverClose(1006);
      const acked = harness.client.send('t', 'waits');
      await failEachAttemptFor(harness, 13_000);
      harness.connectivity.goOffline();
      await jest.advanceTimersByTimeAsync(60_000);
      harness.connectivity.goOnline();
      await flush();
      const next = harness.sockets.last();
      next.serverOpen();
      next.serverWelcome();
      expect(messages(next).map((m) => m.data)).toEqual(['waits']);
      expect(harness.sockets.sockets.slice(0, -1).flatMap((s) => messages(s))).toEqual([]);
      next.serverAckAll();
      await expect(acked).resolves.toBeUndefined();
    });

    it('rejects the send that would exceed withOutbox\'s maxMessages, at once, and keeps the others', async () => {
      const harness = setup({ features: [withOutbox({ maxMessages: 2 })] });
      const kept = [harness.client.send('t', 1), harness.client.send('t', 2)];
      const refused = harness.client.send('t', 3);
      await expect(refused).rejects.toMatchObject({ name: 'HeartbeatSendError', code: 'outbox-full' });
      await expect(refused).rejects.toThrow("(withOutbox's maxMessages = 2)");
      expect(harness.client.state.pendingMessages).toBe(2);
      const socket = await connectNow(harness);
      expect(messages(socket).map((m) => m.data)).toEqual([1, 2]);
      socket.serverAckAll();
      await expect(Promise.all(kept)).resolves.toEqual([undefined, undefined]);
    });

    it('counts messages in flight against the bounds too', async () => {
      const harness = setup({ features: [withOutbox({ maxMessages: 1 })] });
      const socket = await connectNow(harness);
      void harness.client.send('t', 1);
      await expect(harness.client.send('t', 2)).rejects.toMatchObject({ code: 'outbox-full' });
      socket.serverAckAll();
      await flush();
      expect(harness.client.state.pendingMessages).toBe(0);
      const third = harness.client.send('t', 3);
      socket.serverAckAll();
      await expect(third).resolves.toBeUndefined();
    });

    it('rejects the send that would exceed withOutbox\'s maxBytes, and one message larger than it alone', async () => {
      const harness = setup({ features: [withOutbox({ maxBytes: 200 })] });
      void harness.client.send('t', 'x'.repeat(100));
      await expect(harness.client.send('t', 'y'.repeat(100))).rejects.toThrow("(withOutbox's maxBytes = 200)");
      await expect(harness.client.send('t', 'z'.repeat(300))).rejects.toMatchObject({ code: 'too-large' });
      expect(harness.client.state.pendingMessages).toBe(1);
    });

    it('rejects waiting and in-flight messages on disconnect(), saying so', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      const inFlight = harness.client.send('t', 1);
      socket.serverClose(1006);
      const waiting = harness.client.send('t', 2);
      harness.client.disconnect();
      for (const sent of [inFlight, waiting]) {
        await expect(sent).rejects.toMatchObject({ code: 'disconnected' });
        await expect(sent).rejects.toThrow('The message was not acknowledged before disconnect() was called');
      }
      expect(harness.client.state.pendingMessages).toBe(0);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('keeps a message sent after disconnect() for the next connect()', async () => {
      const harness = setup();
      await connectNow(harness);
      harness.client.disconnect();
      const acked = harness.client.send('t', 'after');
      await jest.advanceTimersByTimeAsync(60_000);
      const socket = await connectNow(harness);
      expect(messages(socket).map((m) => m.data)).toEqual(['after']);
      socket.serverAckAll();
      await expect(acked).resolves.toBeUndefined();
    });

    it('rejects what is waiting on destroy(), and any later send', async () => {
      const harness = setup();
      const waiting = harness.client.send('t', 1);
      harness.client.destroy();
      await expect(waiting).rejects.toMatchObject({ code: 'destroyed' });
      await expect(harness.client.send('t', 2)).rejects.toMatchObject({ code: 'destroyed' });
    });

    it.each([
      ['undefined', undefined, 'pass null to send no data'],
      ['a BigInt', { n: BigInt(1) }, 'cannot be encoded as JSON'],
    ])('rejects %s as data with invalid-data', async (_, data, text) => {
      const harness = setup();
      const refused = harness.client.send('t', data);
      await expect(refused).rejects.toMatchObject({ code: 'invalid-data' });
      await expect(refused).rejects.toThrow(text);
      expect(harness.client.state.pendingMessages).toBe(0);
    });

    it('rejects only the message an error frame names by id', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      const refused = harness.client.send('t', 'bad');
      const fine = harness.client.send('t', 'good');
      const [bad] = messages(socket);
      socket.serverSend({ type: 'error', code: 'internal_error', message: 'handler failed', ref: bad.id });
      await expect(refused).rejects.toMatchObject({ code: 'refused', message: 'The server refused the message (internal_error): handler failed' });
      socket.serverAckAll();
      await expect(fine).resolves.toBeUndefined();
    });

    it('gives each client instance its own message ids, whatever `random` returns', async () => {
      const a = setup();
      const b = setup();
      const socketA = await connectNow(a);
      const socketB = await connectNow(b);
      void a.client.send('t', 1);
      void b.client.send('t', 1);
      expect(messages(socketA)[0].id).not.toBe(messages(socketB)[0].id);
    });
  });

  describe('resume across page reloads (withResumeStorage)', () => {
    const KEY = 'heartbeat:resume:ws://server.test/ws';

    function memoryStorage() {
      const items = new Map<string, string>();
      const storage = {
        writes: 0,
        getItem: (key: string) => items.get(key) ?? null,
        setItem: (key: string, value: string) => {
          storage.writes += 1;
          items.set(key, value);
        },
      };
      return { storage, items };
    }

    /** A page that connects, receives alerts up to 12 in e1 and is then reloaded (pagehide). */
    async function firstPage(storage: ReturnType<typeof memoryStorage>['storage']) {
      const page = setup({ features: persisted(storage) });
      page.client.subscribe('alerts').subscribe();
      const socket = await connectNow(page, 'session-1');
      socket.serverSend({ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 10, recovered: true, replayed: 0 });
      socket.serverSend(event(11));
      socket.serverSend(event(12));
      page.connectivity.pageHidden();
      return page;
    }

    it('saves the session and topic positions; the reloaded page names both in hello and gets what it missed', async () => {
      const { storage } = memoryStorage();
      await firstPage(storage);

      const reloaded = setup({ features: persisted(storage) });
      const seqs: number[] = [];
      reloaded.client.subscribe('alerts').subscribe((e) => seqs.push(e.seq));
      const connecting = reloaded.client.connect();
      await flush();
      const socket = reloaded.sockets.last();
      socket.serverOpen();
      expect(socket.frames('hello')[0]).toMatchObject({ session_id: 'session-1', positions: { alerts: 12 } });
      socket.serverWelcome('session-1', { resumed: true });
      await connecting;
      expect(socket.frames('subscribe')).toEqual([]);
      socket.serverSend({ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 15, recovered: true, replayed: 3 });
      for (const seq of [13, 14, 15, 16]) socket.serverSend(event(seq));
      expect(seqs).toEqual([13, 14, 15, 16]);
      expect(reloaded.eventsNamed('resumed')).toEqual([{ topic: 'alerts', replayed: 3, epoch: 'e1', seq: 15 }]);
      expect(reloaded.eventsNamed('gap')).toEqual([]);
      expect(reloaded.client.state).toMatchObject({ sessionId: 'session-1', sessionResumed: true });
    });

    it('reports a new-epoch gap when the server restarted while the page reloaded', async () => {
      const { storage } = memoryStorage();
      await firstPage(storage);
      const reloaded = setup({ features: persisted(storage) });
      reloaded.client.subscribe('alerts').subscribe();
      const socket = await connectNow(reloaded, 'session-9');
      socket.serverSend({ type: 'subscribed', topic: 'alerts', epoch: 'e2', seq: 3, recovered: false, replayed: 0 });
      expect(reloaded.eventsNamed('gap')).toEqual([
        { topic: 'alerts', reason: 'new-epoch', lastSeq: 12, previousEpoch: 'e1', epoch: 'e2', seq: 3 },
      ]);
      expect(reloaded.client.state).toMatchObject({ sessionId: 'session-9', sessionResumed: false });
    });

    it('reports an evicted gap when the missed events left the server buffer', async () => {
      const { storage } = memoryStorage();
      await firstPage(storage);
      const reloaded = setup({ features: persisted(storage) });
      reloaded.client.subscribe('alerts').subscribe();
      const socket = await connectNow(reloaded);
      socket.serverSend({ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 5000, recovered: false, replayed: 1000 });
      expect(reloaded.eventsNamed('gap')).toEqual([
        { topic: 'alerts', reason: 'evicted', lastSeq: 12, previousEpoch: 'e1', epoch: 'e1', seq: 5000 },
      ]);
    });

    it('keeps the saved position of a topic the reloaded page has not subscribed to yet', async () => {
      const { storage, items } = memoryStorage();
      await firstPage(storage);
      const reloaded = setup({ features: persisted(storage) });
      const socket = await connectNow(reloaded, 'session-2');
      reloaded.connectivity.pageHidden();
      expect(JSON.parse(items.get(KEY) ?? '')).toEqual({ v: 1, session_id: 'session-2', topics: { alerts: { epoch: 'e1', seq: 12 } } });
      reloaded.client.subscribe('alerts').subscribe();
      expect(socket.frames('subscribe')).toEqual([{ type: 'subscribe', topic: 'alerts', since: 12 }]);
    });

    it('ignores corrupt saved content with a debug line and starts a new session', async () => {
      const { storage, items } = memoryStorage();
      items.set(KEY, '{"v":1,"session_id":42');
      const lines: string[] = [];
      const harness = setup({ features: persisted(storage), debug: (line) => lines.push(line) });
      harness.client.subscribe('alerts').subscribe();
      const socket = await connectNow(harness);
      expect(socket.frames('hello')[0]).not.toHaveProperty('session_id');
      expect(socket.frames('subscribe')).toEqual([{ type: 'subscribe', topic: 'alerts' }]);
      expect(lines).toContain(`Ignored the saved resume state under "${KEY}": it is not JSON.`);
    });

    it('writes at most once a second while 200 events a second arrive', async () => {
      const { storage, items } = memoryStorage();
      const harness = setup({ features: persisted(storage), pingInterval: 600_000, pongTimeout: 1000 });
      harness.client.subscribe('alerts').subscribe();
      const socket = await connectNow(harness);
      socket.serverSend({ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 0, recovered: true, replayed: 0 });
      const writesBefore = storage.writes;
      for (let seq = 1; seq <= 400; seq++) {
        socket.serverSend(event(seq));
        await jest.advanceTimersByTimeAsync(5);
      }
      await jest.advanceTimersByTimeAsync(1000);
      // 400 changes in 2 s: written at 1 s and at 2 s after the write of the welcome.
      expect(storage.writes - writesBefore).toBe(2);
      expect(JSON.parse(items.get(KEY) ?? '')).toMatchObject({ topics: { alerts: { epoch: 'e1', seq: 400 } } });
    });

    it('saves a pending change at once when the page is hidden, and on disconnect(), leaving no timer', async () => {
      const { storage, items } = memoryStorage();
      const harness = setup({ features: persisted(storage) });
      harness.client.subscribe('alerts').subscribe();
      const socket = await connectNow(harness);
      socket.serverSend({ type: 'subscribed', topic: 'alerts', epoch: 'e1', seq: 0, recovered: true, replayed: 0 });
      socket.serverSend(event(1));
      socket.serverSend(event(2));
      harness.connectivity.pageHidden();
      expect(JSON.parse(items.get(KEY) ?? '')).toMatchObject({ topics: { alerts: { seq: 2 } } });
      socket.serverSend(event(3));
      harness.client.disconnect();
      expect(JSON.parse(items.get(KEY) ?? '')).toMatchObject({ topics: { alerts: { seq: 3 } } });
      expect(jest.getTimerCount()).toBe(0);
    });

    it('keeps the state of each server URL apart', async () => {
      const { storage, items } = memoryStorage();
      await firstPage(storage);
      const other = setup({ features: persisted(storage), url: 'ws://other.test/ws' });
      other.client.connect().catch(() => undefined);
      await flush();
      other.sockets.last().serverOpen();
      expect(other.sockets.last().frames('hello')[0]).not.toHaveProperty('session_id');
      expect([...items.keys()]).toEqual([KEY]);
    });

    it("gives a duplicated tab (a copy of the storage) a new session instead of taking over the original's", async () => {
      const hub = fakeBroadcastHub();
      const original = memoryStorage();
      const lines: string[] = [];
      const first = setup({ features: persisted(original.storage, hub.factory) });
      await connectNow(first, 'session-1');
      jest.setSystemTime(Date.now() + 1);
      const copy = memoryStorage();
      for (const [key, value] of original.items) copy.items.set(key, value);

      const duplicate = setup({ features: persisted(copy.storage, hub.factory), debug: (line) => lines.push(line) });
      await flush();
      const connecting = duplicate.client.connect();
      await flush();
      duplicate.sockets.last().serverOpen();

      expect(duplicate.sockets.last().frames('hello')[0]).not.toHaveProperty('session_id');
      expect(lines).toContain(
        'Another tab of this browser uses session session-1 (a duplicated tab shares its saved state); this page starts a new session on its next connection.',
      );
      duplicate.sockets.last().serverWelcome('session-2');
      await connecting;
      first.client.destroy();
      duplicate.client.destroy();
      expect(hub.open()).toBe(0);
    });

    it('makes the newer of two tabs that resumed the same session name none on its next connection', async () => {
      const hub = fakeBroadcastHub();
      const older = setup({ features: persisted(memoryStorage().storage, hub.factory) });
      jest.setSystemTime(Date.now() + 1);
      const newer = setup({ features: persisted(memoryStorage().storage, hub.factory) });
      const newerSocket = await connectNow(newer, 'session-1');
      await connectNow(older, 'session-1'); // the server handed the session to the older tab
      await flush();

      newerSocket.serverClose(1006);
      await jest.advanceTimersByTimeAsync(5000);
      newer.sockets.last().serverOpen();

      expect(newer.sockets.last().frames('hello')[0]).not.toHaveProperty('session_id');
      older.sockets.last().serverClose(1006);
      await jest.advanceTimersByTimeAsync(5000);
      older.sockets.last().serverOpen();
      expect(older.sockets.last().frames('hello')[0].session_id).toBe('session-1');
    });

    it('uses no storage without withResumeStorage(), and still names the session on a reconnect', async () => {
      const harness = setup();
      const socket = await connectNow(harness);
      socket.serverClose(1006);
      await jest.advanceTimersByTimeAsync(5000);
      harness.sockets.last().serverOpen();
      // The session is still named on a reconnect within the page.
      expect(harness.sockets.last().frames('hello')[0].session_id).toBe('session-1');
    });
  });

  describe('token refresh', () => {
    // The fake server never pings: the client's own heartbeat keeps its 30 s period rather than the
    // welcome's 25 s, so that the silent link outlives the minute these tests watch.
    const QUIET_LINK = { pingInterval: 30_000 };

    /** A token provider that hands out token-1, token-2, ... and counts its calls. */
    function tokens() {
      const calls: number[] = [];
      return {
        calls,
        provider: async () => {
          calls.push(Date.now());
          return `token-${calls.length}`;
        },
      };
    }

    it('sends auth with a fresh token shortly before welcome.token_expires_at and keeps the connection', async () => {
      const { calls, provider } = tokens();
      const harness = setup({ token: provider, ...QUIET_LINK });
      const connecting = harness.client.connect();
      await flush();
      const socket = harness.sockets.last();
      socket.serverOpen();
      const start = Date.now();
      socket.serverWelcome('session-1', { token_expires_at: start + 60_000 });
      await connecting;
      expect(harness.client.state.tokenExpiresAt).toBe(start + 60_000);

      await jest.advanceTimersByTimeAsync(53_999);
      expect(socket.frames('auth')).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      expect(socket.frames('auth')).toEqual([{ type: 'auth', token: 'token-2' }]);
      socket.serverSend({ type: 'authenticated', token_expires_at: start + 54_000 + 60_000 });
      expect(harness.client.state).toMatchObject({ status: 'connected', tokenExpiresAt: start + 114_000 });
      await jest.advanceTimersByTimeAsync(54_000);
      expect(socket.frames('auth').map((f) => f.token)).toEqual(['token-2', 'token-3']);
      expect(calls.map((at) => at - start)).toEqual([0, 54_000, 108_000]);
      expect(harness.sockets.sockets).toHaveLength(1);
    });

    it("plans on the server's clock: an expiry 60 s after the welcome's server_time, whatever the clocks say", async () => {
      const { calls, provider } = tokens();
      const harness = setup({ token: provider });
      const connecting = harness.client.connect();
      await flush();
      const socket = harness.sockets.last();
      socket.serverOpen();
      const start = Date.now();
      const serverNow = start + 3_600_000; // the server's clock is an hour ahead
      socket.serverWelcome('session-1', { server_time: serverNow, token_expires_at: serverNow + 60_000 });
      await connecting;
      expect(harness.client.state.tokenExpiresAt).toBe(start + 60_000);
      await jest.advanceTimersByTimeAsync(54_000);
      expect(calls.map((at) => at - start)).toEqual([0, 54_000]);
    });

    it('reports a failing provider as an error and tries again before the expiry', async () => {
      let fail = true;
      const harness = setup({
        token: async () => {
          if (fail && harness.client.state.status === 'connected') throw new Error('auth service down');
          return 'token';
        },
        ...QUIET_LINK,
      });
      const connecting = harness.client.connect();
      await flush();
      const socket = harness.sockets.last();
      socket.serverOpen();
      socket.serverWelcome('session-1', { token_expires_at: Date.now() + 60_000 });
      await connecting;
      await jest.advanceTimersByTimeAsync(54_000);
      expect(harness.eventsNamed('error')).toEqual([
        { message: 'Refreshing the token failed (auth service down); trying again before it expires.', code: 'token_refresh', kind: null, at: Date.now() },
      ]);
      fail = false;
      await jest.advanceTimersByTimeAsync(3_000);
      expect(socket.frames('auth')).toEqual([{ type: 'auth', token: 'token' }]);
    });

    it('does not try to refresh a fixed token, and says why in the debug log', async () => {
      const lines: string[] = [];
      const harness = setup({ token: 'fixed', debug: (line) => lines.push(line) });
      const connecting = harness.client.connect();
      await flush();
      harness.sockets.last().serverOpen();
      harness.sockets.last().serverWelcome('session-1', { token_expires_at: Date.now() + 60_000 });
      await connecting;
      await jest.advanceTimersByTimeAsync(60_000);
      expect(harness.sockets.last().frames('auth')).toEqual([]);
      expect(lines).toContain(
        'The server says the token expires, but the token option is a fixed string: it cannot be refreshed, so the server will close the connection with 4001 then. Pass a token provider function to refresh it.',
      );
    });

    it('after the expiry closes the connection with 4001, reconnects at once with a fresh token', async () => {
      const { calls, provider } = tokens();
      const harness = setup({ token: provider });
      const connecting = harness.client.connect();
      await flush();
      const first = harness.sockets.last();
      first.serverOpen();
      first.serverWelcome('session-1', { token_expires_at: Date.now() + 60_000 });
      await connecting;
      first.serverClose(4001, 'token expired');
      await flush();
      await flush();
      const second = harness.sockets.last();
      second.serverOpen();
      expect(second.frames('hello')[0]).toMatchObject({ token: 'token-2', session_id: 'session-1' });
      expect(calls).toHaveLength(2);
    });

    it.each([
      ['disconnect()', (h: ReturnType<typeof setup>) => h.client.disconnect()],
      ['a lost connection', (h: ReturnType<typeof setup>) => h.sockets.last().serverClose(1006)],
    ])('is cancelled by %s', async (_, end) => {
      const { calls, provider } = tokens();
      const harness = setup({ token: provider, autoReconnect: false });
      const connecting = harness.client.connect();
      await flush();
      harness.sockets.last().serverOpen();
      harness.sockets.last().serverWelcome('session-1', { token_expires_at: Date.now() + 60_000 });
      await connecting;
      end(harness);
      await flush();
      expect(jest.getTimerCount()).toBe(0);
      expect(harness.client.state.tokenExpiresAt).toBeNull();
      await jest.advanceTimersByTimeAsync(120_000);
      expect(calls).toHaveLength(1);
    });
  });

  describe('features (options.features)', () => {
    it('rejects send() without withOutbox(), saying which feature to add', async () => {
      const { client } = setup({ features: [] });

      await expect(client.send('alerts.ack', { id: 1 })).rejects.toThrow(
        new HeartbeatClientOptionsError(ClientMessages.featureMissing('send()', 'withOutbox()')),
      );
    });

    it('rejects request() without withRequests(), saying which feature to add', async () => {
      const { client } = setup({ features: [] });

      await expect(client.request('orders.get', { id: 1 })).rejects.toThrow(
        new HeartbeatClientOptionsError(ClientMessages.featureMissing('request()', 'withRequests()')),
      );
    });

    it('errors presence$() without withPresence(), saying which feature to add', () => {
      const { client } = setup({ features: [] });
      let failure: unknown;

      client.presence$('room').subscribe({ error: (error: unknown) => (failure = error) });

      expect(failure).toEqual(new HeartbeatClientOptionsError(ClientMessages.featureMissing('presence$()', 'withPresence()')));
    });

    it('refuses a feature given twice', () => {
      expect(() => setup({ features: [withOutbox(), withOutbox()] })).toThrow(
        new HeartbeatClientOptionsError(ClientMessages.featureTwice('outbox')),
      );
    });

    it('does not refresh a token without withTokenRefresh(): the server closes with 4001 at expiry', async () => {
      const harness = setup({ features: [], token: async () => 'token-1', pingInterval: 30_000 });
      const socket = await connectNow(harness, 'session-1', { token_expires_at: Date.now() + 10_000 });

      await jest.advanceTimersByTimeAsync(10_000);

      expect(socket.frames('auth')).toEqual([]);
    });
  });

  describe('#on', () => {
    it('keeps other handlers and the client running when one throws, and unsubscribes', async () => {
      const lines: string[] = [];
      const harness = setup({ debug: (line) => lines.push(line) });
      const calls: string[] = [];
      harness.client.on('connection_established', () => {
        throw new Error('app bug');
      });
      const off = harness.client.on('connection_established', () => calls.push('second'));
      await connectNow(harness);
      off();
      expect(calls).toEqual(['second']);
      expect(harness.client.state.status).toBe('connected');
      expect(lines).toContain('A handler for "connection_established" threw; the other handlers still ran.');
    });
  });

  describe('#destroy', () => {
    it('completes the streams and refuses to connect again', async () => {
      const harness = setup();
      await connectNow(harness);
      let completed = false;
      harness.client.state$.subscribe({ complete: () => (completed = true) });
      harness.client.destroy();
      harness.client.destroy();
      expect(completed).toBe(true);
      expect(jest.getTimerCount()).toBe(0);
      await expect(harness.client.connect()).rejects.toThrow('This HeartbeatClient was destroyed');
    });

    it('answers a subscribe() or presence$() made afterwards with an error that says so, not a stream that never ends', async () => {
      const harness = setup({ features: [withPresence()] });
      await connectNow(harness);
      harness.client.destroy();
      const errors: unknown[] = [];
      harness.client.subscribe('alerts').subscribe({ error: (error: unknown) => errors.push(error) });
      harness.client.presence$('rooms.lobby').subscribe({ error: (error: unknown) => errors.push(error) });
      expect(errors).toEqual([new Error(ClientMessages.destroyed()), new Error(ClientMessages.destroyed())]);
      expect(harness.sockets.sockets).toHaveLength(1);
    });
  });
});
