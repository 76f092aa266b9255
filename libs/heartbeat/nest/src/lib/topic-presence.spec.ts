import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ProtocolErrorCode } from '@heartbeat/protocol';
import { BlackholeProxy, TestClient } from '@heartbeat/testing';
import type { HeartbeatModuleOptions } from './core/heartbeat-options.interface.js';
import { type TestApp, startTestApp } from '../testing/test-app.js';

/** Pings every 100 ms, 3 missed: dead (the sweep is a backstop far away). Tokens are user ids. */
const OPTIONS = {
  pingInterval: 100,
  maxMissedPings: 3,
  heartbeatTimeout: 5_000,
  heartbeatInterval: 1_000,
  presence: ['rooms.*'],
  verifyToken: (token: string | undefined) => (token ? { userId: token } : true),
} satisfies HeartbeatModuleOptions;

/** docs/server.md#detection-time: (maxMissedPings + 1) × pingInterval, plus one wheel tick. */
const DEAD_PEER_BOUND_MS = (OPTIONS.maxMissedPings + 1) * OPTIONS.pingInterval;
const WHEEL_TICK_MS = 50;

describe('TopicPresence (real sockets)', () => {
  let server: TestApp;
  const clients: TestClient[] = [];

  /** A connection of `user`, subscribed to rooms.lobby (asking for presence or not). */
  async function member(user: string, presence: boolean, url = server.url): Promise<TestClient> {
    const { client } = await TestClient.open(url, user, { autoPong: true });
    clients.push(client);
    client.send({ type: 'subscribe', topic: 'rooms.lobby', ...(presence ? { presence } : {}) });
    await client.next('subscribed');
    return client;
  }

  beforeEach(async () => {
    server = await startTestApp(OPTIONS);
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await server.close();
  });

  it('two users on three connections: a snapshot, a join per user and per count change, a leave when the last connection unsubscribes or closes', async () => {
    const watcher = await member('ada', true);
    expect(await watcher.next('presence')).toEqual({ type: 'presence', topic: 'rooms.lobby', members: [expect.objectContaining({ user_id: 'ada', connections: 1 })] });
    const ada2 = await member('ada', false);
    expect((await watcher.next('join')).member).toMatchObject({ user_id: 'ada', connections: 2 });
    const bob = await member('bob', false);
    expect((await watcher.next('join')).member).toMatchObject({ user_id: 'bob', connections: 1 });
    expect(await server.service.presence('rooms.lobby')).toEqual([
      expect.objectContaining({ user_id: 'ada', connections: 2 }),
      expect.objectContaining({ user_id: 'bob', connections: 1 }),
    ]);

    bob.send({ type: 'unsubscribe', topic: 'rooms.lobby' });
    expect(await watcher.next('leave')).toEqual({ type: 'leave', topic: 'rooms.lobby', user_id: 'bob' });
    await ada2.close();
    // Ada's second connection closing made nobody leave: she is still there on the first, one connection.
    expect((await watcher.next('join')).member).toMatchObject({ user_id: 'ada', connections: 1 });
    const bobAgain = await member('bob', false);
    expect((await watcher.next('join')).member.user_id).toBe('bob');
    await bobAgain.close();
    expect(await watcher.next('leave')).toEqual({ type: 'leave', topic: 'rooms.lobby', user_id: 'bob' });
    expect(watcher.all('leave')).toEqual([]);
    expect(watcher.all('join')).toEqual([]);
  });

  it('answers presence on a topic without it with presence_disabled, and an anonymous subscriber is no member', async () => {
    const { client } = await TestClient.open(server.url);
    clients.push(client);
    client.send({ type: 'subscribe', topic: 'alerts', presence: true });
    expect(await client.next('subscribed')).toMatchObject({ topic: 'alerts' });
    expect(await client.next('error')).toMatchObject({ code: ProtocolErrorCode.PresenceDisabled, ref: 'alerts' });
    client.send({ type: 'subscribe', topic: 'rooms.lobby', presence: true });
    expect(await client.next('presence')).toEqual({ type: 'presence', topic: 'rooms.lobby', members: [] });
    expect(await server.service.presence('rooms.lobby')).toEqual([]);
    expect(await server.service.presence('alerts')).toEqual([]);
  });

  describe('a member whose link went half-open', () => {
    let proxy: BlackholeProxy;

    beforeEach(async () => {
      proxy = await BlackholeProxy.start(server.port);
    });

    afterEach(() => proxy.close());

    it.each([
      ['behind a proxy that stops forwarding', true],
      ['that stops answering pings without closing', false],
    ])('leaves within the dead-peer bound: %s', async (how, throughProxy) => {
      const watcher = await member('ada', true);
      await watcher.next('presence');
      const bob = throughProxy ? await member('bob', false, `ws://127.0.0.1:${proxy.port}/ws`) : await member('bob', false);
      await watcher.next('join');
      // From here Bob sends nothing: his last frame is (at the latest) now.
      if (throughProxy) proxy.blackhole();
      else bob.autoPong = false;
      const silentAt = Date.now();
      expect(await watcher.next('leave', 3_000)).toEqual({ type: 'leave', topic: 'rooms.lobby', user_id: 'bob' });
      const tookMs = Date.now() - silentAt;
      console.log(`presence: a half-open member (${how}) left after ${tookMs} ms; bound ${DEAD_PEER_BOUND_MS} ms + ${WHEEL_TICK_MS} ms tick`);
      expect(tookMs).toBeLessThanOrEqual(DEAD_PEER_BOUND_MS + 2 * WHEEL_TICK_MS + 150);
      expect(await server.service.presence('rooms.lobby')).toEqual([expect.objectContaining({ user_id: 'ada' })]);
      bob.socket.terminate();
    });
  });
});
