import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, MonitorServerProcess } from '@heartbeat/testing';
import type { HeartbeatTotals } from '@heartbeat/protocol';
import { WebSocket } from 'ws';
import type { TopicEvent } from './client-events.js';
import type { HeartbeatClientOptions } from './client-options.js';
import { HeartbeatClient } from './heartbeat-client.js';
import { withOutbox } from './outbox.feature.js';

/**
 * Delivery guarantees of `send()` against the real monitor server (its alerts.ack handler records
 * one acknowledgement per alert and publishes it on alerts.acks): a message whose ack was lost is
 * resent with the same id after the reconnect; in a resumed session the server drops the duplicate
 * (exactly once), after a server restart it is processed again (at least once).
 */
const CLIENT_TOKEN = 'delivery-client-token';
const ADMIN_TOKEN = 'delivery-admin-token';
const SERVER_ENV = { CLIENT_TOKENS: CLIENT_TOKEN, ADMIN_TOKEN, ALERT_RATE: '0', HEARTBEAT_PING_INTERVAL_MS: '1000' };
const FAST: Partial<HeartbeatClientOptions> = {
  reconnectInterval: 200,
  maxReconnectInterval: 1000,
  jitter: 0,
  pingInterval: 1000,
  pongTimeout: 300,
  connectTimeout: 2000,
};

interface Acknowledgement {
  readonly alertId: string;
}

/**
 * `ws` with a lossy link on demand: while `dropAcks` is set, inbound `ack` frames vanish (the
 * server processed the message, its answer never arrived). Keeps every instance and what it sent.
 */
class LossyWebSocket extends WebSocket {
  static dropAcks = false;
  static readonly instances: LossyWebSocket[] = [];
  readonly sentTexts: string[] = [];
  private readonly wrapped = new Map<unknown, (event: { data: unknown }) => void>();

  constructor(url: string) {
    super(url);
    LossyWebSocket.instances.push(this);
  }

  override send(data: string): void {
    this.sentTexts.push(data);
    super.send(data);
  }

  override addEventListener(type: string, listener: never): void {
    if (type !== 'message') return super.addEventListener(type as 'open', listener);
    const original = listener as (event: { data: unknown }) => void;
    const filtered = (event: { data: unknown }) => {
      if (LossyWebSocket.dropAcks && String(event.data).includes('"type":"ack"')) return;
      original(event);
    };
    this.wrapped.set(listener, filtered);
    super.addEventListener('message', filtered as never);
  }

  override removeEventListener(type: string, listener: never): void {
    if (type !== 'message') return super.removeEventListener(type as 'open', listener);
    const filtered = this.wrapped.get(listener);
    this.wrapped.delete(listener);
    if (filtered) super.removeEventListener('message', filtered as never);
  }

  static messageIds(alertId: string): string[] {
    return LossyWebSocket.instances.flatMap((socket) =>
      socket.sentTexts
        .map((text) => JSON.parse(text) as { type: string; id: string; data?: Acknowledgement })
        .filter((frame) => frame.type === 'message' && frame.data?.alertId === alertId)
        .map((frame) => frame.id),
    );
  }
}

