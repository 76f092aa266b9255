import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, freePort, MonitorServerProcess } from '@heartbeat/testing';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { HeartbeatClientEventMap } from './client-events.js';
import type { HeartbeatClientOptions } from './client-options.js';
import * as ClientMessages from './client.messages.js';
import { NodeDiagnosticsMessages } from './feature.messages.js';
import type { ConnectionFailure } from './connection-failure.js';
import { HeartbeatClient } from './heartbeat-client.js';
import { withNodeDiagnostics } from './node-diagnostics.feature.js';

/**
 * The first-run mistakes of client.md's "Troubleshooting: the first connection", each against a
 * real socket on loopback, as the Node client (with `ws`) sees them: nothing listening, a wrong
 * path on the real monitor server, a plain HTTP server, a refused origin, a server that never
 * says welcome, a rejected token. Each must end with its own message and kind, in the `error`
 * event, in connect()'s rejection and in `lastError`, and keep it once the attempts run out.
 */
const CLIENT_TOKEN = 'first-connection-token';
/** One fast reconnect attempt, no slow retries: the client stops after its second failure. */
const STOP_AFTER_ONE: Partial<HeartbeatClientOptions> = {
  reconnectInterval: 50,
  maxReconnectAttempts: 1,
  suspendedRetryInterval: 0,
  jitter: 0,
  connectTimeout: 2_000,
};

