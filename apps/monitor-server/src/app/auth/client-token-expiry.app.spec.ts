import { CloseCode, type ServerFrame } from '@heartbeat/protocol';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { loadMonitorConfig } from '../config/monitor-config.js';
import { createMonitorApp } from '../create-monitor-app.js';

const TOKEN = 'client-secret';
const TTL_MS = 400;

interface Client {
  socket: WebSocket;
  frames: ServerFrame[];
  closed: Promise<{ code: number; at: number }>;
}

async function connect(port: number): Promise<Client> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  const frames: ServerFrame[] = [];
  const closed = new Promise<{ code: number; at: number }>((resolve) => socket.on('close', (code) => resolve({ code, at: Date.now() })));
  socket.on('message', (data) => frames.push(JSON.parse(data.toString()) as ServerFrame));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return { socket, frames, closed };
}

async function frameOf<T extends ServerFrame['type']>(client: Client, type: T): Promise<Extract<ServerFrame, { type: T }>> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const frame = client.frames.find((candidate) => candidate.type === type);
    if (frame) return frame as Extract<ServerFrame, { type: T }>;
    if (Date.now() > deadline) throw new Error(`no "${type}" frame within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('CLIENT_TOKEN_TTL_MS in the monitor server', () => {
  let app: NestExpressApplication;
  let port: number;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    app = await createMonitorApp(
      loadMonitorConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        CLIENT_TOKENS: TOKEN,
        ADMIN_TOKEN: 'admin',
        ALERT_RATE: '0',
        LOG_LEVEL: 'error',
        CLIENT_TOKEN_TTL_MS: String(TTL_MS),
        DRAIN_WINDOW_MS: '0',
      }),
    );
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.terminate();
    await app.close();
  });

  it('gives the hello token an expiry of now + TTL and closes the connection with 4001 then', async () => {
    const client = await connect(port);
    sockets.push(client.socket);
    const before = Date.now();
    client.socket.send(JSON.stringify({ type: 'hello', token: TOKEN }));
    const welcome = await frameOf(client, 'welcome');
    expect(welcome.token_expires_at).toBeGreaterThanOrEqual(before + TTL_MS);
    expect(welcome.token_expires_at).toBeLessThanOrEqual(Date.now() + TTL_MS);
    const closed = await client.closed;
    expect(closed.code).toBe(CloseCode.Unauthorized);
    expect(closed.at).toBeGreaterThanOrEqual(welcome.token_expires_at!);
  });

  it('keeps a connection that sends auth with its token before the expiry, and moves the expiry', async () => {
    const client = await connect(port);
    sockets.push(client.socket);
    client.socket.send(JSON.stringify({ type: 'hello', token: TOKEN }));
    const welcome = await frameOf(client, 'welcome');
    await new Promise((resolve) => setTimeout(resolve, TTL_MS / 2));
    client.socket.send(JSON.stringify({ type: 'auth', token: TOKEN }));
    const authenticated = await frameOf(client, 'authenticated');
    expect(authenticated.token_expires_at).toBeGreaterThan(welcome.token_expires_at!);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, welcome.token_expires_at! - Date.now()) + 100));
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
    expect((await client.closed).code).toBe(CloseCode.Unauthorized);
  });
});
