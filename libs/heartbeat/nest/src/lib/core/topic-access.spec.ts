import { describe, expect, it } from '@jest/globals';
import { ProtocolErrorCode, topicNameProblem } from '@heartbeat/protocol';
import { HeartbeatMessages } from './heartbeat.messages.js';
import type { HeartbeatIdentity } from './heartbeat-identity.js';
import type { AuthorizeTopic, TopicRule } from './heartbeat-options.interface.js';
import { compileTopicRules, TopicAccess } from './topic-access.js';

const alice: HeartbeatIdentity = { userId: 'alice', claims: { role: 'operator', teams: ['red', 'blue'] } };
const bob: HeartbeatIdentity = { userId: 'bob', claims: {} };

function rules(list: readonly TopicRule[]): AuthorizeTopic {
  const compiled = compileTopicRules(list);
  if (typeof compiled === 'string') throw new Error(compiled);
  return compiled;
}

describe('TopicAccess', () => {
  describe('#check', () => {
    it('allows every valid topic name when there is no authorize', () => {
      expect(new TopicAccess(undefined).check(undefined, 'alerts', 'subscribe')).toEqual({ allowed: true });
    });

    it.each([
      ['upper case variant of a user topic with a space', 'Alerts #bob'],
      ['a wildcard', 'alerts.*'],
      ['a trailing newline', 'alerts\n'],
      ['non-ASCII look-alike', 'аlerts'],
      ['two # separators', 'inbox#bob#alice'],
      ['a name longer than the limit', 'a'.repeat(2_000)],
      ['an empty name', ''],
    ])('refuses %s as invalid_topic with the name rule sentence, without asking authorize', (_case, topic) => {
      const asked: string[] = [];
      const access = new TopicAccess((_identity, name) => (asked.push(name), true));
      expect(access.check(alice, topic, 'subscribe')).toEqual({ allowed: false, code: ProtocolErrorCode.InvalidTopic, message: topicNameProblem(topic) });
      expect(asked).toEqual([]);
    });

    it('opens a user topic to its user alone, whatever authorize says, without asking it', () => {
      const asked: string[] = [];
      const access = new TopicAccess((_identity, name) => (asked.push(name), name.startsWith('inbox')));
      expect(access.check(alice, 'inbox#alice', 'subscribe')).toEqual({ allowed: true });
      expect(access.check(bob, 'inbox#alice', 'subscribe')).toEqual({
        allowed: false,
        code: ProtocolErrorCode.Forbidden,
        message: HeartbeatMessages.userTopicForbidden('inbox#alice'),
      });
      expect(access.check(undefined, 'inbox#alice', 'publish')).toMatchObject({ allowed: false, code: ProtocolErrorCode.Forbidden });
      expect(access.check(alice, 'inbox#Alice', 'subscribe')).toMatchObject({ allowed: false, code: ProtocolErrorCode.Forbidden });
      expect(asked).toEqual([]);
    });

    it('refuses with forbidden what authorize does not answer true to (false, a truthy non-boolean)', () => {
      const access = new TopicAccess((_identity, topic) => (topic === 'open' ? true : (topic === 'odd' ? ('yes' as unknown as boolean) : false)));
      expect(access.check(alice, 'open', 'subscribe')).toEqual({ allowed: true });
      expect(access.check(alice, 'closed', 'publish')).toEqual({
        allowed: false,
        code: ProtocolErrorCode.Forbidden,
        message: HeartbeatMessages.topicForbidden('closed', 'publish'),
      });
      expect(access.check(alice, 'odd', 'subscribe')).toMatchObject({ allowed: false, code: ProtocolErrorCode.Forbidden });
    });

    it('passes the identity, topic and action to authorize, and waits for a promise', async () => {
      const calls: unknown[] = [];
      const access = new TopicAccess(async (identity, topic, action) => (calls.push([identity?.userId, topic, action]), action === 'subscribe'));
      await expect(access.check(alice, 'alerts', 'subscribe')).resolves.toEqual({ allowed: true });
      await expect(access.check(undefined, 'alerts', 'publish')).resolves.toMatchObject({ allowed: false, code: ProtocolErrorCode.Forbidden });
      expect(calls).toEqual([
        ['alice', 'alerts', 'subscribe'],
        [undefined, 'alerts', 'publish'],
      ]);
    });

    it('answers internal_error, carrying the error, when authorize throws or rejects', async () => {
      const boom = new Error('boom');
      const throwing = new TopicAccess(() => {
        throw boom;
      });
      expect(throwing.check(alice, 'alerts', 'subscribe')).toEqual({
        allowed: false,
        code: ProtocolErrorCode.InternalError,
        message: HeartbeatMessages.authorizeFailed('alerts'),
        error: boom,
      });
      const rejecting = new TopicAccess(() => Promise.reject(boom));
      await expect(rejecting.check(alice, 'alerts', 'subscribe')).resolves.toMatchObject({ allowed: false, code: ProtocolErrorCode.InternalError, error: boom });
    });
  });
});

