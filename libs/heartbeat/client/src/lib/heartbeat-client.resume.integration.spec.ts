import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, MonitorServerProcess } from '@heartbeat/testing';
import { WebSocket } from 'ws';
import type { HeartbeatClientEventMap, TopicEvent } from './client-events.js';
import { HeartbeatClient } from './heartbeat-client.js';
import { withOutbox } from './outbox.feature.js';

/**
 * The one resume path (docs/protocol.md#resume) against the real monitor server (a Nest app, as a
 * child process): after a dropped connection the client names its position per topic in
 * `hello.positions` and a topic without one in `hello.subscribe`, the server replays what was
 * missed and subscribes the new topic with the welcome, and the client sends no `subscribe`.
 */
const CLIENT_TOKEN = 'resume-client-token';
const SERVER_ENV = { CLIENT_TOKENS: CLIENT_TOKEN, ADMIN_TOKEN: 'resume-admin-token', ALERT_RATE: '20', HEARTBEAT_PING_INTERVAL_MS: '1000' };

/** `ws` that keeps every instance and the frames it sent, so a test can cut one and read the next one's hello. */
class RecordingWebSocket extends WebSocket {
  static readonly instances: RecordingWebSocket[] = [];
  readonly sentTexts: string[] = [];

  constructor(url: string) {
    super(url);
    RecordingWebSocket.instances.push(this);
  }

  override send(data: string): void {
    this.sentTexts.push(data);
    super.send(data);
  }

  frames(type: string): Record<string, unknown>[] {
    return this.sentTexts.map((text) => JSON.parse(text) as Record<string, unknown>).filter((frame) => frame.type === type);
  }
}

describe('HeartbeatClient resume against the monitor server', () => {
  let server: MonitorServerProcess;
  const clients: HeartbeatClient[] = [];

  beforeAll(async () => {
    server = await MonitorServerProcess.start(SERVER_ENV);
  });

  afterEach(() => {
    for (const created of clients.splice(0)) created.destroy();
  });

  afterAll(async () => {
    await server.kill();
  });

  it('replays the events missed while disconnected once, in order, for the topics in hello.positions, and subscribes a topic without one through hello.subscribe', async () => {
    const client = new HeartbeatClient({
      url: server.wsUrl,
      webSocket: RecordingWebSocket,
      token: CLIENT_TOKEN,
      reconnectInterval: 500,
      jitter: 0,
      connectTimeout: 2000,
      features: [withOutbox()],
    });
    clients.push(client);
    const alerts: TopicEvent[] = [];
    const acks: TopicEvent<{ alertId: string }>[] = [];
    const resumed: HeartbeatClientEventMap['resumed'][] = [];
    const gaps: HeartbeatClientEventMap['gap'][] = [];
    client.subscribe('alerts').subscribe((event) => alerts.push(event));
    client.on('resumed', (event) => resumed.push(event));
    client.on('gap', (event) => gaps.push(event));
    await client.connect();
    await eventually(() => alerts.length >= 5, 'alerts before the cut');

    RecordingWebSocket.instances.at(-1)?.terminate();
    await eventually(() => client.state.status !== 'connected', 'the client to notice the cut');
    const lastBeforeCut = alerts.at(-1)!.seq;
    client.subscribe<{ alertId: string }>('alerts.acks').subscribe((event) => acks.push(event));
    await eventually(() => client.state.status === 'connected', 'the reconnect', 5_000);
    await eventually(() => alerts.length > 0 && alerts.at(-1)!.seq >= lastBeforeCut + 30, 'alerts after the reconnect', 5_000);

    const second = RecordingWebSocket.instances.at(-1)!;
    expect(second.frames('hello')[0]).toMatchObject({ positions: { alerts: lastBeforeCut }, subscribe: ['alerts.acks'] });
    expect(second.frames('subscribe')).toEqual([]);
    expect(resumed).toEqual([expect.objectContaining({ topic: 'alerts', epoch: alerts[0].epoch })]);
    expect(resumed[0].replayed).toBeGreaterThan(0);
    expect(gaps).toEqual([]);
    const seqs = alerts.map((event) => event.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0] + i));
    expect(new Set(alerts.map((event) => event.epoch)).size).toBe(1);

    await client.send('alerts.ack', { alertId: 'alt_00000000000000d1' });
    await eventually(() => acks.length === 1, 'the acknowledgement on the freshly subscribed topic');
    expect(acks[0].data.alertId).toBe('alt_00000000000000d1');
  });
});
