import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { BlackholeProxy, eventually, MonitorServerProcess } from '@heartbeat/testing';
import { WebSocket } from 'ws';
import type { HeartbeatClientEventMap } from './client-events.js';
import type { HeartbeatClientOptions } from './client-options.js';
import { HeartbeatClient } from './heartbeat-client.js';
import { HeartbeatTopicError } from './heartbeat-topic-error.js';

/**
 * The client in Node (with `ws`) against the real monitor server running as a child process:
 * killed with SIGKILL and restarted, seen through a proxy that stops forwarding, rejecting tokens,
 * kicking from the admin API, refusing topics beyond its limit.
 */
const CLIENT_TOKEN = 'integration-client-token';
const ADMIN_TOKEN = 'integration-admin-token';
const SERVER_ENV = {
  CLIENT_TOKENS: CLIENT_TOKEN,
  ADMIN_TOKEN,
  ALERT_RATE: '20',
  HEARTBEAT_PING_INTERVAL_MS: '1000',
  PUBLIC_TOPICS: 'load.*',
};
const FAST: Partial<HeartbeatClientOptions> = {
  reconnectInterval: 200,
  maxReconnectInterval: 1000,
  jitter: 0,
  pingInterval: 1000,
  pongTimeout: 300,
  maxMissedPongs: 3,
  connectTimeout: 2000,
};

interface AlertEvent {
  readonly seq: number;
  readonly epoch: string;
}

