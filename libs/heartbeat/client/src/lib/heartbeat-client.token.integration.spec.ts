import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, MonitorServerProcess } from '@heartbeat/testing';
import { WebSocket } from 'ws';
import type { HeartbeatClientEventMap } from './client-events.js';
import { HeartbeatClient } from './heartbeat-client.js';
import { withTokenRefresh } from './token-refresh.feature.js';

/**
 * Token expiry against the real monitor server with CLIENT_TOKEN_TTL_MS: the server closes a
 * connection with 4001 when its token expires, unless the client sent a fresh one in an `auth`
 * frame before (token refresh without reconnecting).
 */
const CLIENT_TOKEN = 'token-client-token';
/** Long enough for the refresh margin (5 s before expiry) to leave a few seconds of connection. */
const TOKEN_TTL_MS = 8_000;

describe('HeartbeatClient token refresh against the monitor server', () => {
  let server: MonitorServerProcess;
  const clients: HeartbeatClient[] = [];

  const client = (token: () => Promise<string>) => {
    const created = new HeartbeatClient({
      url: server.wsUrl,
      webSocket: WebSocket,
      token,
      reconnectInterval: 200,
      jitter: 0,
      pingInterval: 1000,
      pongTimeout: 300,
      features: [withTokenRefresh()],
    });
    clients.push(created);
    return created;
  };

  beforeAll(async () => {
    server = await MonitorServerProcess.start({
      CLIENT_TOKENS: CLIENT_TOKEN,
      ADMIN_TOKEN: 'token-admin-token',
      ALERT_RATE: '0',
      CLIENT_TOKEN_TTL_MS: String(TOKEN_TTL_MS),
    });
  });

  afterEach(() => {
    for (const created of clients.splice(0)) created.destroy();
  });

  afterAll(async () => {
    await server.kill();
  });

  it('keeps the connection past several expiries by sending auth before each', async () => {
    let issued = 0;
    const refreshing = client(async () => {
      issued += 1;
      return CLIENT_TOKEN;
    });
    const lost: HeartbeatClientEventMap['connection_lost'][] = [];
    refreshing.on('connection_lost', (event) => lost.push(event));
    await refreshing.connect();
    const { sessionId, tokenExpiresAt: firstExpiry } = refreshing.state;
    expect(firstExpiry).not.toBeNull();

    // `issued` counts a refresh when its token is asked for; the server's `authenticated` answer, which
    // moves tokenExpiresAt, comes a round trip later.
    await eventually(
      () => issued >= 4 && (refreshing.state.tokenExpiresAt ?? 0) > firstExpiry! + TOKEN_TTL_MS,
      'three refreshes, answered',
      3 * TOKEN_TTL_MS,
    );

    expect(lost).toEqual([]);
    expect(refreshing.state).toMatchObject({ status: 'connected', sessionId });
    expect(refreshing.state.tokenExpiresAt!).toBeGreaterThan(firstExpiry! + TOKEN_TTL_MS);
  }, 30_000);

  it('is closed with 4001 at expiry when no fresh token came, then reconnects with a fresh one', async () => {
    let issued = 0;
    const lost: HeartbeatClientEventMap['connection_lost'][] = [];
    const flaky = client(async () => {
      issued += 1;
      // The first token connects; every refresh during that connection fails; after it, tokens work again.
      if (issued > 1 && lost.length === 0) throw new Error('identity provider unavailable');
      return CLIENT_TOKEN;
    });
    flaky.on('connection_lost', (event) => lost.push(event));
    await flaky.connect();
    const connectedAt = Date.now();

    await eventually(() => lost.length > 0, 'the expiry close', 2 * TOKEN_TTL_MS);
    expect(lost[0]).toMatchObject({ code: 4001, willReconnect: true });
    expect(Date.now() - connectedAt).toBeGreaterThanOrEqual(TOKEN_TTL_MS - 500);
    await eventually(() => flaky.state.status === 'connected', 'the reconnect with a fresh token', 5_000);
    expect(flaky.state.lastCloseCode).toBe(4001);
  }, 30_000);
});
