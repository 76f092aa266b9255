import { describe, expect, it } from '@jest/globals';
import { ProtocolErrorCode, topicNameProblem } from '@heartbeat/protocol';
import { memoryTopicHub } from '../../testing/memory-topic-hub.js';
import { settle, TestCore } from '../../testing/test-core.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import type { AuthorizeTopic, HeartbeatModuleOptions } from './heartbeat-options.interface.js';
import type { TopicHub } from './topic-hub.js';

/** Each token names its user ("alice" is alice); "anon" is an anonymous connection. */
const verifyToken: HeartbeatModuleOptions['verifyToken'] = (token) => (token === 'anon' ? true : { userId: token ?? '' });

/** An authorize whose answers the test gives, one pending promise per call. */
function pendingAuthorize(): { authorize: AuthorizeTopic; answer(index: number, allowed: boolean | Error): void; calls: string[] } {
  const answers: ((allowed: boolean | Error) => void)[] = [];
  const calls: string[] = [];
  return {
    calls,
    authorize: (_identity, topic) =>
      new Promise<boolean>((resolve, reject) => {
        calls.push(topic);
        answers.push((allowed) => (allowed instanceof Error ? reject(allowed) : resolve(allowed)));
      }),
    answer: (index, allowed) => answers[index](allowed),
  };
}

/**
 * Closes the connection while `authorize` decides its two topics, then answers them (one allowed,
 * one refused): the connection is never added to either, and nothing more is written to it.
 */
async function expectNothingAfterClose(
  server: TestCore,
  { connection, peer }: Awaited<ReturnType<TestCore['open']>>,
  pending: ReturnType<typeof pendingAuthorize>,
): Promise<void> {
  const written = peer.frames.length;
  server.closeTransport(connection);
  pending.answer(0, true);
  pending.answer(1, false);
  await settle();
  expect(server.topics.calls).toEqual([{ op: 'remove', id: connection.id }]);
  expect(peer.frames).toHaveLength(written);
}

/** The core with a real TopicHub over memory: the connections hold their topics, which the limit counts. */
function coreWithHub(options: HeartbeatModuleOptions): TestCore<TopicHub> {
  return new TestCore(options, memoryTopicHub());
}

/** The `too_many_topics` refusal of a topic under a limit of `limit`. */
function tooMany(topic: string, limit: number) {
  return { type: 'error', code: ProtocolErrorCode.TooManyTopics, ref: topic, message: HeartbeatMessages.tooManyTopics(limit) };
}

