import { ProtocolErrorCode, type ErrorFrame, type EventFrame } from '@heartbeat/protocol';
import { TestClient } from '@heartbeat/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { listeningMonitorApp } from '../../testing/listening-monitor-app.js';

const ADMIN = 'admin-secret';

describe('monitorTopicRules in the monitor server', () => {
  let app: NestExpressApplication;
  let port: number;
  const clients: TestClient[] = [];

  /** A welcomed client of `token`. */
  async function welcomed(token: string): Promise<{ client: TestClient; userId: string | undefined }> {
    const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws`);
    clients.push(client);
    client.send({ type: 'hello', token });
    const welcome = await client.next('welcome');
    return { client, userId: welcome.user_id };
  }

  /** The answer to a subscribe: `subscribed`, or the `error` that refers to the topic. */
  async function subscribe(client: TestClient, topic: string): Promise<'subscribed' | ErrorFrame> {
    client.send({ type: 'subscribe', topic });
    const answer = await Promise.race([
      client.next('subscribed', 5_000, (frame) => frame.topic === topic).then(() => 'subscribed' as const),
      client.next('error', 5_000, (frame) => frame.ref === topic),
    ]);
    return answer;
  }

  const publish = (topic: string, data: unknown) =>
    fetch(`http://127.0.0.1:${port}/api/heartbeat/topics/${topic}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify(data),
    });

  const events = (client: TestClient, topic: string) =>
    client.frames.filter((frame): frame is EventFrame => frame.type === 'event' && frame.topic === topic).map((frame) => frame.data);

  beforeAll(async () => {
    ({ app, port } = await listeningMonitorApp({ CLIENT_TOKENS: 'alice:alice-token,bob:bob-token,kiosk-token', ADMIN_TOKEN: ADMIN, PUBLIC_TOPICS: 'news.*' }));
  });

  afterAll(async () => {
    for (const client of clients) client.socket.terminate();
    await app.close();
  });

  it('welcomes a user:token client as its user, and a bare token as anonymous', async () => {
    expect((await welcomed('alice-token')).userId).toBe('alice');
    expect((await welcomed('kiosk-token')).userId).toBeUndefined();
  });

  it('lets every client read alerts and alerts.acks, the anonymous one included', async () => {
    for (const token of ['alice-token', 'kiosk-token']) {
      const { client } = await welcomed(token);
      expect(await subscribe(client, 'alerts')).toBe('subscribed');
      expect(await subscribe(client, 'alerts.acks')).toBe('subscribed');
    }
  });

  it("delivers user.<id> to that user only: another user and an anonymous client are refused and get none of its events", async () => {
    const { client: alice } = await welcomed('alice-token');
    const { client: bob } = await welcomed('bob-token');
    const { client: kiosk } = await welcomed('kiosk-token');
    expect(await subscribe(alice, 'user.alice')).toBe('subscribed');
    for (const intruder of [bob, kiosk]) {
      const refusal = await subscribe(intruder, 'user.alice');
      expect(refusal).toMatchObject({ code: ProtocolErrorCode.Forbidden, ref: 'user.alice', message: expect.stringMatching(/may not subscribe/) });
    }
    expect(await subscribe(bob, 'user.bob')).toBe('subscribed');

    expect((await publish('user.alice', { note: 'for alice' })).status).toBe(201);
    expect((await publish('user.bob', { note: 'for bob' })).status).toBe(201);
    await alice.next('event', 5_000, (frame) => frame.topic === 'user.alice');
    await bob.next('event', 5_000, (frame) => frame.topic === 'user.bob');
    expect(events(bob, 'user.alice')).toEqual([]);
    expect(events(kiosk, 'user.alice')).toEqual([]);
    expect(events(alice, 'user.bob')).toEqual([]);
    for (const client of [alice, bob, kiosk]) expect(client.socket.readyState).toBe(client.socket.OPEN);
  });

  it('lets every client read the topics of PUBLIC_TOPICS', async () => {
    const { client } = await welcomed('kiosk-token');
    expect(await subscribe(client, 'news.sports')).toBe('subscribed');
  });

  it('refuses every topic the rules do not name', async () => {
    const { client } = await welcomed('alice-token');
    for (const topic of ['news', 'news.sports.late', 'alerts.acks.extra', 'user', 'user.alice.private', 'Alerts']) {
      expect(await subscribe(client, topic)).toMatchObject({ code: ProtocolErrorCode.Forbidden, ref: topic });
    }
  });

  it('takes alerts.ack messages from every client and refuses messages on other topics', async () => {
    const { client } = await welcomed('kiosk-token');
    client.send({ type: 'message', id: 'm-1', topic: 'alerts.ack', data: { alertId: 'alt_00000000000000ab' } });
    await client.next('ack', 5_000, (frame) => frame.id === 'm-1');
    client.send({ type: 'message', id: 'm-2', topic: 'alerts', data: { forged: true } });
    expect(await client.next('error', 5_000, (frame) => frame.ref === 'm-2' || frame.ref === 'alerts')).toMatchObject({ code: ProtocolErrorCode.Forbidden });
  });
});
