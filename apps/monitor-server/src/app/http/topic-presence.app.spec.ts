import type { PresenceMember } from '@heartbeat/protocol';
import { TestClient, eventually } from '@heartbeat/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { listeningMonitorApp } from '../../testing/listening-monitor-app.js';
import type { TopicPresence } from './heartbeat-admin.controller.js';

const ADMIN = 'admin-secret';

describe('GET /api/heartbeat/topics/:topic/presence', () => {
  let app: NestExpressApplication;
  let port: number;
  const clients: TestClient[] = [];

  /** A client of `token` subscribed to the alerts. */
  async function operator(token: string): Promise<TestClient> {
    const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws`);
    clients.push(client);
    client.send({ type: 'hello', token });
    await client.next('welcome');
    client.send({ type: 'subscribe', topic: 'alerts' });
    await client.next('subscribed');
    return client;
  }

  const presence = (topic: string, headers: Record<string, string> = { authorization: `Bearer ${ADMIN}` }) =>
    fetch(`http://127.0.0.1:${port}/api/heartbeat/topics/${topic}/presence`, { headers });

  async function members(topic = 'alerts'): Promise<PresenceMember[]> {
    const response = await presence(topic);
    expect(response.status).toBe(200);
    const body = (await response.json()) as TopicPresence;
    expect(body.topic).toBe(topic);
    return body.members;
  }

  /** The members as `user:connections`, oldest first. */
  const roster = async () => (await members()).map((member) => `${member.user_id}:${member.connections}`).join(' ');

  beforeAll(async () => {
    ({ app, port } = await listeningMonitorApp({ CLIENT_TOKENS: 'alice:alice-1,alice:alice-2,bob:bob-1,kiosk', ADMIN_TOKEN: ADMIN }));
  });

  afterAll(async () => {
    for (const client of clients) client.socket.terminate();
    await app.close();
  });

  it('answers 401 without the admin token, or with a client token', async () => {
    expect((await presence('alerts', {})).status).toBe(401);
    expect((await presence('alerts', { authorization: 'Bearer alice-1' })).status).toBe(401);
  });

  it('refuses a topic name that is not one with 400 and a sentence', async () => {
    const response = await presence('alerts.*');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/character topics may not use/);
  });

  it('lists the users subscribed to the alerts with their connection counts, not anonymous clients, and drops a user whose last connection closed', async () => {
    const before = Date.now();
    const alice = [await operator('alice-1'), await operator('alice-2')];
    const bob = await operator('bob-1');
    await operator('kiosk');

    await eventually(async () => (await roster()) === 'alice:2 bob:1', 'alice on 2 connections and bob on 1');
    const [first] = await members();
    expect(first).toEqual({ user_id: 'alice', connections: 2, since: expect.any(Number) });
    expect(first.since).toBeGreaterThanOrEqual(before - 1_000);

    alice[0].socket.close();
    await eventually(async () => (await roster()) === 'alice:1 bob:1', 'alice down to 1 connection');
    alice[1].socket.close();
    bob.socket.close();
    await eventually(async () => (await roster()) === '', 'nobody present');
  });

  it('answers no members for a topic without presence', async () => {
    expect(await members('alerts.acks')).toEqual([]);
  });
});
