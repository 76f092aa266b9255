import type { HeartbeatStats } from '@heartbeat/nest';
import type { EventFrame } from '@heartbeat/protocol';
import { TestClient } from '@heartbeat/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { ModerationAlert } from './alerts/moderation-alert.js';
import { loadMonitorConfig } from './config/monitor-config.js';
import { createMonitorApp } from './create-monitor-app.js';
import type { DashboardConfig } from './http/dashboard-config.controller.js';

const ADMIN = 'admin-secret';
const TOKEN = 'client-secret';
/** The token of user alice: only she may read `user.alice`. */
const ALICE_TOKEN = 'alice-secret';

/** A protocol client that sent its hello (frames are kept, not consumed) and answers pings. */
async function connect(port: number, token = TOKEN): Promise<TestClient> {
  const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws`);
  client.send({ type: 'hello', token });
  return client;
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('createMonitorApp', () => {
  let app: NestExpressApplication;
  let port: number;
  let base: string;

  beforeAll(async () => {
    const config = loadMonitorConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      CLIENT_TOKENS: `${TOKEN},other-token,alice:${ALICE_TOKEN}`,
      ADMIN_TOKEN: ADMIN,
      ALERT_RATE: '50',
      HEARTBEAT_PING_INTERVAL_MS: '50',
      HEARTBEAT_INTERVAL_MS: '100',
      HEARTBEAT_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'error',
    });
    app = await createMonitorApp(config);
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(() => app.close());

  describe('GET /health', () => {
    it('reports ok with the connection count', async () => {
      const response = await fetch(`${base}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok', event_bus: 'memory', connections: expect.any(Number) });
    });
  });

  describe('GET /api/heartbeat/stats', () => {
    it('answers 401 without the admin bearer token, and with a wrong one', async () => {
      const missing = await fetch(`${base}/api/heartbeat/stats`);
      expect(missing.status).toBe(401);
      expect(((await missing.json()) as { message: string }).message).toMatch(/Authorization: Bearer/);
      const wrong = await fetch(`${base}/api/heartbeat/stats`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(wrong.status).toBe(401);
    });

    it('returns heartbeat_stats and connection_details with the admin token', async () => {
      const client = await connect(port);
      await until(() => client.frames.some((frame) => frame.type === 'ping'));
      const response = await fetch(`${base}/api/heartbeat/stats`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(response.status).toBe(200);
      const stats = (await response.json()) as HeartbeatStats;
      expect(stats.heartbeat_stats).toMatchObject({ active_connections: 1, total_pings_sent: expect.any(Number) });
      expect(stats.connection_details).toEqual([
        expect.objectContaining({ remote_address: expect.stringMatching(/^127\.0\.0\.1:\d+$/), state: 'open' }),
      ]);
      client.socket.close();
      await client.closed;
    });
  });

  describe('DELETE /api/heartbeat/connections/:id', () => {
    it('answers 401 without the admin token, or with a client token, and leaves the connection open', async () => {
      const client = await connect(port);
      await until(() => client.frames.some((frame) => frame.type === 'welcome'));
      const admin = { authorization: `Bearer ${ADMIN}` };
      const stats = (await (await fetch(`${base}/api/heartbeat/stats`, { headers: admin })).json()) as HeartbeatStats;
      const { id } = stats.connection_details[0];
      const attempts: Record<string, string>[] = [{}, { authorization: `Bearer ${TOKEN}` }, { authorization: ADMIN }, { authorization: `Bearer ${ADMIN}x` }];
      for (const headers of attempts) {
        expect((await fetch(`${base}/api/heartbeat/connections/${id}`, { method: 'DELETE', headers })).status).toBe(401);
      }
      expect(client.socket.readyState).toBe(WebSocket.OPEN);
      client.socket.close();
      await client.closed;
    });


    it('kicks the connection with 4003, and answers 404 for an unknown id', async () => {
      const client = await connect(port);
      await until(() => client.frames.some((frame) => frame.type === 'welcome'));
      const headers = { authorization: `Bearer ${ADMIN}` };
      const stats = (await (await fetch(`${base}/api/heartbeat/stats`, { headers })).json()) as HeartbeatStats;
      const { id } = stats.connection_details[0];
      expect((await fetch(`${base}/api/heartbeat/connections/${id}`, { method: 'DELETE', headers })).status).toBe(204);
      expect((await client.closed).code).toBe(4003);
      expect((await fetch(`${base}/api/heartbeat/connections/${id}`, { method: 'DELETE', headers })).status).toBe(404);
    });
  });

  describe('POST /api/heartbeat/topics/:topic/events', () => {
    const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    const post = (topic: string, body: string, headers: Record<string, string> = admin) =>
      fetch(`${base}/api/heartbeat/topics/${topic}/events`, { method: 'POST', headers, body });

    /** A client of alice subscribed to `topic`, and the events it received. */
    async function subscriber(topic: string): Promise<{ client: TestClient; events: () => EventFrame[] }> {
      const client = await connect(port, ALICE_TOKEN);
      await until(() => client.frames.some((frame) => frame.type === 'welcome'));
      client.send({ type: 'subscribe', topic });
      await until(() => client.frames.some((frame) => frame.type === 'subscribed'));
      return { client, events: () => client.frames.filter((frame): frame is EventFrame => frame.type === 'event' && frame.topic === topic) };
    }

    it('answers 401 without the admin token, or with a client token, and publishes nothing', async () => {
      const { client, events } = await subscriber('user.alice');
      for (const headers of [{ 'content-type': 'application/json' }, { ...admin, authorization: `Bearer ${TOKEN}` }]) {
        const response = await post('user.alice', '{"text":"intruder"}', headers);
        expect(response.status).toBe(401);
      }
      expect((await post('user.alice', '"marker"')).status).toBe(201);
      await until(() => events().length === 1);
      expect(events()[0].data).toBe('marker');
      client.socket.close();
      await client.closed;
    });

    it('publishes the JSON body as the next event of the topic and answers its topic, seq and epoch', async () => {
      const { client, events } = await subscriber('user.alice');
      const first = await post('user.alice', '{"text":"maintenance at 22:00"}');
      expect(first.status).toBe(201);
      const answer = (await first.json()) as { topic: string; seq: number; epoch: string };
      expect(answer).toEqual({ topic: 'user.alice', seq: expect.any(Number), epoch: expect.any(String) });
      const second = (await (await post('user.alice', '[1,2]')).json()) as { seq: number };
      expect(second.seq).toBe(answer.seq + 1);
      await until(() => events().length === 2);
      expect(events().map((event) => [event.seq, event.data])).toEqual([
        [answer.seq, { text: 'maintenance at 22:00' }],
        [answer.seq + 1, [1, 2]],
      ]);
      client.socket.close();
      await client.closed;
    });

    it.each([
      ['a space', 'ops%20news', /character topics may not use/],
      ['a wildcard', 'ops.*', /character topics may not use/],
      ['a name too long', 'x'.repeat(201), /most is 200/],
    ])('refuses a topic name with %s with 400 and the sentence of topicNameProblem', async (_case, topic, sentence) => {
      const response = await post(topic, '{}');
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(sentence);
    });

    it.each([
      ['is not JSON', '{"text":', admin, 400, /not valid JSON/],
      ['is empty', '', admin, 400, /body is empty/],
      ['is not labelled JSON', '{"text":"hi"}', { authorization: admin.authorization, 'content-type': 'text/plain' }, 400, /Content-Type: application\/json/],
      ['is larger than 64 KiB', JSON.stringify({ text: 'x'.repeat(70_000) }), admin, 413, /larger than 65536 bytes/],
    ])('answers a body that %s with a sentence and publishes nothing', async (_case, body, headers, status, sentence) => {
      const { client, events } = await subscriber('user.alice');
      const response = await post('user.alice', body, headers);
      expect(response.status).toBe(status);
      expect(((await response.json()) as { message: string }).message).toMatch(sentence);
      expect((await post('user.alice', '"marker"')).status).toBe(201);
      await until(() => events().length === 1);
      expect(events()[0].data).toBe('marker');
      client.socket.close();
      await client.closed;
    });
  });

  describe('GET /metrics', () => {
    it('serves Prometheus text with connection, ping, pong, timeout and RTT metrics', async () => {
      const client = await connect(port);
      await until(() => client.frames.filter((frame) => frame.type === 'ping').length >= 3);
      const response = await fetch(`${base}/metrics`);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await response.text();
      expect(text).toMatch(/^heartbeat_connections 1$/m);
      expect(Number(/^heartbeat_pings_sent_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(3);
      expect(Number(/^heartbeat_pongs_received_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(2);
      expect(text).toMatch(/^heartbeat_timeouts_total \d+$/m);
      expect(Number(/^heartbeat_rtt_seconds_count (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(2);
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
      for (const counter of [
        'heartbeat_resumed_sessions_total',
        'heartbeat_session_takeovers_total',
        'heartbeat_session_refusals_total',
        'heartbeat_duplicate_messages_total',
        'heartbeat_slow_consumer_disconnections_total',
        'heartbeat_rate_limited_disconnections_total',
        'heartbeat_address_limit_rejections_total',
        'heartbeat_token_expirations_total',
      ]) {
        expect(text).toMatch(new RegExp(`^${counter} \\d+$`, 'm'));
      }
      expect(text).toMatch(/^heartbeat_retained_sessions \d+$/m);
      expect(text).toMatch(/^heartbeat_draining 0$/m);
      expect(text).toMatch(/^heartbeat_send_buffer_bytes \d+$/m);
      expect(text).toMatch(/^heartbeat_send_buffer_max_bytes \d+$/m);
      client.socket.close();
      await client.closed;
    });
  });

  describe('alerts', () => {
    it('arrive on topic "alerts" in order with consecutive seq and moderation fields', async () => {
      const client = await connect(port);
      await until(() => client.frames.some((frame) => frame.type === 'welcome'));
      client.socket.send(JSON.stringify({ type: 'subscribe', topic: 'alerts' }));
      const events = () => client.frames.filter((frame): frame is EventFrame<ModerationAlert> => frame.type === 'event');
      await until(() => events().length >= 20);
      const seqs = events().map((event) => event.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0] + i));
      expect(events()[0].data).toEqual({
        id: expect.any(String),
        content_id: expect.any(String),
        content_type: expect.any(String),
        category: expect.any(String),
        risk_score: expect.any(Number),
        action: expect.stringMatching(/^(block|review|flag)$/),
        model: expect.any(String),
        created_at: expect.any(String),
      });
      client.socket.close();
      await client.closed;
    });
  });

  describe('GET /api/dashboard/config', () => {
    it('gives the WebSocket path but no configured token', async () => {
      const response = await fetch(`${base}/api/dashboard/config`);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({ wsPath: '/ws' });
    });
  });

  describe('WebSocket authentication', () => {
    it('closes a hello with a token outside CLIENT_TOKENS with 4001', async () => {
      const client = await connect(port, 'not-a-token');
      expect((await client.closed).code).toBe(4001);
      expect(client.frames.some((frame) => frame.type === 'welcome')).toBe(false);
    });

    it('accepts every token of CLIENT_TOKENS', async () => {
      const client = await connect(port, 'other-token');
      await until(() => client.frames.some((frame) => frame.type === 'welcome'));
      client.socket.close();
      expect((await client.closed).code).toBe(1005);
    });
  });
});

describe('createMonitorApp in demo mode with a built dashboard', () => {
  let app: NestExpressApplication;
  let base: string;
  let dashboardDir: string;

  beforeAll(async () => {
    dashboardDir = mkdtempSync(join(tmpdir(), 'dashboard-'));
    writeFileSync(join(dashboardDir, 'index.html'), '<!doctype html><title>dashboard</title><app-root></app-root>');
    writeFileSync(join(dashboardDir, 'main-ABC.js'), 'console.log("dashboard")');
    // No CLIENT_TOKENS and no ADMIN_TOKEN: both are generated, as for a plain `npm start`.
    const config = loadMonitorConfig({ PORT: '0', HOST: '127.0.0.1', WS_PATH: '/live', ALERT_RATE: '0', LOG_LEVEL: 'error' }, dashboardDir);
    app = await createMonitorApp(config);
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app.close();
    rmSync(dashboardDir, { recursive: true, force: true });
  });

  describe('GET /api/dashboard/config', () => {
    it('hands the generated tokens to a browser on this machine', async () => {
      const config = (await (await fetch(`${base}/api/dashboard/config`)).json()) as DashboardConfig;
      expect(config).toEqual({ wsPath: '/live', clientToken: expect.any(String), adminToken: expect.any(String) });
      const stats = await fetch(`${base}/api/heartbeat/stats`, { headers: { authorization: `Bearer ${config.adminToken}` } });
      expect(stats.status).toBe(200);
    });

    it('keeps the tokens from a request relayed by a proxy', async () => {
      const response = await fetch(`${base}/api/dashboard/config`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
      expect(await response.json()).toEqual({ wsPath: '/live' });
    });
  });

  describe('the dashboard', () => {
    it('is served at /, with index.html never cached', async () => {
      const response = await fetch(`${base}/`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toContain('<app-root>');
    });

    it('serves its assets', async () => {
      const response = await fetch(`${base}/main-ABC.js`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('dashboard');
    });

    it.each(['/admin', '/admin/connections', '/feed?x=1'])('answers the client-side route %s with index.html', async (path) => {
      const response = await fetch(`${base}${path}`, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await response.text()).toContain('<app-root>');
    });

    it('leaves a missing asset a 404', async () => {
      expect((await fetch(`${base}/missing-XYZ.js`)).status).toBe(404);
    });

    it('leaves a request that does not accept HTML a 404', async () => {
      expect((await fetch(`${base}/admin`, { headers: { accept: 'application/json' } })).status).toBe(404);
    });

    it.each(['/api/nothing-here', '/live', '/live/deeper'])('does not shadow the server path %s', async (path) => {
      const response = await fetch(`${base}${path}`, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('<app-root>');
    });

    it.each([
      ['/health', /^application\/json/],
      ['/metrics', /^text\/plain/],
    ])('keeps %s answered by the server', async (path, contentType) => {
      const response = await fetch(`${base}${path}`, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(contentType);
    });

    it('keeps the admin API behind the admin token', async () => {
      const response = await fetch(`${base}/api/heartbeat/stats`, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(401);
    });
  });
});