describe('HeartbeatClient#send against the monitor server', () => {
  let server: MonitorServerProcess;
  const clients: HeartbeatClient[] = [];

  const totals = async (): Promise<HeartbeatTotals> => {
    const response = await fetch(`${server.url}/api/heartbeat/stats`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    return ((await response.json()) as { heartbeat_stats: HeartbeatTotals }).heartbeat_stats;
  };

  /** A client on the lossy socket that records the acknowledgements published on alerts.acks. */
  const lossyClient = () => {
    const client = new HeartbeatClient({ url: server.wsUrl, webSocket: LossyWebSocket as never, token: CLIENT_TOKEN, ...FAST, features: [withOutbox()] });
    clients.push(client);
    const published: TopicEvent<Acknowledgement>[] = [];
    client.subscribe<Acknowledgement>('alerts.acks').subscribe((event) => published.push(event));
    const publishedFor = (alertId: string) => published.filter((event) => event.data.alertId === alertId);
    return { client, publishedFor };
  };

  /** Drops the current socket without a close frame: the client sees 1006 and reconnects. */
  const cutTheLink = () => LossyWebSocket.instances.at(-1)?.terminate();

  beforeAll(async () => {
    server = await MonitorServerProcess.start(SERVER_ENV);
  });

  afterEach(async () => {
    LossyWebSocket.dropAcks = false;
    for (const created of clients.splice(0)) created.destroy();
    if (!server.running) await server.restart();
  });

  afterAll(async () => {
    await server.kill();
  });

  it('resends a message whose ack was lost with the same id; the resumed session processes it once', async () => {
    const alertId = 'alt_00000000000000a1';
    const { client, publishedFor } = lossyClient();
    await client.connect();
    const session = client.state.sessionId;
    const duplicatesBefore = (await totals()).duplicate_messages ?? 0;

    LossyWebSocket.dropAcks = true;
    const acknowledged = client.send('alerts.ack', { alertId });
    await eventually(() => publishedFor(alertId).length === 1, 'the server to process the message');
    expect(client.state.pendingMessages).toBe(1);

    LossyWebSocket.dropAcks = false;
    cutTheLink();
    await expect(acknowledged).resolves.toBeUndefined();

    expect(client.state).toMatchObject({ status: 'connected', sessionId: session, sessionResumed: true, reconnectCount: 1, pendingMessages: 0 });
    const ids = LossyWebSocket.messageIds(alertId);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
    expect((await totals()).duplicate_messages).toBe(duplicatesBefore + 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(publishedFor(alertId)).toHaveLength(1);
  });

  it('sends messages queued while disconnected once, in order, after the reconnect', async () => {
    const { client } = lossyClient();
    await client.connect();
    client.disconnect();
    const alertIds = ['alt_00000000000000b1', 'alt_00000000000000b2', 'alt_00000000000000b3'];
    const sends = alertIds.map((alertId) => client.send('alerts.ack', { alertId }));
    expect(client.state.pendingMessages).toBe(3);

    await client.connect();
    await expect(Promise.all(sends)).resolves.toEqual([undefined, undefined, undefined]);

    const socket = LossyWebSocket.instances.at(-1);
    const frames = (socket?.sentTexts ?? []).map((text) => JSON.parse(text) as { type: string; data?: Acknowledgement });
    const messages = frames.filter((frame) => frame.type === 'message').map((frame) => frame.data?.alertId);
    expect(messages).toEqual(alertIds);
    expect(frames.findIndex((frame) => frame.type === 'message')).toBeGreaterThan(frames.findIndex((frame) => frame.type === 'subscribe'));
  });

  it('after a server restart (session not resumed) processes a resent message again: at least once', async () => {
    const alertId = 'alt_00000000000000c1';
    const { client, publishedFor } = lossyClient();
    await client.connect();
    const session = client.state.sessionId;

    LossyWebSocket.dropAcks = true;
    const acknowledged = client.send('alerts.ack', { alertId });
    await eventually(() => publishedFor(alertId).length === 1, 'the first server to process the message');
    await server.kill('SIGKILL');
    LossyWebSocket.dropAcks = false;
    await server.restart();
    await expect(acknowledged).resolves.toBeUndefined();

    expect(client.state).toMatchObject({ status: 'connected', sessionResumed: false });
    expect(client.state.sessionId).not.toBe(session);
    expect(new Set(LossyWebSocket.messageIds(alertId)).size).toBe(1);
    // The restarted server knew neither the session nor the message, so it processed it again.
    await eventually(() => publishedFor(alertId).length === 2, 'the restarted server to process it again');
    const epochs = publishedFor(alertId).map((event) => event.epoch);
    expect(epochs[0]).not.toBe(epochs[1]);
  });
});
