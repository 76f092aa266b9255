import { CloseCode } from '@heartbeat/protocol';
import { TestClient } from '@heartbeat/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { WebSocket } from 'ws';
import { listeningMonitorApp } from '../../testing/listening-monitor-app.js';

const TOKEN = 'client-secret';
const TTL_MS = 400;

describe('CLIENT_TOKEN_TTL_MS in the monitor server', () => {
  let app: NestExpressApplication;
  let port: number;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    ({ app, port } = await listeningMonitorApp({ CLIENT_TOKENS: TOKEN, ADMIN_TOKEN: 'admin', CLIENT_TOKEN_TTL_MS: String(TTL_MS) }));
  });

  afterAll(async () => {
    for (const client of clients) client.socket.terminate();
    await app.close();
  });

  it('gives the hello token an expiry of now + TTL and closes the connection with 4001 then', async () => {
    const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws`, { autoPong: false });
    clients.push(client);
    const before = Date.now();
    client.send({ type: 'hello', token: TOKEN });
    const welcome = await client.next('welcome');
    expect(welcome.token_expires_at).toBeGreaterThanOrEqual(before + TTL_MS);
    expect(welcome.token_expires_at).toBeLessThanOrEqual(Date.now() + TTL_MS);
    const closed = await client.closed;
    expect(closed.code).toBe(CloseCode.Unauthorized);
    expect(client.closedAt).toBeGreaterThanOrEqual(welcome.token_expires_at!);
  });

  it('keeps a connection that sends auth with its token before the expiry, and moves the expiry', async () => {
    const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws`, { autoPong: false });
    clients.push(client);
    client.send({ type: 'hello', token: TOKEN });
    const welcome = await client.next('welcome');
    await new Promise((resolve) => setTimeout(resolve, TTL_MS / 2));
    client.send({ type: 'auth', token: TOKEN });
    const authenticated = await client.next('authenticated');
    expect(authenticated.token_expires_at).toBeGreaterThan(welcome.token_expires_at!);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, welcome.token_expires_at! - Date.now()) + 100));
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
    expect((await client.closed).code).toBe(CloseCode.Unauthorized);
  });
});