describe('TopicGate', () => {
  describe('#subscribe', () => {
    it('hands an allowed topic to the hub and answers a refused one with forbidden, ref the topic, the connection staying open', async () => {
      const server = new TestCore({ verifyToken, authorize: [{ topic: 'alerts', allow: 'authenticated' }] });
      const { connection, peer } = await server.open({ token: 'alice' });
      server.send(connection, { type: 'subscribe', topic: 'alerts' });
      server.send(connection, { type: 'subscribe', topic: 'payroll' });
      await settle();
      expect(server.topics.calls).toEqual([{ op: 'subscribe', id: connection.id, topic: 'alerts' }]);
      expect(peer.framesOf('error')).toEqual([{ type: 'error', code: ProtocolErrorCode.Forbidden, ref: 'payroll', message: HeartbeatMessages.topicForbidden('payroll', 'subscribe') }]);
      expect(connection.isOpen).toBe(true);
    });

    it('answers a bad name with invalid_topic, ref the frame type, and never counts it as a protocol violation', async () => {
      const server = new TestCore({ maxProtocolViolations: 2 });
      const { connection, peer } = await server.open();
      for (const topic of ['a b', 'alerts.*', 'Alerts #bob', 'ключ']) server.send(connection, { type: 'subscribe', topic });
      await settle();
      expect(peer.framesOf('error')).toEqual(
        ['a b', 'alerts.*', 'Alerts #bob', 'ключ'].map((topic) => ({ type: 'error', code: ProtocolErrorCode.InvalidTopic, ref: 'subscribe', message: topicNameProblem(topic) })),
      );
      expect(server.topics.calls).toEqual([]);
      expect(peer.closeFrame).toBeUndefined();
    });

    it('ends unsubscribed when an unsubscribe comes while authorize is pending, even when it then allows', async () => {
      const pending = pendingAuthorize();
      const server = new TestCore({ authorize: pending.authorize });
      const { connection, peer } = await server.open();
      server.send(connection, { type: 'subscribe', topic: 'alerts' });
      server.send(connection, { type: 'unsubscribe', topic: 'alerts' });
      pending.answer(0, true);
      await settle();
      expect(server.topics.calls).toEqual([{ op: 'unsubscribe', id: connection.id, topic: 'alerts' }]);
      expect(peer.framesOf('error')).toEqual([]);
    });

    it('hands a server-side join to the hub as a join in place of a subscribe of the topic still waiting for authorize, from the earlier position', async () => {
      const pending = pendingAuthorize();
      const server = new TestCore({ authorize: pending.authorize });
      const { connection } = await server.open();
      server.send(connection, { type: 'subscribe', topic: 'alerts' });
      server.send(connection, { type: 'subscribe', topic: 'news', since: 2 });
      server.send(connection, { type: 'subscribe', topic: 'ops', since: 6 });
      await settle();
      server.gate.join(connection, 'alerts', 4);
      server.gate.join(connection, 'news', undefined);
      server.gate.join(connection, 'ops', 4);
      for (const index of [0, 1, 2]) pending.answer(index, true);
      await settle();
      expect(server.topics.calls).toEqual([
        { op: 'join', id: connection.id, topic: 'alerts', since: 4 },
        { op: 'join', id: connection.id, topic: 'news', since: 2 },
        { op: 'join', id: connection.id, topic: 'ops', since: 4 },
      ]);
    });

    it('lets only the latest subscribe of a topic count while authorize is pending', async () => {
      const pending = pendingAuthorize();
      const server = new TestCore({ authorize: pending.authorize });
      const { connection } = await server.open();
      server.send(connection, { type: 'subscribe', topic: 'alerts', since: 1 });
      server.send(connection, { type: 'subscribe', topic: 'alerts', since: 2 });
      pending.answer(1, true);
      pending.answer(0, true);
      await settle();
      expect(server.topics.calls).toEqual([{ op: 'subscribe', id: connection.id, topic: 'alerts', since: 2 }]);
    });

    it('never adds a connection closed while authorize was pending, nor writes to it', async () => {
      const pending = pendingAuthorize();
      const server = new TestCore({ authorize: pending.authorize });
      const opened = await server.open();
      server.send(opened.connection, { type: 'subscribe', topic: 'alerts' });
      server.send(opened.connection, { type: 'subscribe', topic: 'news' });
      await expectNothingAfterClose(server, opened, pending);
    });

    it('decides again with the renewed claims when an auth came while authorize was pending', async () => {
      const pending = pendingAuthorize();
      const server = new TestCore({ verifyToken: (token) => ({ userId: 'alice', claims: { role: token } }), authorize: pending.authorize });
      const { connection, peer } = await server.open({ token: 'operator' });
      server.send(connection, { type: 'subscribe', topic: 'ops' });
      server.send(connection, { type: 'auth', token: 'viewer' });
      await settle();
      pending.answer(0, true);
      await settle();
      expect(pending.calls).toEqual(['ops', 'ops']);
      pending.answer(1, false);
      await settle();
      expect(server.topics.calls).toEqual([]);
      expect(peer.framesOf('error')).toEqual([expect.objectContaining({ code: ProtocolErrorCode.Forbidden, ref: 'ops' })]);
    });

    it('answers internal_error for the topic and logs when authorize rejects', async () => {
      const pending = pendingAuthorize();
      const server = new TestCore({ authorize: pending.authorize });
      const { connection, peer } = await server.open();
      server.send(connection, { type: 'subscribe', topic: 'alerts' });
      pending.answer(0, new Error('directory down'));
      await settle();
      expect(peer.framesOf('error')).toEqual([{ type: 'error', code: ProtocolErrorCode.InternalError, ref: 'alerts', message: HeartbeatMessages.authorizeFailed('alerts') }]);
      expect(server.logger.lines).toContainEqual(expect.objectContaining({ level: 'error', message: HeartbeatMessages.logAuthorizeThrew('alerts', connection.id) }));
      expect(server.topics.calls).toEqual([]);
      expect(connection.isOpen).toBe(true);
    });
  });

  describe('#subscribe (maxTopicsPerConnection)', () => {
    it('refuses a topic beyond the limit with too_many_topics, ref the topic, without asking authorize; a held topic is answered again, and an unsubscribe makes room', async () => {
      const asked: string[] = [];
      const server = coreWithHub({ maxTopicsPerConnection: 2, authorize: (_identity, topic) => asked.push(topic) > 0 });
      const { connection, peer } = await server.open();
      for (const topic of ['alerts', 'news', 'ops', 'alerts']) server.send(connection, { type: 'subscribe', topic });
      await settle();
      expect(asked).toEqual(['alerts', 'news', 'alerts']);
      // Answered as the hub reads each topic's history: not in the order asked.
      expect(peer.framesOf('subscribed').map((frame) => frame.topic).sort()).toEqual(['alerts', 'alerts', 'news']);
      expect(peer.framesOf('error')).toEqual([tooMany('ops', 2)]);
      expect(connection.isOpen).toBe(true);

      server.send(connection, { type: 'unsubscribe', topic: 'alerts' });
      server.send(connection, { type: 'subscribe', topic: 'ops' });
      await settle();
      expect(connection.topics).toEqual(['news', 'ops']);
      expect(peer.framesOf('error')).toHaveLength(1);
    });

    it('counts the topics still waiting for authorize', async () => {
      const pending = pendingAuthorize();
      const server = coreWithHub({ maxTopicsPerConnection: 2, authorize: pending.authorize });
      const { connection, peer } = await server.open();
      for (const topic of ['alerts', 'news', 'ops', 'news']) server.send(connection, { type: 'subscribe', topic });
      expect(pending.calls).toEqual(['alerts', 'news', 'news']);
      expect(peer.framesOf('error')).toEqual([tooMany('ops', 2)]);
      pending.answer(0, true);
      pending.answer(2, true);
      await settle();
      expect(connection.topics).toEqual(['alerts', 'news']);
    });

    it('never refuses a server-side join, which counts all the same', async () => {
      const server = coreWithHub({ maxTopicsPerConnection: 1 });
      const { connection, peer } = await server.open();
      server.gate.join(connection, 'inbox', undefined);
      server.gate.join(connection, 'alerts', undefined);
      server.send(connection, { type: 'subscribe', topic: 'ops' });
      await settle();
      expect(connection.topics).toEqual(['inbox', 'alerts']);
      expect(peer.framesOf('subscribed').map(({ topic, joined }) => ({ topic, joined }))).toEqual([
        { topic: 'inbox', joined: true },
        { topic: 'alerts', joined: true },
      ]);
      expect(peer.framesOf('error')).toEqual([tooMany('ops', 1)]);
    });

    it('counts a held topic subscribed again while authorize decides once', async () => {
      const pending = pendingAuthorize();
      const server = coreWithHub({ maxTopicsPerConnection: 2, authorize: pending.authorize });
      const { connection, peer } = await server.open();
      server.send(connection, { type: 'subscribe', topic: 'alerts' });
      pending.answer(0, true);
      await settle();
      server.send(connection, { type: 'subscribe', topic: 'alerts' });
      server.send(connection, { type: 'subscribe', topic: 'news' });
      expect(pending.calls).toEqual(['alerts', 'alerts', 'news']);
      pending.answer(1, true);
      pending.answer(2, true);
      await settle();
      expect(connection.topics).toEqual(['alerts', 'news']);
      expect(peer.framesOf('error')).toEqual([]);
    });
  });

  describe('#hello', () => {
    it('takes the topics of a hello up to maxTopicsPerConnection, those of positions first, and refuses each of the rest with too_many_topics', async () => {
      const server = coreWithHub({ maxTopicsPerConnection: 2 });
      const { connection, peer } = await server.open({ positions: { alerts: 0 }, subscribe: ['news', 'ops', 'alerts', 'audit'] });
      await settle();
      expect(connection.topics).toEqual(['alerts', 'news']);
      expect(peer.framesOf('error')).toEqual([tooMany('ops', 2), tooMany('audit', 2)]);
      expect(connection.isOpen).toBe(true);
    });

    it('asks authorize about the first maxTopicsPerConnection topics of a hello at most, whatever it answers', async () => {
      const asked: string[] = [];
      const server = coreWithHub({ maxTopicsPerConnection: 2, authorize: (_identity, topic) => asked.push(topic) > 0 && topic === 'news' });
      const { connection, peer } = await server.open({ subscribe: ['vault', 'payroll', 'news', 'ops'] });
      await settle();
      expect(asked).toEqual(['vault', 'payroll']);
      expect(connection.topics).toEqual([]);
      expect(peer.framesOf('error').map(({ code, ref }) => ({ code, ref }))).toEqual([
        { code: ProtocolErrorCode.Forbidden, ref: 'vault' },
        { code: ProtocolErrorCode.Forbidden, ref: 'payroll' },
        { code: ProtocolErrorCode.TooManyTopics, ref: 'news' },
        { code: ProtocolErrorCode.TooManyTopics, ref: 'ops' },
      ]);
    });

    it('checks every topic of hello.positions as a subscribe: another user’s topic and a bad name are refused, the rest resumed', async () => {
      const server = new TestCore({ verifyToken, authorize: [{ topic: 'alerts', allow: 'authenticated' }] });
      const { connection, peer } = await server.open({ token: 'bob', positions: { 'inbox#alice': 4, alerts: 2, 'inbox#bob': 1, 'a b': 1, payroll: 3 } });
      expect(server.topics.calls).toEqual([
        { op: 'subscribe', id: connection.id, topic: 'alerts', since: 2 },
        { op: 'subscribe', id: connection.id, topic: 'inbox#bob', since: 1 },
      ]);
      expect(peer.framesOf('error')).toEqual([
        { type: 'error', code: ProtocolErrorCode.Forbidden, ref: 'inbox#alice', message: HeartbeatMessages.userTopicForbidden('inbox#alice') },
        { type: 'error', code: ProtocolErrorCode.InvalidTopic, ref: 'hello', message: topicNameProblem('a b') },
        { type: 'error', code: ProtocolErrorCode.Forbidden, ref: 'payroll', message: HeartbeatMessages.topicForbidden('payroll', 'subscribe') },
      ]);
    });

    it('checks every topic of hello.subscribe as a subscribe from the head: another user’s topic and a bad name are refused, the rest subscribed', async () => {
      const server = new TestCore({ verifyToken, authorize: [{ topic: 'alerts', allow: 'authenticated' }] });
      const { connection, peer } = await server.open({ token: 'bob', subscribe: ['inbox#alice', 'alerts', 'inbox#bob', 'a b', 'payroll'] });
      expect(server.topics.calls).toEqual([
        { op: 'subscribe', id: connection.id, topic: 'alerts', since: undefined },
        { op: 'subscribe', id: connection.id, topic: 'inbox#bob', since: undefined },
      ]);
      expect(peer.framesOf('error')).toEqual([
        { type: 'error', code: ProtocolErrorCode.Forbidden, ref: 'inbox#alice', message: HeartbeatMessages.userTopicForbidden('inbox#alice') },
        { type: 'error', code: ProtocolErrorCode.InvalidTopic, ref: 'hello', message: topicNameProblem('a b') },
        { type: 'error', code: ProtocolErrorCode.Forbidden, ref: 'payroll', message: HeartbeatMessages.topicForbidden('payroll', 'subscribe') },
      ]);
      expect(connection.isOpen).toBe(true);
    });

    it('lets an unsubscribe that comes while authorize decides a topic of hello.subscribe win, and allows the others once it answers', async () => {
      const pending = pendingAuthorize();
      const server = new TestCore({ authorize: pending.authorize });
      const { connection, peer } = await server.open({ subscribe: ['alerts', 'news'] });
      expect(pending.calls).toEqual(['alerts', 'news']);
      server.send(connection, { type: 'unsubscribe', topic: 'alerts' });
      pending.answer(0, true);
      pending.answer(1, true);
      await settle();
      expect(server.topics.calls).toEqual([
        { op: 'unsubscribe', id: connection.id, topic: 'alerts' },
        { op: 'subscribe', id: connection.id, topic: 'news', since: undefined },
      ]);
      expect(peer.framesOf('error')).toEqual([]);
    });

    it('never adds a connection closed while authorize decided the topics of its hello, nor writes to it', async () => {
      const pending = pendingAuthorize();
      const server = new TestCore({ authorize: pending.authorize });
      await expectNothingAfterClose(server, await server.open({ positions: { alerts: 3 }, subscribe: ['news'] }), pending);
    });

    it('subscribes a topic named twice in hello.subscribe once, and one also in hello.positions from its position', async () => {
      const server = new TestCore();
      const { connection } = await server.open({ positions: { alerts: 7 }, subscribe: ['news', 'alerts', 'news'] });
      expect(server.topics.calls).toEqual([
        { op: 'subscribe', id: connection.id, topic: 'alerts', since: 7 },
        { op: 'subscribe', id: connection.id, topic: 'news', since: undefined },
      ]);
    });
  });

  describe('#publish', () => {
    it('answers a message on a topic the connection may not publish on with forbidden, ref its id, neither acknowledged nor handed over', async () => {
      const server = new TestCore({ verifyToken, authorize: [{ topic: 'chat', actions: ['publish'], allow: 'authenticated' }] });
      const handed: unknown[] = [];
      server.inbox.messages$.subscribe((message) => handed.push(message));
      const { connection, peer } = await server.open({ token: 'alice' });
      server.send(connection, { type: 'message', id: 'm1', topic: 'chat', data: 1 });
      server.send(connection, { type: 'message', id: 'm2', topic: 'alerts', data: 2 });
      server.send(connection, { type: 'message', id: 'm3', topic: 'inbox#bob', data: 3 });
      server.send(connection, { type: 'message', id: 'm4', data: 4 });
      await settle();
      expect(peer.framesOf('ack').map((ack) => ack.id)).toEqual(['m1', 'm4']);
      expect(peer.framesOf('error')).toEqual([
        { type: 'error', code: ProtocolErrorCode.Forbidden, ref: 'm2', message: HeartbeatMessages.topicForbidden('alerts', 'publish') },
        { type: 'error', code: ProtocolErrorCode.Forbidden, ref: 'm3', message: HeartbeatMessages.userTopicForbidden('inbox#bob') },
      ]);
      expect(handed).toEqual([
        { connectionId: connection.id, sessionId: connection.sessionId, userId: 'alice', id: 'm1', topic: 'chat', data: 1 },
        { connectionId: connection.id, sessionId: connection.sessionId, userId: 'alice', id: 'm4', topic: undefined, data: 4 },
      ]);
    });

    it('hands a message over once an async authorize allows it, and drops it for a connection closed meanwhile', async () => {
      const pending = pendingAuthorize();
      const server = new TestCore({ authorize: pending.authorize });
      const handed: string[] = [];
      server.inbox.messages$.subscribe((message) => handed.push(message.id));
      const { connection, peer } = await server.open();
      server.send(connection, { type: 'message', id: 'm1', topic: 'chat', data: 1 });
      server.send(connection, { type: 'message', id: 'm2', topic: 'chat', data: 2 });
      pending.answer(0, true);
      await settle();
      server.closeTransport(connection);
      pending.answer(1, true);
      await settle();
      expect(handed).toEqual(['m1']);
      expect(peer.framesOf('ack').map((ack) => ack.id)).toEqual(['m1']);
    });
  });
});
