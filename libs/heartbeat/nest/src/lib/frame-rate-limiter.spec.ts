import { CloseCode, ProtocolErrorCode, formatRetryHint, parseRetryHint } from '@heartbeat/protocol';
import { sleep, TestClient } from '@heartbeat/testing';
import { EventLog } from '../testing/event-log.js';
import { type TestApp, startTestApp } from '../testing/test-app.js';
import { HeartbeatMessages } from './core/heartbeat.messages.js';
import type { HeartbeatModuleOptions } from './core/heartbeat-options.interface.js';

const ping = (sequence: number) => ({ type: 'ping', timestamp: new Date().toISOString(), client_time: Date.now(), sequence });

describe('FrameRateLimiter', () => {
  let server: TestApp | undefined;
  let clients: TestClient[] = [];

  async function start(options: HeartbeatModuleOptions): Promise<TestApp> {
    server = await startTestApp({ pingInterval: 5_000, heartbeatTimeout: 20_000, ...options });
    return server;
  }

  /** A welcomed client that does not answer server pings, so that it sends exactly what the test sends. */
  async function open(): Promise<TestClient> {
    const { client } = await TestClient.open(server!.url, undefined, { autoPong: false });
    clients.push(client);
    return client;
  }

  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    clients = [];
    await server?.close();
    server = undefined;
  });

  describe('#admit', () => {
    it('closes a connection that exceeds the rate with 4429 and a retry hint, counted and announced', async () => {
      const { service } = await start({ rateLimit: { messagesPerSecond: 10, burst: 5 } });
      const log = new EventLog(service.events$);
      const client = await open(); // hello: 1 frame of the burst
      for (let sequence = 1; sequence <= 10; sequence++) client.send(ping(sequence));
      const closed = await client.closed;

      expect(closed.code).toBe(CloseCode.RateLimited);
      const retryAfterMs = parseRetryHint(closed.reason);
      expect(closed.reason).toBe(formatRetryHint(HeartbeatMessages.closeRateLimited(10), retryAfterMs!));
      expect(retryAfterMs).toBeGreaterThan(0);
      expect(retryAfterMs).toBeLessThanOrEqual(500); // a burst of 5 refills in 500 ms at 10/s
      expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(123);
      // Four pings fitted in the burst after the hello; the rest was dropped unanswered.
      expect(client.all('pong').map((pong) => pong.sequence)).toEqual([1, 2, 3, 4]);
      expect(service.getTotals().rate_limited_disconnections).toBe(1);
      expect(log.of('rate_limited')).toEqual([expect.objectContaining({ retryAfterMs })]);
      log.stop();
    });

    it('answers every frame of a client that stays within the burst and the rate', async () => {
      await start({ rateLimit: { messagesPerSecond: 20, burst: 5 } });
      const client = await open(); // the hello takes a token
      for (let sequence = 1; sequence <= 4; sequence++) client.send(ping(sequence));
      for (let sequence = 5; sequence <= 14; sequence++) {
        await sleep(100); // 10 frames per second, half the rate
        client.send(ping(sequence));
      }
      await client.next('pong', 2_000, (pong) => pong.sequence === 14);
      expect(client.all('pong')).toHaveLength(13);
      expect(server!.service.getTotals().rate_limited_disconnections).toBe(0);
    });

    it('counts frames before the handshake and invalid frames too', async () => {
      await start({ rateLimit: { messagesPerSecond: 1, burst: 3 } });
      const client = await TestClient.connect(server!.url);
      clients.push(client);
      for (let i = 0; i < 4; i++) client.send('not json');
      expect((await client.closed).code).toBe(CloseCode.RateLimited);
      expect(client.all('error').map((error) => error.code)).toEqual(Array(3).fill(ProtocolErrorCode.InvalidJson));
    });

    it('keeps one bucket per connection: a flooding client does not slow down another', async () => {
      await start({ rateLimit: { messagesPerSecond: 10, burst: 5 } });
      const flooder = await open();
      const calm = await open();
      for (let sequence = 1; sequence <= 20; sequence++) flooder.send(ping(sequence));
      expect((await flooder.closed).code).toBe(CloseCode.RateLimited);
      calm.send(ping(1));
      expect(await calm.next('pong')).toMatchObject({ sequence: 1 });
    });

    it('lets any rate through with rateLimit: false', async () => {
      await start({ rateLimit: false });
      const client = await open();
      for (let sequence = 1; sequence <= 1_000; sequence++) client.send(ping(sequence));
      await client.next('pong', 5_000, (pong) => pong.sequence === 1_000);
      expect(client.all('pong')).toHaveLength(999);
    });

    it('admits the default burst of 200 frames at once', async () => {
      await start({});
      const client = await open();
      for (let sequence = 1; sequence <= 199; sequence++) client.send(ping(sequence));
      await client.next('pong', 5_000, (pong) => pong.sequence === 199);
      expect(server!.service.getTotals().rate_limited_disconnections).toBe(0);
    });
  });
});
