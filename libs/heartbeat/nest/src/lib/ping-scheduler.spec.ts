import { CloseCode } from '@heartbeat/protocol';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { EventLog } from '../testing/event-log.js';
import { type TestApp, startTestApp } from '../testing/test-app.js';
import { PINGS_PER_TURN } from './core/ping-scheduler.js';
import { BlackholeProxy, eventually, sleep, TestClient } from '@heartbeat/testing';
import type { ConnectionDetails } from '@heartbeat/protocol';

/** The heartbeat settings a detection scenario runs with (ms). */
interface HeartbeatTiming {
  pingInterval: number;
  heartbeatInterval: number;
  heartbeatTimeout: number;
  maxMissedPings: number;
}

/** One measured dead-peer detection, written to tmp/detection-times.json. */
interface DetectionRecord {
  scenario: string;
  peer: 'half-open' | 'never-answers';
  config: HeartbeatTiming;
  wheelTickMs: number;
  /** min((maxMissedPings + 1) × pingInterval, heartbeatTimeout + heartbeatInterval), from the last inbound frame. */
  documentedBoundMs: number;
  /** The bound plus what the assertion tolerates on top of it (two wheel ticks + 150 ms). */
  assertedUpperMs: number;
  cause: 'missed_pings' | 'heartbeat_timeout';
  missedPings: number;
  /** From the moment the peer went silent (blackhole() or the hello of a peer that never answers). */
  timedOutAfterSilenceMs: number;
  disconnectedAfterSilenceMs: number;
  /** From the server's last inbound frame of the connection (the event's silentForMs). */
  timedOutAfterLastInboundMs: number;
  disconnectedAfterLastInboundMs: number;
}

const TMP_DIR = join(import.meta.dirname, '../../tmp');
const detections: DetectionRecord[] = [];
let spreading: Record<string, unknown> | undefined;
let spacing: Record<string, unknown> | undefined;

/** The wheel tick PingScheduler derives from pingInterval (one slot per ~50 ms, at most 1000 slots). */
function wheelTickMs(pingInterval: number): number {
  return pingInterval / Math.min(1_000, Math.max(1, Math.round(pingInterval / 50)));
}

function documentedBoundMs({ pingInterval, heartbeatInterval, heartbeatTimeout, maxMissedPings }: HeartbeatTiming): number {
  return Math.min((maxMissedPings + 1) * pingInterval, heartbeatTimeout + heartbeatInterval);
}

function connectionDetails(server: TestApp, connectionId: string): ConnectionDetails | undefined {
  return server.service.getLocalStats().connection_details.find((details) => details.id === connectionId);
}

/** Timers may fire up to a millisecond early against Date.now(); nothing else may make detection early. */
const EARLY_TOLERANCE_MS = 10;

/**
 * Connects a peer, lets it go silent (half-open: blackholed after answering pings through the proxy;
 * never-answers: autoPong off, silent right after its hello), and measures when the server declares it dead.
 */
