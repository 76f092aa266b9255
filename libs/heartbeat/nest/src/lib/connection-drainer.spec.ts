import { CloseCode } from '@heartbeat/protocol';
import { BlackholeProxy, type Closed, sleep, TestClient } from '@heartbeat/testing';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { EventLog } from '../testing/event-log.js';
import { type TestApp, startTestApp } from '../testing/test-app.js';
import { HeartbeatMessages } from './core/heartbeat.messages.js';
import { CLOSE_HANDSHAKE_GRACE_MS } from './core/heartbeat-connection.js';
import type { HeartbeatModuleOptions } from './core/heartbeat-options.interface.js';

const TMP_DIR = join(import.meta.dirname, '../../tmp');

/** The status and headers with which the server refuses an upgrade. */
function refusedUpgrade(url: string): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('unexpected-response', (_request, response) => {
      resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'] as string | undefined });
      socket.terminate();
    });
    socket.on('open', () => reject(new Error('the upgrade was accepted')));
    socket.on('error', () => undefined);
  });
}

describe('ConnectionDrainer', () => {
  let server: TestApp | undefined;
  let clients: TestClient[] = [];

  async function start(options: HeartbeatModuleOptions): Promise<TestApp> {
    server = await startTestApp({ pingInterval: 5_000, heartbeatTimeout: 20_000, ...options });
    return server;
  }

  async function open(count: number, url = server!.url): Promise<TestClient[]> {
    const opened = await Promise.all(Array.from({ length: count }, async () => (await TestClient.open(url)).client));
    clients.push(...opened);
    return opened;
  }

  /** Closes the app (the drain runs first) and forgets it, so that afterEach does not close it twice. */
  async function shutDown(): Promise<void> {
    const app = server!;
    server = undefined;
    await app.close();
  }

  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    clients = [];
    await server?.close();
    server = undefined;
  });

  describe('#beforeApplicationShutdown', () => {
    it('closes every connection with 1012, connection i of n at i × drainWindow / n, then lets the app close', async () => {
      const drainWindow = 1_000;
      const n = 10;
      const { service } = await start({ drainWindow });
      const log = new EventLog(service.events$);
      const opened = await open(n);
      const closedAt: number[] = [];
      const closes = opened.map((client) => client.closed.then((closed) => (closedAt.push(Date.now()), closed)));

      const startedAt = Date.now();
      await shutDown();
      const durationMs = Date.now() - startedAt;
      const results: Closed[] = await Promise.all(closes);
      log.stop();

      expect(results).toEqual(Array(n).fill({ code: CloseCode.ServiceRestart, reason: HeartbeatMessages.closeDraining() }));
      const offsets = closedAt.map((at) => at - startedAt).sort((a, b) => a - b);
      // Each close waits for its turn (timers never fire early); nothing is closed all at once.
      offsets.forEach((offset, i) => expect(offset).toBeGreaterThanOrEqual((i * drainWindow) / n - 5));
      expect(offsets[n - 1] - offsets[0]).toBeGreaterThanOrEqual(((n - 1) * drainWindow) / n - offsets[0] - 5);
      expect(durationMs).toBeGreaterThanOrEqual(((n - 1) * drainWindow) / n - 5);
      expect(durationMs).toBeLessThan(drainWindow + CLOSE_HANDSHAKE_GRACE_MS);
      expect(log.of('draining').map((event) => [event.position, event.of])).toEqual(Array.from({ length: n }, (_, i) => [i + 1, n]));

      mkdirSync(TMP_DIR, { recursive: true });
      writeFileSync(
        join(TMP_DIR, 'drain-spread.json'),
        `${JSON.stringify({ connections: n, drainWindowMs: drainWindow, scheduledMs: offsets.map((_, i) => (i * drainWindow) / n), closedAtMs: offsets, appClosedAfterMs: durationMs }, null, 2)}\n`,
      );
    });

    it('refuses upgrades with HTTP 503 and a Retry-After while draining, and reports draining in the stats', async () => {
      const { service, url } = await start({ drainWindow: 1_000 });
      const [first] = await open(2);
      expect(service.isDraining).toBe(false);
      const closing = shutDown();
      await first.closed; // the second one waits for its turn, 500 ms later
      expect(service.isDraining).toBe(true);
      expect(service.getTotals().draining).toBe(true);
      expect(await refusedUpgrade(url)).toEqual({ status: 503, retryAfter: '5' });
      await closing;
    });

    it('keeps delivering events to a connection until its turn comes', async () => {
      const { service } = await start({ drainWindow: 600 });
      const [first, second] = await open(2);
      second.send({ type: 'subscribe', topic: 'alerts' });
      await second.next('subscribed');
      const closing = shutDown();
      await first.closed;
      service.publish('alerts', { during: 'drain' });
      expect(await second.next('event')).toMatchObject({ seq: 1, data: { during: 'drain' } });
      expect((await second.closed).code).toBe(CloseCode.ServiceRestart);
      await closing;
    });

    it('closes a connection still verifying its token with 1012 and never welcomes it', async () => {
      let verifying!: () => void;
      const verifyStarted = new Promise<void>((resolve) => (verifying = resolve));
      await start({
        drainWindow: 0,
        verifyToken: async () => {
          verifying();
          await sleep(200);
          return true;
        },
      });
      const client = await TestClient.connect(server!.url);
      clients.push(client);
      client.send({ type: 'hello', token: 'any' });
      await verifyStarted;
      await shutDown();
      expect((await client.closed).code).toBe(CloseCode.ServiceRestart);
      await sleep(250);
      expect(client.all('welcome')).toEqual([]);
    });

    it(
      'destroys a peer that does not answer its close frame once the close grace has passed',
      async () => {
        const { port, service } = await start({ drainWindow: 0 });
        const log = new EventLog(service.events$);
        const proxy = await BlackholeProxy.start(port);
        try {
          await open(1, `ws://127.0.0.1:${proxy.port}/ws`);
          proxy.blackhole();
          const startedAt = Date.now();
          await shutDown();
          const durationMs = Date.now() - startedAt;
          expect(durationMs).toBeGreaterThanOrEqual(CLOSE_HANDSHAKE_GRACE_MS - 20);
          expect(durationMs).toBeLessThan(CLOSE_HANDSHAKE_GRACE_MS + 3_000);
          expect(log.of('disconnected')).toEqual([expect.objectContaining({ code: CloseCode.ServiceRestart })]);
        } finally {
          log.stop();
          await proxy.close();
        }
      },
      CLOSE_HANDSHAKE_GRACE_MS + 10_000,
    );

    it('lets an application without connections close at once', async () => {
      await start({ drainWindow: 10_000 });
      const startedAt = Date.now();
      await shutDown();
      expect(Date.now() - startedAt).toBeLessThan(2_000);
    });

    it('closes every connection at once with drainWindow 0', async () => {
      await start({ drainWindow: 0 });
      const opened = await open(5);
      await shutDown();
      const results = await Promise.all(opened.map((client) => client.closed));
      expect(results.map((closed) => closed.code)).toEqual(Array(5).fill(CloseCode.ServiceRestart));
    });
  });

  describe('HeartbeatGateway#handleConnection (around the start of the drain)', () => {
    it('refuses (503) or closes with 1012 every socket that opens while the drain begins, and welcomes none', async () => {
      await start({ drainWindow: 1_000 });
      await open(2);
      const outcomes = Array.from({ length: 5 }, async () => {
        try {
          const client = await TestClient.connect(server!.url);
          clients.push(client);
          client.send({ type: 'hello' });
          const closed = await client.closed;
          return client.all('welcome').length === 0 ? closed.code : 'welcomed';
        } catch (error) {
          return (error as Error).message;
        }
      });
      await shutDown();
      for (const outcome of await Promise.all(outcomes)) {
        expect([CloseCode.ServiceRestart, 'upgrade refused with HTTP 503']).toContain(outcome);
      }
    });
  });
});