async function listening<T extends Server | WebSocketServer>(server: T): Promise<number> {
  if (server instanceof WebSocketServer) {
    await once(server, 'listening');
    return (server.address() as AddressInfo).port;
  }
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

describe('HeartbeatClient, first connection', () => {
  const clients: HeartbeatClient[] = [];
  const servers: { close(callback: () => void): void }[] = [];

  /** A client with the failure of its first attempt and its error events. */
  async function firstAttempt(url: string, options: Partial<HeartbeatClientOptions> = {}) {
    const client = new HeartbeatClient({ url, webSocket: WebSocket, token: CLIENT_TOKEN, ...STOP_AFTER_ONE, features: [withNodeDiagnostics()], ...options });
    clients.push(client);
    const errors: HeartbeatClientEventMap['error'][] = [];
    const failedRuns: HeartbeatClientEventMap['reconnect_failed'][] = [];
    client.on('error', (event) => errors.push(event));
    client.on('reconnect_failed', (event) => failedRuns.push(event));
    const failure = (await client.connect().then(
      () => {
        throw new Error(`the client connected to ${url}`);
      },
      (error: unknown) => error,
    )) as ConnectionFailure;
    await eventually(() => client.state.phase === 'failed', 'the client to stop after its one attempt');
    return { client, failure, errors, failedRuns };
  }

  function serve<T extends { close(callback: () => void): void }>(server: T): T {
    servers.push(server);
    return server;
  }

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  });

  describe('when nothing listens at the URL', () => {
    it('says the connection was refused (ECONNREFUSED) and keeps that cause after the attempts ran out', async () => {
      const port = await freePort();
      const url = `ws://127.0.0.1:${port}/ws`;
      const { client, failure, errors, failedRuns } = await firstAttempt(url);

      expect(failure).toMatchObject({ name: 'ConnectionFailure', kind: 'connection-refused', code: 1006 });
      expect(failure.message).toBe(NodeDiagnosticsMessages.connectionRefused(url, `127.0.0.1:${port}`));
      expect(errors).toHaveLength(2);
      expect(errors.every((error) => error.kind === 'connection-refused' && error.message === failure.message && error.code === '1006')).toBe(true);
      expect(failedRuns).toEqual([{ attempts: 1, lastError: failure.message, kind: 'connection-refused', willRetry: false }]);
      expect(client.state).toMatchObject({ status: 'error', lastErrorKind: 'connection-refused' });
      expect(client.state.lastError).toBe(`Could not reconnect after 1 attempt; call connect() to try again. Last error: ${failure.message}`);
      expect(client.state.lastError).toContain('(ECONNREFUSED): is the Heartbeat server running at');
    });
  });

  describe('when the URL is a plain HTTP server', () => {
    it('names its HTTP 404 and the path to check', async () => {
      const port = await listening(serve(createServer((_request, response) => response.writeHead(404).end('Not Found'))));
      const url = `ws://127.0.0.1:${port}/ws`;
      const { client, failure } = await firstAttempt(url);

      expect(failure).toMatchObject({ kind: 'not-found', httpStatus: 404 });
      expect(failure.message).toBe(NodeDiagnosticsMessages.notFound(url, '/ws'));
      expect(client.state.lastErrorKind).toBe('not-found');
    });

    it('names an upgrade it drops without an answer (what a stock Nest WsAdapter does on a wrong path) as a path to check', async () => {
      const http = serve(createServer());
      http.on('upgrade', (_request, socket) => socket.destroy());
      const port = await listening(http);
      const url = `ws://127.0.0.1:${port}/socket`;
      const { failure } = await firstAttempt(url);

      expect(failure.kind).toBe('upgrade-dropped');
      expect(failure.message).toBe(NodeDiagnosticsMessages.upgradeDropped(url, '/socket'));
    });
  });

  describe('when the origin is refused', () => {
    it("names the HTTP 403 and the server's allowedOrigins, which refuse a Node client's missing Origin", async () => {
      // As HeartbeatWsAdapter answers an origin its allowedOrigins list refuses (its own spec checks that it does).
      const refusing = serve(new WebSocketServer({ host: '127.0.0.1', port: 0, verifyClient: (_info, done) => done(false, 403) }));
      const port = await listening(refusing);
      const url = `ws://127.0.0.1:${port}/ws`;
      const { client, failure } = await firstAttempt(url);

      expect(failure).toMatchObject({ kind: 'origin-refused', httpStatus: 403 });
      expect(failure.message).toBe(NodeDiagnosticsMessages.originRefused(url));
      expect(client.state.lastError).toContain('allowedOrigins');
    });
  });

  describe('when the server never says welcome', () => {
    it('says the socket opened but no welcome came: not a Heartbeat endpoint, or a proxy in the way', async () => {
      const silent = serve(new WebSocketServer({ host: '127.0.0.1', port: 0 }));
      const port = await listening(silent);
      const url = `ws://127.0.0.1:${port}/ws`;
      const { client, failure } = await firstAttempt(url, { connectTimeout: 300 });

      expect(failure.kind).toBe('no-welcome');
      expect(failure.message).toBe(ClientMessages.noWelcome(url, 300));
      expect(client.state.lastErrorKind).toBe('no-welcome');
    });
  });

  describe('against the monitor server', () => {
    let server: MonitorServerProcess;

    beforeAll(async () => {
      server = await MonitorServerProcess.start({ CLIENT_TOKENS: CLIENT_TOKEN, ADMIN_TOKEN: 'first-connection-admin', ALERT_RATE: '0' });
    });

    afterAll(async () => {
      await server.kill();
    });

    it('names the HTTP 404 the Heartbeat adapter answers to a wrong path', async () => {
      const url = `ws://127.0.0.1:${server.port}/socket`;
      const { client, failure } = await firstAttempt(url);

      expect(failure).toMatchObject({ kind: 'not-found', httpStatus: 404 });
      expect(failure.message).toBe(NodeDiagnosticsMessages.notFound(url, '/socket'));
      expect(client.state.lastError).toContain('nothing serves WebSockets at the path "/socket"');
    });

    it('names a rejected token, and after the second rejection in a row says to check it', async () => {
      const { client, failure, errors } = await firstAttempt(server.wsUrl, { token: 'wrong-token' });

      expect(failure.kind).toBe('unauthorized');
      expect(errors.map((error) => error.kind)).toEqual(['unauthorized', 'unauthorized']);
      expect(errors[0].message).toBe(ClientMessages.tokenRejected('unauthorized: the token is missing, invalid or expired'));
      expect(client.state).toMatchObject({ lastError: ClientMessages.unauthorizedTwice(), lastErrorKind: 'unauthorized' });
    });
  });
});