async function measureDetection(
  scenario: string,
  peer: DetectionRecord['peer'],
  config: HeartbeatTiming,
  expectedCause: DetectionRecord['cause'],
): Promise<DetectionRecord> {
  const server = await startTestApp(config);
  const log = new EventLog(server.service.events$);
  const proxy = peer === 'half-open' ? await BlackholeProxy.start(server.port) : undefined;
  const url = proxy ? `ws://127.0.0.1:${proxy.port}/ws` : server.url;
  const bound = documentedBoundMs(config);
  const tick = wheelTickMs(config.pingInterval);
  const upper = bound + 2 * tick + 150;
  try {
    const { client } = await TestClient.open(url, undefined, { autoPong: peer === 'half-open' });
    const { connectionId } = await log.next('authenticated');
    let silentFrom: number;
    if (proxy) {
      // Healthy first: pings answered through the proxy, and every pong sent so far reached the server.
      await eventually(
        () => client.pongsSent >= 2 && connectionDetails(server, connectionId)?.pong_count === client.pongsSent,
        'two pongs through the proxy',
        20 * config.pingInterval,
      );
      // Same synchronous turn as the check above: no pong can be in flight when the traffic stops.
      proxy.blackhole();
      silentFrom = Date.now();
    } else {
      const details = connectionDetails(server, connectionId);
      if (!details) throw new Error('the connection vanished before it went silent');
      silentFrom = details.last_seen_time; // its hello; it sends nothing after it
    }
    const lastInboundAt = connectionDetails(server, connectionId)?.last_seen_time;

    const timedOut = await log.next('timed_out', connectionId, upper + 5_000);
    const disconnected = await log.next('disconnected', connectionId, 5_000);
    const record: DetectionRecord = {
      scenario,
      peer,
      config,
      wheelTickMs: tick,
      documentedBoundMs: bound,
      assertedUpperMs: upper,
      cause: timedOut.cause,
      missedPings: timedOut.missedPings,
      timedOutAfterSilenceMs: timedOut.at - silentFrom,
      disconnectedAfterSilenceMs: disconnected.at - silentFrom,
      timedOutAfterLastInboundMs: timedOut.silentForMs,
      disconnectedAfterLastInboundMs: timedOut.silentForMs + (disconnected.at - timedOut.at),
    };
    detections.push(record);

    expect(timedOut.at - timedOut.silentForMs).toBe(lastInboundAt);
    expect(timedOut.cause).toBe(expectedCause);
    if (expectedCause === 'missed_pings') {
      expect(timedOut.missedPings).toBe(config.maxMissedPings);
      // Never before maxMissedPings pings went unanswered.
      expect(record.timedOutAfterSilenceMs).toBeGreaterThanOrEqual(config.maxMissedPings * config.pingInterval - EARLY_TOLERANCE_MS);
      expect(record.timedOutAfterLastInboundMs).toBeGreaterThanOrEqual(config.maxMissedPings * config.pingInterval - EARLY_TOLERANCE_MS);
    } else {
      expect(timedOut.missedPings).toBeLessThan(config.maxMissedPings);
      expect(record.timedOutAfterLastInboundMs).toBeGreaterThan(config.heartbeatTimeout);
    }
    // The documented worst case holds from the last inbound frame, hence also from the moment of silence.
    expect(record.disconnectedAfterLastInboundMs).toBeLessThanOrEqual(upper);
    expect(record.disconnectedAfterSilenceMs).toBeLessThanOrEqual(upper);
    expect(disconnected.code).toBe(CloseCode.HeartbeatTimeout);
    expect(log.of('timed_out')).toHaveLength(1);
    expect(server.service.getLocalStats().heartbeat_stats.timeout_disconnections).toBe(1);

    if (proxy) {
      // Half-open: nothing reached the client, it still believes it is connected.
      expect(client.socket.readyState).toBe(WebSocket.OPEN);
    } else {
      // terminate(): no closing handshake, the client sees an abnormal closure.
      expect((await client.closed).code).toBe(1006);
    }
    await proxy?.close();
    await client.close();
    return record;
  } finally {
    log.stop();
    await proxy?.close();
    await server.close();
  }
}

