import { ProtocolErrorCode, topicNameProblem } from '@heartbeat/protocol';
import { TestClient } from '@heartbeat/testing';
import { type TestApp, startTestApp } from '../testing/test-app.js';
import { HeartbeatMessages } from './core/heartbeat.messages.js';
import type { HeartbeatModuleOptions } from './core/heartbeat-options.interface.js';

/** Each token names its user ("alice" is alice); "anon" is an anonymous connection. */
const verifyToken: HeartbeatModuleOptions['verifyToken'] = (token) => (token === 'anon' ? true : { userId: token ?? '' });

describe('TopicGate', () => {
  let server: TestApp | undefined;
  let clients: TestClient[] = [];

  async function start(options: HeartbeatModuleOptions = {}): Promise<TestApp> {
    server = await startTestApp({ verifyToken, ...options });
    return server;
  }

  async function open(token: string): Promise<TestClient> {
    const { client } = await TestClient.open(server!.url, token);
    clients.push(client);
    return client;
  }

  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    clients = [];
    await server?.close();
    server = undefined;
  });

  describe('#subscribe', () => {
    it.each([
      ['another user’s topic', 'inbox#alice', ProtocolErrorCode.Forbidden, 'inbox#alice'],
      ['its user in upper case', 'inbox#ALICE', ProtocolErrorCode.Forbidden, 'inbox#ALICE'],
      ['its topic in upper case', 'INBOX#alice', ProtocolErrorCode.Forbidden, 'INBOX#alice'],
      ['a space before the user', 'inbox# alice', ProtocolErrorCode.InvalidTopic, 'subscribe'],
      ['a trailing space', 'inbox#alice ', ProtocolErrorCode.InvalidTopic, 'subscribe'],
      ['a wildcard user', 'inbox#*', ProtocolErrorCode.InvalidTopic, 'subscribe'],
      ['a wildcard topic', '*#alice', ProtocolErrorCode.InvalidTopic, 'subscribe'],
      ['a NATS-style wildcard', 'inbox.>', ProtocolErrorCode.InvalidTopic, 'subscribe'],
      ['a second # naming bob after alice', 'inbox#alice#bob', ProtocolErrorCode.InvalidTopic, 'subscribe'],
      ['a Cyrillic look-alike', 'inbox#аlice', ProtocolErrorCode.InvalidTopic, 'subscribe'],
      ['a zero-width space', 'inbox#\u200balice', ProtocolErrorCode.InvalidTopic, 'subscribe'],
      ['the longest name a frame may carry', `inbox#alice${'x'.repeat(189)}`, ProtocolErrorCode.Forbidden, `inbox#alice${'x'.repeat(189)}`],
      ['a name longer than any topic', `inbox#alice${'x'.repeat(5_000)}`, ProtocolErrorCode.InvalidFrame, 'subscribe'],
    ])('refuses bob %s, delivers nothing of alice’s topic, and keeps serving him', async (_case, topic, code, ref) => {
      const { service } = await start();
      const alice = await open('alice');
      const bob = await open('bob');
      bob.send({ type: 'subscribe', topic });
      expect(await bob.next('error')).toMatchObject({ code, ref });
      await service.publishToUser('alice', 'inbox', { secret: 1 });
      expect(await alice.next('event')).toMatchObject({ topic: 'inbox#alice', data: { secret: 1 } });
      bob.send({ type: 'subscribe', topic: 'alerts' });
      await bob.next('subscribed', 2_000, (frame) => frame.topic === 'alerts');
      expect(bob.all('event')).toEqual([]);
      expect(bob.all('subscribed')).toEqual([]);
      expect(bob.socket.readyState).toBe(bob.socket.OPEN);
    });

    it('says what is wrong with a bad name in the error sentence', async () => {
      await start();
      const bob = await open('bob');
      bob.send({ type: 'subscribe', topic: 'alerts today' });
      expect(await bob.next('error')).toEqual({ type: 'error', code: ProtocolErrorCode.InvalidTopic, ref: 'subscribe', message: topicNameProblem('alerts today') });
    });

    it('refuses what the rules do not allow with forbidden, and an anonymous connection what needs a user', async () => {
      const { service } = await start({ authorize: [{ topic: 'alerts', allow: 'authenticated' }, { topic: 'user.{userId}', allow: 'authenticated' }] });
      const anonymous = await open('anon');
      const bob = await open('bob');
      anonymous.send({ type: 'subscribe', topic: 'alerts' });
      bob.send({ type: 'subscribe', topic: 'user.alice' });
      bob.send({ type: 'subscribe', topic: 'user.bob' });
      expect(await anonymous.next('error')).toEqual({ type: 'error', code: ProtocolErrorCode.Forbidden, ref: 'alerts', message: HeartbeatMessages.topicForbidden('alerts', 'subscribe') });
      expect(await bob.next('error')).toMatchObject({ code: ProtocolErrorCode.Forbidden, ref: 'user.alice' });
      await bob.next('subscribed', 2_000, (frame) => frame.topic === 'user.bob');
      await service.publish('alerts', 1);
      await service.publish('user.alice', 2);
      await service.publish('user.bob', 3);
      expect(await bob.next('event')).toMatchObject({ topic: 'user.bob', data: 3 });
      expect(anonymous.all('event')).toEqual([]);
      expect(bob.all('event')).toEqual([]);
    });

    it('answers internal_error for the topic when authorize throws, and keeps the connection', async () => {
      await start({
        authorize: (_identity, topic) => {
          if (topic === 'broken') throw new Error('directory down');
          return true;
        },
      });
      const bob = await open('bob');
      bob.send({ type: 'subscribe', topic: 'broken' });
      expect(await bob.next('error')).toEqual({ type: 'error', code: ProtocolErrorCode.InternalError, ref: 'broken', message: HeartbeatMessages.authorizeFailed('broken') });
      bob.send({ type: 'subscribe', topic: 'alerts' });
      expect(await bob.next('subscribed')).toMatchObject({ topic: 'alerts' });
    });
  });

  describe('#resume', () => {
    it('refuses a hello that names another user’s topic in its positions, and replays nothing of it', async () => {
      const { service } = await start();
      await service.publishToUser('alice', 'inbox', { secret: 1 });
      const intruder = await TestClient.connect(server!.url);
      clients.push(intruder);
      await intruder.hello('bob', { positions: { 'inbox#alice': 0 } });
      expect(await intruder.next('error')).toMatchObject({ code: ProtocolErrorCode.Forbidden, ref: 'inbox#alice' });
      await service.publishToUser('alice', 'inbox', { secret: 2 });
      intruder.send({ type: 'subscribe', topic: 'alerts' });
      await intruder.next('subscribed');
      expect(intruder.all('event')).toEqual([]);
      expect(intruder.all('subscribed')).toEqual([]);
    });
  });

  describe('#publish', () => {
    it('answers a message on a topic the rules do not open to publishing with forbidden, unacknowledged and not handed over', async () => {
      const { service } = await start({ authorize: [{ topic: 'chat', actions: ['publish'], allow: 'authenticated' }] });
      const handed: string[] = [];
      service.messages$.subscribe((message) => handed.push(message.id));
      const bob = await open('bob');
      bob.send({ type: 'message', id: 'm1', topic: 'alerts', data: 1 });
      bob.send({ type: 'message', id: 'm2', topic: 'chat', data: 2 });
      expect(await bob.next('error')).toMatchObject({ code: ProtocolErrorCode.Forbidden, ref: 'm1' });
      expect(await bob.next('ack')).toEqual({ type: 'ack', id: 'm2' });
      expect(bob.all('ack')).toEqual([]);
      expect(handed).toEqual(['m2']);
    });
  });
});