describe('HeartbeatClient against the monitor server', () => {
  let server: MonitorServerProcess;
  const clients: HeartbeatClient[] = [];

  const client = (options: Partial<HeartbeatClientOptions> = {}, url = server.wsUrl) => {
    const created = new HeartbeatClient({ url, webSocket: WebSocket, token: CLIENT_TOKEN, ...FAST, ...options });
    clients.push(created);
    return created;
  };

  beforeAll(async () => {
    server = await MonitorServerProcess.start(SERVER_ENV);
  });

  afterEach(async () => {
    for (const created of clients.splice(0)) created.destroy();
    if (!server.running) await server.restart();
  });

  afterAll(async () => {
    await server.kill();
  });

  describe('when the server is killed and restarted', () => {
    it('reconnects, resubscribes and reports the new epoch as a gap', async () => {
      const alerts = client();
      const received: AlertEvent[] = [];
      const gaps: HeartbeatClientEventMap['gap'][] = [];
      alerts.subscribe('alerts').subscribe((event) => received.push(event));
      alerts.on('gap', (gap) => gaps.push(gap));
      await alerts.connect();
      await eventually(() => received.length >= 3, 'alerts before the kill');
      const firstEpoch = received[0].epoch;

      await server.kill('SIGKILL');
      await eventually(() => alerts.state.status !== 'connected', 'the client to notice the kill');
      const countBefore = received.length;
      await eventually(() => alerts.state.reconnectAttempts >= 2, 'failed attempts while the server is down');
      const attemptsWhileDown = alerts.state.reconnectAttempts;

      await server.restart();
      const restartedAt = Date.now();
      await eventually(() => alerts.state.status === 'connected', 'the reconnect', 5_000);
      const reconnectMs = Date.now() - restartedAt;
      await eventually(() => received.length >= countBefore + 3, 'alerts after the restart');

      expect(alerts.state.reconnectCount).toBe(1);
      expect(gaps).toEqual([expect.objectContaining({ topic: 'alerts', reason: 'new-epoch', previousEpoch: firstEpoch })]);
      const after = received.slice(countBefore);
      expect(after.every((event) => event.epoch !== firstEpoch)).toBe(true);
      const seqs = after.map((event) => event.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      // With reconnectInterval 200 and a 1000 ms cap, the next attempt is at most 1 s away.
      expect(reconnectMs).toBeLessThan(1_500);
      process.stdout.write(`reconnect after restart: ${reconnectMs} ms (attempts while down: ${attemptsWhileDown})\n`);
    });
  });

  describe('when the link goes half-open', () => {
    let proxy: BlackholeProxy;

    beforeAll(async () => {
      proxy = await BlackholeProxy.start(server.port);
    });

    afterAll(async () => {
      await proxy.close();
    });

    it('declares it dead within pingInterval + maxMissedPongs × pongTimeout and reconnects', async () => {
      const viaProxy = client({ reconnectInterval: 60_000 }, `ws://127.0.0.1:${proxy.port}/ws`);
      const lost: { at: number; code: number }[] = [];
      viaProxy.on('connection_lost', ({ at, code }) => lost.push({ at, code }));
      await viaProxy.connect();
      await eventually(() => viaProxy.state.pongCount >= 1, 'a first pong through the proxy');

      proxy.blackhole();
      const silentFrom = Date.now();
      await eventually(() => lost.length > 0, 'the dead link to be noticed', 5_000);
      const detectedAfter = lost[0].at - silentFrom;
      const bound = FAST.pingInterval! + FAST.maxMissedPongs! * FAST.pongTimeout!;

      expect(lost[0].code).toBe(4000);
      expect(detectedAfter).toBeGreaterThanOrEqual(FAST.maxMissedPongs! * FAST.pongTimeout! - 50);
      expect(detectedAfter).toBeLessThanOrEqual(bound + 100);
      expect(viaProxy.state).toMatchObject({ phase: 'backoff', lastCloseCode: 4000 });
      process.stdout.write(`half-open link detected after ${detectedAfter} ms (bound ${bound} ms)\n`);
    });
  });

  describe('when the server rejects the token', () => {
    it('asks the provider again after 4001 and connects with the fresh token', async () => {
      const issued: string[] = [];
      const tokens = ['expired-token', CLIENT_TOKEN];
      const refreshing = client({
        token: async () => {
          const token = tokens.shift() ?? 'none-left';
          issued.push(token);
          return token;
        },
      });
      await expect(refreshing.connect()).resolves.toBeUndefined();
      expect(refreshing.state.status).toBe('connected');
      expect(issued).toEqual(['expired-token', CLIENT_TOKEN]);
      expect(refreshing.state.reconnectAttempts).toBe(0);
    });

    it('stops with status error after a second 4001', async () => {
      const rejected = client({ token: 'wrong-token' });
      await expect(rejected.connect()).rejects.toThrow('4001');
      await eventually(() => rejected.state.phase === 'failed', 'the client to give up');
      expect(rejected.state.lastError).toContain('rejected the token twice');
      expect(rejected.state.status).toBe('error');
    });
  });

  describe('when the client wants more topics than the server allows', () => {
    it('subscribes the server default of 1000 in one hello and ends the one beyond with too_many_topics, the connection staying up', async () => {
      const greedy = client();
      const refused: unknown[] = [];
      const topics = Array.from({ length: 1_001 }, (_, i) => `load.${i}`);
      for (const topic of topics) greedy.subscribe(topic).subscribe({ error: (error: unknown) => refused.push(error) });
      await greedy.connect();
      await eventually(() => refused.length > 0, 'the refusal of the topic beyond the limit');
      expect(refused).toEqual([expect.any(HeartbeatTopicError)]);
      expect(refused[0]).toMatchObject({ code: 'too_many_topics', topic: 'load.1000' });
      expect(greedy.state.status).toBe('connected');
      const stats = await fetch(`${server.url}/api/heartbeat/stats`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      const { connection_details } = (await stats.json()) as { connection_details: { session_id: string; topics: string[] }[] };
      expect(connection_details.find((row) => row.session_id === greedy.state.sessionId)?.topics).toHaveLength(1_000);
    });
  });

  describe('when an administrator disconnects the client', () => {
    it('stays closed with status error (4003)', async () => {
      const kicked = client();
      await kicked.connect();
      const stats = await fetch(`${server.url}/api/heartbeat/stats`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      const { connection_details } = (await stats.json()) as { connection_details: { id: string; session_id: string }[] };
      const own = connection_details.find((row) => row.session_id === kicked.state.sessionId);
      expect(own).toBeDefined();
      const response = await fetch(`${server.url}/api/heartbeat/connections/${own!.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(response.status).toBeLessThan(300);
      await eventually(() => kicked.state.status === 'error', 'the kick to arrive');
      expect(kicked.state).toMatchObject({ phase: 'failed', lastCloseCode: 4003, isReconnecting: false });
    });
  });
});