describe('PingScheduler', () => {
  afterAll(() => {
    mkdirSync(TMP_DIR, { recursive: true });
    if (detections.length > 0) writeFileSync(join(TMP_DIR, 'detection-times.json'), `${JSON.stringify(detections, null, 2)}\n`);
    if (spreading || spacing) writeFileSync(join(TMP_DIR, 'ping-spreading.json'), `${JSON.stringify({ spacing, spreading }, null, 2)}\n`);
  });

  describe('#tick', () => {
    it('keeps a client that answers every ping connected for 50 ping intervals, and its stats match what the client saw', async () => {
      const pingInterval = 40;
      const server = await startTestApp({ pingInterval, heartbeatInterval: 100, heartbeatTimeout: 400, maxMissedPings: 3 });
      const log = new EventLog(server.service.events$);
      try {
        const { client, welcome } = await TestClient.open(server.url);
        expect(welcome.heartbeat).toEqual({ ping_interval: 40, heartbeat_timeout: 400, max_missed_pings: 3 });
        const { connectionId } = await log.next('authenticated');
        const openedAt = Date.now();

        // 53 pings are at least 52 intervals apart less one wheel turn (50 ms: a ping may leave a turn
        // early, docs/server.md), so more than 50 intervals; 52 were once 1 ms short of them.
        await eventually(() => client.pingCount >= 53, '53 pings', 100 * pingInterval);
        // Sync point: every pong the client sent has been recorded by the server.
        await eventually(() => connectionDetails(server, connectionId)?.pong_count === client.pongsSent, 'the last pong', 1_000);
        const stats = server.service.getLocalStats();
        const now = Date.now();

        expect(now - openedAt).toBeGreaterThanOrEqual(50 * pingInterval);
        expect(log.of('timed_out')).toEqual([]);
        expect(log.of('disconnected')).toEqual([]);
        expect(client.socket.readyState).toBe(WebSocket.OPEN);

        const pings = client.all('ping');
        expect(pings.map((ping) => ping.sequence)).toEqual(pings.map((_, i) => i + 1));
        expect(client.pongsSent).toBe(client.pingCount);

        expect(stats.connection_details).toHaveLength(1);
        const [connection] = stats.connection_details;
        expect(connection.id).toBe(connectionId);
        expect(connection.state).toBe('open');
        // A ping may be on its way to the client, never more than one.
        expect(connection.ping_count - client.pingCount).toBeGreaterThanOrEqual(0);
        expect(connection.ping_count - client.pingCount).toBeLessThanOrEqual(1);
        expect(connection.pong_count).toBe(client.pongsSent);
        expect(connection.client_ping_count).toBe(0);
        expect(connection.missed_pings).toBe(0);
        for (const rtt of [connection.rtt_ms, connection.avg_rtt_ms]) {
          expect(rtt).not.toBeNull();
          expect(rtt).toBeGreaterThanOrEqual(0);
          expect(rtt).toBeLessThan(1_000);
        }
        expect(connection.clock_offset_ms).not.toBeNull();
        for (const time of [connection.last_ping_time, connection.last_pong_time]) {
          expect(time).toBeGreaterThanOrEqual(openedAt);
          expect(time).toBeLessThanOrEqual(now);
        }
        expect(connection.last_ping_time).toBeGreaterThanOrEqual(pings[pings.length - 1].server_time);

        expect(stats.heartbeat_stats).toMatchObject({
          total_pings_sent: connection.ping_count,
          total_pongs_received: connection.pong_count,
          total_client_pings: 0,
          timeout_disconnections: 0,
          active_connections: 1,
          last_cleanup_time: expect.any(Number),
        });
        await client.close();
      } finally {
        log.stop();
        await server.close();
      }
    });

    it('turns the wheel exactly once per pingInterval: the pings do not drift later and later', async () => {
      const pingInterval = 40;
      const server = await startTestApp({ pingInterval, heartbeatInterval: 1_000, heartbeatTimeout: 5_000 });
      try {
        const { client } = await TestClient.open(server.url);
        await eventually(() => client.pingCount >= 1, 'a first ping', 1_000);
        await sleep(75 * pingInterval);
        const pings = client.all('ping');
        const [first, last] = [pings[0], pings[pings.length - 1]];
        const averageMs = (last.server_time - first.server_time) / (last.sequence - first.sequence);
        spacing = { pingIntervalMs: pingInterval, pings: pings.length, averageSpacingMs: averageMs };
        // Lateness of each ping against the fixed schedule (its earliest ping as the origin). A late
        // timer delays that one ping; a drifting schedule would delay every later one, so even the
        // most punctual of the last ten pings would be about 75 × the per-turn delay late.
        const offsets = pings.map((ping) => ping.server_time - ping.sequence * pingInterval);
        const origin = Math.min(...offsets);
        const bestOfLastTen = Math.min(...offsets.slice(-10).map((offset) => offset - origin));
        expect(pings.length).toBeGreaterThanOrEqual(60);
        expect(bestOfLastTen).toBeLessThanOrEqual(pingInterval / 4);
        await client.close();
      } finally {
        await server.close();
      }
    });

    it('does not catch up after a stalled event loop with a burst of pings that no peer could answer', async () => {
      const pingInterval = 100;
      const server = await startTestApp({ pingInterval, heartbeatInterval: 1_000, heartbeatTimeout: 5_000, maxMissedPings: 1 });
      const log = new EventLog(server.service.events$);
      try {
        const { client } = await TestClient.open(server.url);
        await eventually(() => client.pongsSent >= 2, 'two answered pings', 1_000);
        const before = client.pingCount;
        const stallUntil = performance.now() + 5 * pingInterval;
        while (performance.now() < stallUntil) {
          // Block the event loop (server and client alike) for five ping intervals.
        }
        await eventually(() => client.pingCount >= before + 4, 'four pings after the stall', 5_000);

        // With maxMissedPings 1, a slot served twice in a row would have terminated the connection.
        expect(log.of('timed_out')).toEqual([]);
        expect(client.socket.readyState).toBe(WebSocket.OPEN);
        const after = client.all('ping').slice(before - 1);
        const gaps = after.slice(1).map((ping, i) => ping.server_time - after[i].server_time);
        expect(Math.min(...gaps)).toBeGreaterThanOrEqual(pingInterval - wheelTickMs(pingInterval));
        await client.close();
      } finally {
        log.stop();
        await server.close();
      }
      // Its own waits (up to 1 s, the stall, up to 5 s) pass jest's default 5 s: on a loaded machine
      // the wait that ran out should be the one named, not jest's.
    }, 15_000);

    it('does not time out a client that sends other frames but never answers a ping: any inbound frame is proof of life', async () => {
      const config = { pingInterval: 50, heartbeatInterval: 100, heartbeatTimeout: 300, maxMissedPings: 2 };
      const server = await startTestApp(config);
      const log = new EventLog(server.service.events$);
      let sender: NodeJS.Timeout | undefined;
      try {
        const { client } = await TestClient.open(server.url, undefined, { autoPong: false });
        const { connectionId } = await log.next('authenticated');
        let sent = 0;
        const sendPing = (): void => {
          sent++;
          client.send({ type: 'ping', timestamp: new Date().toISOString(), client_time: Date.now(), sequence: sent });
        };
        sendPing();
        sender = setInterval(sendPing, 20);

        // 30 ping intervals, five times heartbeatTimeout: either rule would have fired without the client's pings.
        await sleep(30 * config.pingInterval);
        clearInterval(sender);
        await eventually(() => client.all('pong').length === sent, 'the pong of every client ping', 2_000);

        expect(log.of('timed_out')).toEqual([]);
        expect(log.of('disconnected')).toEqual([]);
        expect(client.socket.readyState).toBe(WebSocket.OPEN);
        expect(client.pingCount).toBeGreaterThanOrEqual(15);
        expect(client.pongsSent).toBe(0);
        const connection = connectionDetails(server, connectionId);
        expect(connection).toMatchObject({ pong_count: 0, client_ping_count: sent });
        expect(connection?.missed_pings).toBeLessThan(config.maxMissedPings);
        expect(server.service.getLocalStats().heartbeat_stats).toMatchObject({ timeout_disconnections: 0, total_client_pings: sent });

        // Once it falls silent too, the same connection is declared dead by the missed-ping rule.
        const timedOut = await log.next('timed_out', connectionId, 5_000);
        expect(timedOut).toMatchObject({ cause: 'missed_pings', missedPings: config.maxMissedPings });
        expect((await client.closed).code).toBe(1006);
      } finally {
        clearInterval(sender);
        log.stop();
        await server.close();
      }
    });
  });

  describe('dead-peer detection', () => {
    const missedPingsFirst: HeartbeatTiming = { pingInterval: 100, heartbeatInterval: 1_000, heartbeatTimeout: 5_000, maxMissedPings: 3 };
    const sweepFirst: HeartbeatTiming = { pingInterval: 100, heartbeatInterval: 100, heartbeatTimeout: 250, maxMissedPings: 6 };

    it('has scenarios in which each rule is the faster one', () => {
      expect((missedPingsFirst.maxMissedPings + 1) * missedPingsFirst.pingInterval).toBeLessThan(
        missedPingsFirst.heartbeatTimeout,
      );
      // The missed-ping rule cannot fire before maxMissedPings × pingInterval; the sweep is done well before.
      expect(sweepFirst.heartbeatTimeout + sweepFirst.heartbeatInterval + 2 * wheelTickMs(sweepFirst.pingInterval)).toBeLessThan(
        sweepFirst.maxMissedPings * sweepFirst.pingInterval,
      );
    });

    describe('half-open peer (traffic stops, no FIN, no RST)', () => {
      it('terminates it for missed pings within (maxMissedPings + 1) × pingInterval, not before maxMissedPings pings went unanswered', async () => {
        await measureDetection('half-open, missed-ping rule', 'half-open', missedPingsFirst, 'missed_pings');
      });

      it('terminates it for silence within heartbeatTimeout + heartbeatInterval when that bound is the smaller one', async () => {
        await measureDetection('half-open, sweep rule', 'half-open', sweepFirst, 'heartbeat_timeout');
      });
    });

    describe('connected peer that never answers pings', () => {
      it('terminates it for missed pings within (maxMissedPings + 1) × pingInterval, not before maxMissedPings pings went unanswered', async () => {
        await measureDetection('never answers, missed-ping rule', 'never-answers', missedPingsFirst, 'missed_pings');
      });

      it('terminates it for silence within heartbeatTimeout + heartbeatInterval when that bound is the smaller one', async () => {
        await measureDetection('never answers, sweep rule', 'never-answers', sweepFirst, 'heartbeat_timeout');
      });
    });
  });

  describe('#add', () => {
    const CLIENTS = 1_000;
    const PING_INTERVAL = 1_000;
    const WINDOW_MS = 100;
    const OBSERVED_MS = 3_000;

    it(
      'pings 1,000 connections once per interval each, in bursts of at most PINGS_PER_TURN (the wheel spreads what is beyond it)',
      async () => {
        const server = await startTestApp({ pingInterval: PING_INTERVAL, heartbeatInterval: 1_000, heartbeatTimeout: 10_000, maxMissedPings: 3 });
        const clients: TestClient[] = [];
        try {
          for (let batch = 0; batch < CLIENTS / 100; batch++) {
            const opened = await Promise.all(Array.from({ length: 100 }, () => TestClient.open(server.url)));
            clients.push(...opened.map(({ client }) => client));
          }
          expect(server.service.connectionCount).toBe(CLIENTS);
          await eventually(() => clients.every((client) => client.pingCount >= 1), 'a first ping on every connection', 3 * PING_INTERVAL);

          const from = Date.now();
          await sleep(OBSERVED_MS + 200);
          const to = from + OBSERVED_MS;
          const windows = OBSERVED_MS / WINDOW_MS;

          // Server side: the send time the wheel controls (each ping carries server_time).
          const sentPerWindow = new Array<number>(windows).fill(0);
          // Client side: arrival times, which also include the event loop's delivery.
          const receivedPerWindow = new Array<number>(windows).fill(0);
          const perClient: number[] = [];
          for (const client of clients) {
            let count = 0;
            for (const ping of client.all('ping')) {
              if (ping.server_time < from || ping.server_time >= to) continue;
              sentPerWindow[Math.floor((ping.server_time - from) / WINDOW_MS)]++;
              count++;
            }
            for (const time of client.pingTimes) {
              if (time >= from && time < to) receivedPerWindow[Math.floor((time - from) / WINDOW_MS)]++;
            }
            perClient.push(count);
          }
          const total = perClient.reduce((sum, count) => sum + count, 0);
          spreading = {
            clients: CLIENTS,
            pingIntervalMs: PING_INTERVAL,
            wheelTickMs: wheelTickMs(PING_INTERVAL),
            observedMs: OBSERVED_MS,
            windowMs: WINDOW_MS,
            pingsPerTurn: PINGS_PER_TURN,
            totalPingsSent: total,
            maxSentPerWindow: Math.max(...sentPerWindow),
            minSentPerWindow: Math.min(...sentPerWindow),
            maxReceivedPerWindow: Math.max(...receivedPerWindow),
            minReceivedPerWindow: Math.min(...receivedPerWindow),
            pingsPerClient: { min: Math.min(...perClient), max: Math.max(...perClient) },
            sentPerWindow,
            receivedPerWindow,
          };

          // A turn's slots hold PINGS_PER_TURN connections, give or take one per slot (the least-filled slot gets each).
          const slots = PING_INTERVAL / wheelTickMs(PING_INTERVAL);
          expect(Math.max(...sentPerWindow)).toBeLessThanOrEqual(PINGS_PER_TURN + slots);
          expect(Math.max(...receivedPerWindow)).toBeLessThanOrEqual(PINGS_PER_TURN + slots);
          // Each connection about once per second: 3 pings in 3 s, give or take one at the edges.
          expect(Math.min(...perClient)).toBeGreaterThanOrEqual(OBSERVED_MS / PING_INTERVAL - 1);
          expect(Math.max(...perClient)).toBeLessThanOrEqual(OBSERVED_MS / PING_INTERVAL + 1);
          expect(total).toBeGreaterThanOrEqual(0.9 * CLIENTS * (OBSERVED_MS / PING_INTERVAL));
          expect(total).toBeLessThanOrEqual(1.1 * CLIENTS * (OBSERVED_MS / PING_INTERVAL));
          expect(server.service.getLocalStats().heartbeat_stats).toMatchObject({ timeout_disconnections: 0, active_connections: CLIENTS });
        } finally {
          await Promise.all(clients.map((client) => client.close()));
          await server.close();
        }
      },
      60_000,
    );
  });
});
