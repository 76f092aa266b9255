import type { ErrorFrame, EventFrame, ResultFrame, ServerFrame } from '@heartbeat/protocol';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { loadMonitorConfig } from '../config/monitor-config.js';
import { createMonitorApp } from '../create-monitor-app.js';
import { ALERT_ACKS_TOPIC, type AcknowledgeAnswer, type AlertAcknowledgement } from './alert-acknowledgements.js';

const TOKEN = 'client-secret';
const ALERT = 'alt_00000000000000aa';

/** A protocol client that is welcomed, then collects frames. */
async function connect(port: number): Promise<{ socket: WebSocket; frames: ServerFrame[] }> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  const frames: ServerFrame[] = [];
  socket.on('message', (data) => frames.push(JSON.parse(data.toString()) as ServerFrame));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'hello', token: TOKEN }));
  await until(() => frames.some((frame) => frame.type === 'welcome'));
  return { socket, frames };
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const acks = (frames: ServerFrame[]) =>
  frames.filter((frame): frame is EventFrame => frame.type === 'event' && frame.topic === ALERT_ACKS_TOPIC).map((frame) => frame.data as AlertAcknowledgement);

describe('alert acknowledgements in the monitor server', () => {
  let app: NestExpressApplication;
  let port: number;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    app = await createMonitorApp(loadMonitorConfig({ PORT: '0', HOST: '127.0.0.1', CLIENT_TOKENS: TOKEN, ADMIN_TOKEN: 'admin', ALERT_RATE: '0', LOG_LEVEL: 'error' }));
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });

  afterAll(async () => {
    // Closed by the clients first, so that the server's shutdown has no connection to drain.
    await Promise.all(sockets.map((socket) => new Promise((resolve) => socket.once('close', resolve).close(1000))));
    await app.close();
  }, 15_000);

  /** A client subscribed to alerts.acks, and one that acknowledges. */
  async function watcherAndOperator() {
    const watcher = await connect(port);
    const operator = await connect(port);
    sockets.push(watcher.socket, operator.socket);
    watcher.socket.send(JSON.stringify({ type: 'subscribe', topic: ALERT_ACKS_TOPIC }));
    await until(() => watcher.frames.some((frame) => frame.type === 'subscribed'));
    return { watcher, operator };
  }

  it('acknowledges each alerts.ack message, publishes one acknowledgement per alert on alerts.acks, and replays it', async () => {
    const { watcher, operator } = await watcherAndOperator();

    for (const id of ['m-1', 'm-2']) {
      operator.socket.send(JSON.stringify({ type: 'message', id, topic: 'alerts.ack', data: { alertId: ALERT } }));
    }
    await until(() => operator.frames.filter((frame) => frame.type === 'ack').length === 2);
    await until(() => acks(watcher.frames).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(acks(watcher.frames)).toEqual([{ alertId: ALERT, acknowledgedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }]);

    const late = await connect(port);
    sockets.push(late.socket);
    late.socket.send(JSON.stringify({ type: 'subscribe', topic: ALERT_ACKS_TOPIC, since: 0 }));
    await until(() => acks(late.frames).length === 1);
    expect(acks(late.frames)[0].alertId).toBe(ALERT);
  });

  it('answers an alerts.ack request with the recorded acknowledgement, a repeat as a duplicate, and publishes it once', async () => {
    const { watcher, operator } = await watcherAndOperator();
    const answer = (id: string) => operator.frames.find((frame): frame is ResultFrame<AcknowledgeAnswer> => frame.type === 'result' && frame.id === id);
    const alertId = 'alt_00000000000000bb';

    operator.socket.send(JSON.stringify({ type: 'request', id: 'r-1', topic: 'alerts.ack', data: { alertId } }));
    await until(() => answer('r-1') !== undefined);
    const first = answer('r-1')!.data;
    expect(first).toEqual({ alertId, acknowledgedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), duplicate: false });

    operator.socket.send(JSON.stringify({ type: 'request', id: 'r-2', topic: 'alerts.ack', data: { alertId } }));
    await until(() => answer('r-2') !== undefined);
    expect(answer('r-2')!.data).toEqual({ ...first, duplicate: true });

    await until(() => acks(watcher.frames).some((ack) => ack.alertId === alertId));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(acks(watcher.frames).filter((ack) => ack.alertId === alertId)).toEqual([{ alertId, acknowledgedAt: first.acknowledgedAt }]);
  });

  it('answers an alerts.ack request without an alert id with an error sentence, and records nothing', async () => {
    const operator = await connect(port);
    sockets.push(operator.socket);
    operator.socket.send(JSON.stringify({ type: 'request', id: 'r-bad', topic: 'alerts.ack', data: { alertId: 'alt_<script>' } }));
    await until(() => operator.frames.some((frame) => frame.type === 'error' && frame.ref === 'r-bad'));
    const error = operator.frames.find((frame): frame is ErrorFrame => frame.type === 'error' && frame.ref === 'r-bad')!;
    expect(error.message).toMatch(/needs \{ alertId \} with the id of an alert/);
    expect(operator.frames.some((frame) => frame.type === 'result')).toBe(false);
    expect(operator.socket.readyState).toBe(WebSocket.OPEN);
  });
});