describe('compileTopicRules', () => {
  it('allows an action on a topic when some rule allows it, and nothing else', () => {
    const authorize = rules([
      { topic: 'alerts', allow: 'authenticated' },
      { topic: 'news.*', actions: ['subscribe', 'publish'], allow: 'anyone' },
      { topic: 'user.{userId}', allow: 'authenticated' },
    ]);
    expect(authorize(alice, 'alerts', 'subscribe')).toBe(true);
    expect(authorize(undefined, 'alerts', 'subscribe')).toBe(false);
    expect(authorize(alice, 'alerts', 'publish')).toBe(false); // actions default to subscribe
    expect(authorize(undefined, 'news.sport', 'publish')).toBe(true);
    expect(authorize(undefined, 'news.sport.late', 'subscribe')).toBe(false);
    expect(authorize(alice, 'user.alice', 'subscribe')).toBe(true);
    expect(authorize(bob, 'user.alice', 'subscribe')).toBe(false);
    expect(authorize(undefined, 'user.alice', 'subscribe')).toBe(false);
    expect(authorize(alice, 'other', 'subscribe')).toBe(false);
  });

  it('allows by claim: present, equal to a value, or to one of a list; an array claim by any of its items', () => {
    const authorize = rules([
      { topic: 'ops', allow: { claim: 'role' } },
      { topic: 'ops.strict', allow: { claim: 'role', equals: 'operator' } },
      { topic: 'ops.any', allow: { claim: 'role', equals: ['admin', 'operator'] } },
      { topic: 'team.red', allow: { claim: 'teams', equals: 'red' } },
    ]);
    expect(authorize(alice, 'ops', 'subscribe')).toBe(true);
    expect(authorize(bob, 'ops', 'subscribe')).toBe(false);
    expect(authorize(alice, 'ops.strict', 'subscribe')).toBe(true);
    expect(authorize({ userId: 'carol', claims: { role: 'Operator' } }, 'ops.strict', 'subscribe')).toBe(false);
    expect(authorize(alice, 'ops.any', 'subscribe')).toBe(true);
    expect(authorize(alice, 'team.red', 'subscribe')).toBe(true);
    expect(authorize(undefined, 'ops', 'subscribe')).toBe(false);
  });

  it('reads a claim of the identity itself, never one of the prototype (constructor, __proto__)', () => {
    const authorize = rules([{ topic: 'ops', allow: { claim: 'constructor' } }]);
    expect(authorize(bob, 'ops', 'subscribe')).toBe(false);
  });

  it.each([
    ['not an array', { topic: 'a', allow: 'anyone' }, HeartbeatMessages.rulesNotArray({ topic: 'a', allow: 'anyone' })],
    ['a rule that is not an object', ['alerts'], HeartbeatMessages.ruleInvalid(0, HeartbeatMessages.ruleNotObject())],
    ['a bad pattern', [{ topic: 'a.b*', allow: 'anyone' }], expect.stringContaining('rule 0: The topic pattern "a.b*" uses * inside a segment')],
    ['a pattern with a space', [{ topic: 'a b', allow: 'anyone' }], expect.stringContaining('is not a topic name')],
    ['an unknown action', [{ topic: 'a', actions: ['read'], allow: 'anyone' }], HeartbeatMessages.ruleInvalid(0, HeartbeatMessages.ruleBadActions(['read']))],
    ['no actions', [{ topic: 'a', actions: [], allow: 'anyone' }], HeartbeatMessages.ruleInvalid(0, HeartbeatMessages.ruleBadActions([]))],
    ['an unknown allow', [{ topic: 'a', allow: 'everyone' }], HeartbeatMessages.ruleInvalid(0, HeartbeatMessages.ruleBadAllow('everyone'))],
    ['a claim without a name', [{ topic: 'a', allow: { claim: '' } }], expect.stringContaining('rule 0: "allow" must be')],
    ['a second rule with no allow', [{ topic: 'a', allow: 'anyone' }, { topic: 'b' }], HeartbeatMessages.ruleInvalid(1, HeartbeatMessages.ruleBadAllow(undefined))],
  ])('says what is wrong with %s', (_case, list, sentence) => {
    expect(compileTopicRules(list)).toEqual(sentence);
  });
});
