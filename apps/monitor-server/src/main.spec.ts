import { MonitorServerProcess, TestClient } from '@heartbeat/testing';
import { CloseCode } from '@heartbeat/protocol';

const TOKEN = 'main-spec-client';
const DRAIN_WINDOW_MS = 600;

/** A welcomed protocol client that answers pings. */
async function connect(url: string): Promise<TestClient> {
  return (await TestClient.open(url, TOKEN)).client;
}

/** The built server (dist/main.js) as a child process, as `npm start` runs it. */
describe('main (the monitor server process)', () => {
  let server: MonitorServerProcess | undefined;

  afterEach(async () => {
    await server?.kill();
    server = undefined;
  });

  describe('on SIGTERM', () => {
    it('drains the connections with 1012 spread over DRAIN_WINDOW_MS, reports draining on /health, and exits with 0', async () => {
      server = await MonitorServerProcess.start({
        CLIENT_TOKENS: TOKEN,
        ADMIN_TOKEN: 'main-spec-admin',
        ALERT_RATE: '0',
        DRAIN_WINDOW_MS: String(DRAIN_WINDOW_MS),
      });
      const n = 6;
      const clients = await Promise.all(Array.from({ length: n }, () => connect(server!.wsUrl)));

      const sentAt = Date.now();
      const exit = server.kill('SIGTERM');
      const first = await Promise.race(clients.map((client) => client.closed));
      const health = await fetch(`${server.url}/health`);
      expect(first.code).toBe(CloseCode.ServiceRestart);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ status: 'draining' });

      expect(await exit).toEqual({ code: 0, signal: null });
      const closes = await Promise.all(clients.map((client) => client.closed));
      expect(closes.map((close) => close.code)).toEqual(Array(n).fill(CloseCode.ServiceRestart));
      const offsets = clients.map((client) => client.closedAt! - sentAt).sort((a, b) => a - b);
      offsets.forEach((offset, i) => expect(offset).toBeGreaterThanOrEqual((i * DRAIN_WINDOW_MS) / n - 5));
      expect(server.log).toMatch(/draining: closing 6 connections with 1012 over 600 ms/);
      expect(server.log).toMatch(/drained: 6 connections closed in \d+ ms/);
      server = undefined;
    });

    it('exits with 0 at once when nobody is connected', async () => {
      server = await MonitorServerProcess.start({ CLIENT_TOKENS: TOKEN, ADMIN_TOKEN: 'main-spec-admin', ALERT_RATE: '5' });
      const startedAt = Date.now();
      expect(await server.kill('SIGTERM')).toEqual({ code: 0, signal: null });
      expect(Date.now() - startedAt).toBeLessThan(5_000);
      server = undefined;
    });
  });
});
