import type { HeartbeatModuleOptions } from './core/heartbeat-options.interface.js';
import { HeartbeatMessages } from './core/heartbeat.messages.js';
import { TopicPattern } from './core/topic-pattern.js';
import { HeartbeatOptionsError, resolveHeartbeatOptions } from './heartbeat-options.validator.js';

/** Options as a caller without type checking (plain JS, env parsing gone wrong) could pass them. */
const resolve = (options: Record<string, unknown>) => resolveHeartbeatOptions(options as HeartbeatModuleOptions);

/** The error `resolveHeartbeatOptions` throws for `options`; fails the test when it does not throw. */
function rejectionOf(options: Record<string, unknown>): HeartbeatOptionsError {
  try {
    resolve(options);
  } catch (error) {
    expect(error).toBeInstanceOf(HeartbeatOptionsError);
    return error as HeartbeatOptionsError;
  }
  throw new Error(`resolveHeartbeatOptions accepted ${JSON.stringify(options)}`);
}

describe('resolveHeartbeatOptions', () => {
  describe('defaults', () => {
    it('applies the heartbeat defaults (25000/30000/90000/3) and the production defaults', () => {
      const resolved = resolveHeartbeatOptions();
      expect(resolved).toEqual({
        path: '/ws',
        pingInterval: 25_000,
        heartbeatInterval: 30_000,
        heartbeatTimeout: 90_000,
        maxMissedPings: 3,
        handshakeTimeout: 10_000,
        maxPayload: 65_536,
        maxProtocolViolations: 5,
        replay: { maxEvents: 1_000, maxAgeMs: 300_000 },
        sessionTtl: 300_000,
        maxRetainedSessions: 10_000,
        messageDedupeWindow: 1_000,
        drainWindow: 10_000,
        maxBufferedBytes: 1_048_576,
        rateLimit: { messagesPerSecond: 100, burst: 200 },
        maxTopicsPerConnection: 1_000,
        maxConnectionsPerAddress: undefined,
        verifyToken: undefined,
        authorize: undefined,
        redis: undefined,
        allowedOrigins: undefined,
        presence: [],
      });
    });

    it('gives the same result for {} as for no options', () => {
      expect(resolveHeartbeatOptions({})).toEqual(resolveHeartbeatOptions());
    });

    it('keeps the given values and fills in only the missing ones, also inside replay', () => {
      const verifyToken = () => true;
      const resolved = resolveHeartbeatOptions({
        path: '/realtime/v1',
        pingInterval: 1_000,
        heartbeatTimeout: 5_000,
        replay: { maxEvents: 10 },
        verifyToken,
      });
      expect(resolved).toMatchObject({
        path: '/realtime/v1',
        pingInterval: 1_000,
        heartbeatInterval: 30_000,
        heartbeatTimeout: 5_000,
        maxMissedPings: 3,
        replay: { maxEvents: 10, maxAgeMs: 300_000 },
      });
      expect(resolved.verifyToken).toBe(verifyToken);
    });

    it('keeps sessions as long as replay.maxAgeMs unless sessionTtl says otherwise', () => {
      expect(resolveHeartbeatOptions({ replay: { maxAgeMs: 60_000 } }).sessionTtl).toBe(60_000);
      expect(resolveHeartbeatOptions({ replay: { maxAgeMs: 60_000 }, sessionTtl: 5_000 }).sessionTtl).toBe(5_000);
    });

    it('fills in the missing half of rateLimit, accepts a fractional rate, and keeps rateLimit: false', () => {
      expect(resolveHeartbeatOptions({ rateLimit: { burst: 10 } }).rateLimit).toEqual({ messagesPerSecond: 100, burst: 10 });
      expect(resolveHeartbeatOptions({ rateLimit: { messagesPerSecond: 0.5 } }).rateLimit).toEqual({ messagesPerSecond: 0.5, burst: 200 });
      expect(resolveHeartbeatOptions({ rateLimit: false }).rateLimit).toBe(false);
    });

    it('accepts a drainWindow of 0 (close every connection at once)', () => {
      expect(resolveHeartbeatOptions({ drainWindow: 0 }).drainWindow).toBe(0);
    });

    it('accepts 0 for the session bounds (no resume, no deduplication)', () => {
      expect(resolveHeartbeatOptions({ sessionTtl: 0, maxRetainedSessions: 0, messageDedupeWindow: 0 })).toMatchObject({
        sessionTtl: 0,
        maxRetainedSessions: 0,
        messageDedupeWindow: 0,
      });
    });

    it('accepts 0 for the replay bounds (no resume buffer)', () => {
      expect(resolveHeartbeatOptions({ replay: { maxEvents: 0, maxAgeMs: 0 } }).replay).toEqual({ maxEvents: 0, maxAgeMs: 0 });
    });
  });

  describe('invalid options', () => {
    const positiveIntegers: [string, string][] = [
      ['pingInterval', 'a whole number of milliseconds from 1 to 2147483647'],
      ['heartbeatInterval', 'a whole number of milliseconds from 1 to 2147483647'],
      ['heartbeatTimeout', 'a whole number of milliseconds from 1 to 2147483647'],
      ['handshakeTimeout', 'a whole number of milliseconds from 1 to 2147483647'],
      ['maxMissedPings', 'a whole number above 0'],
      ['maxPayload', 'a whole number above 0'],
      ['maxProtocolViolations', 'a whole number above 0'],
      ['maxBufferedBytes', 'a whole number above 0'],
      ['maxTopicsPerConnection', 'a whole number above 0'],
      ['maxConnectionsPerAddress', 'a whole number above 0 (leave it out for no limit)'],
    ];

    describe.each(positiveIntegers)('%s', (name, expected) => {
      it.each([
        ['negative', -1],
        ['zero', 0],
        ['not an integer', 1.5],
        ['a numeric string', '30000'],
        ['NaN', Number.NaN],
        ['Infinity', Number.POSITIVE_INFINITY],
        ['null', null],
      ])('is rejected when %s, with a message naming the option', (_case, value) => {
        const error = rejectionOf({ [name]: value });
        expect(error.name).toBe('HeartbeatOptionsError');
        expect(error.message).toContain(`option "${name}"`);
        expect(error.message).toContain(expected);
      });
    });

    it.each(['pingInterval', 'heartbeatInterval', 'heartbeatTimeout', 'handshakeTimeout'])(
      'rejects a %s that Node timers cannot hold (above 2^31 - 1 ms they fire after 1 ms)',
      (name) => {
        const options = name === 'pingInterval' ? { pingInterval: 2 ** 31, heartbeatTimeout: 2 ** 31 - 1 } : { [name]: 2 ** 31 };
        expect(rejectionOf(options).message).toContain(`option "${name}" must be a whole number of milliseconds from 1 to 2147483647`);
      },
    );

    it('accepts the largest delay Node timers can hold', () => {
      expect(resolveHeartbeatOptions({ handshakeTimeout: 2 ** 31 - 1, heartbeatTimeout: 2 ** 31 - 1 })).toMatchObject({
        handshakeTimeout: 2_147_483_647,
        heartbeatTimeout: 2_147_483_647,
      });
    });

    describe.each(['replay.maxEvents', 'replay.maxAgeMs'])('%s', (name) => {
      const key = name.split('.')[1];
      it.each([
        ['negative', -1],
        ['not an integer', 0.5],
        ['a string', '1000'],
      ])('is rejected when %s, with a message naming the option', (_case, value) => {
        const error = rejectionOf({ replay: { [key]: value } });
        expect(error.message).toContain(`option "${name}"`);
        expect(error.message).toContain('0 or more');
      });
    });

    describe.each(['sessionTtl', 'maxRetainedSessions', 'messageDedupeWindow'])('%s', (name) => {
      it.each([
        ['negative', -1],
        ['not an integer', 0.5],
        ['a string', '1000'],
        ['null', null],
      ])('is rejected when %s, with a message naming the option', (_case, value) => {
        const error = rejectionOf({ [name]: value });
        expect(error.message).toContain(`option "${name}"`);
        expect(error.message).toContain('0 or more');
      });
    });

    it.each([
      ['zero', { messagesPerSecond: 0 }, 'rateLimit.messagesPerSecond', 'a number above 0 (or rateLimit: false)'],
      ['Infinity', { messagesPerSecond: Number.POSITIVE_INFINITY }, 'rateLimit.messagesPerSecond', 'a number above 0'],
      ['a string rate', { messagesPerSecond: '100' }, 'rateLimit.messagesPerSecond', 'a number above 0'],
      ['a fractional burst', { burst: 1.5 }, 'rateLimit.burst', 'a whole number above 0'],
      ['a zero burst', { burst: 0 }, 'rateLimit.burst', 'a whole number above 0'],
      ['true', true, 'rateLimit', 'an object or false'],
      ['a number', 100, 'rateLimit', 'an object or false'],
    ])('rejects a rateLimit with %s', (_case, value, name, expected) => {
      const { message } = rejectionOf({ rateLimit: value });
      expect(message).toContain(`option "${name}"`);
      expect(message).toContain(expected);
    });

    it.each([
      ['negative', -1],
      ['not an integer', 0.5],
      ['a string', '10000'],
      ['above what Node timers hold', 2 ** 31],
    ])('rejects a drainWindow that is %s', (_case, value) => {
      expect(rejectionOf({ drainWindow: value }).message).toContain(
        'option "drainWindow" must be a whole number of milliseconds from 0 to 2147483647',
      );
    });

    it.each([
      ['a number', 500],
      ['a string', 'big'],
      ['null', null],
      ['an array', [1_000, 300_000]],
    ])('rejects replay when it is %s instead of an object', (_case, value) => {
      expect(rejectionOf({ replay: value }).message).toContain('option "replay" must be an object');
    });

    it.each([
      ['without a leading slash', 'ws'],
      ['empty', ''],
      ['with a space', '/my ws'],
      ['with a query', '/ws?x=1'],
      ['with a fragment', '/ws#x'],
      ['a full URL', 'ws://host/ws'],
      ['not a string', 42],
    ])('rejects a path %s', (_case, value) => {
      const error = rejectionOf({ path: value });
      expect(error.message).toContain('option "path"');
      expect(error.message).toContain('a URL path starting with "/"');
    });

    it.each([
      ['a string', 'secret'],
      ['true', true],
      ['an object', { verify: () => true }],
      ['null', null],
    ])('rejects a verifyToken that is %s instead of a function', (_case, value) => {
      const error = rejectionOf({ verifyToken: value });
      expect(error.message).toContain('option "verifyToken" must be a function');
    });

    it.each([
      ['a single string', 'http://ok'],
      ['a list with a number', ['http://ok', 42]],
      ['a list with null', [null]],
      ['an object', { 'http://ok': true }],
      ['null', null],
      ['true', true],
    ])('rejects allowedOrigins that is %s', (_case, value) => {
      const error = rejectionOf({ allowedOrigins: value });
      expect(error.message).toContain('option "allowedOrigins"');
      expect(error.message).toContain('an array of origin strings or a function');
    });

    it('shows the bad value in the message and says where to fix it', () => {
      const { message } = rejectionOf({ pingInterval: '25s' });
      expect(message).toContain('but got "25s"');
      expect(message).toContain('HeartbeatModule.forRoot()/forRootAsync()');
    });
  });

  describe('redis', () => {
    it('takes a URL alone and fills in the Redis defaults, with a node id per process', () => {
      expect(resolveHeartbeatOptions({ redis: 'redis://cache:6380/2' }).redis).toEqual({
        connection: { kind: 'url', url: 'redis://cache:6380/2' },
        keyPrefix: 'heartbeat:',
        nodeId: expect.stringMatching(new RegExp(`-${process.pid}-[0-9a-f]{6}$`)),
        statsInterval: 2_000,
        staleAfter: 6_000,
        requestTimeout: 1_000,
        healthCheckInterval: 1_000,
        maxPendingPublishes: 10_000,
      });
    });

    it('derives staleAfter from statsInterval unless given', () => {
      expect(resolveHeartbeatOptions({ redis: { statsInterval: 500 } }).redis).toMatchObject({ connection: { kind: 'url', url: 'redis://127.0.0.1:6379' }, staleAfter: 1_500 });
      expect(resolveHeartbeatOptions({ redis: { statsInterval: 500, staleAfter: 700 } }).redis).toMatchObject({ staleAfter: 700 });
    });

    it('takes a primary watched by Sentinel', () => {
      const sentinel = { nodes: [{ host: '10.0.0.5', port: 26379 }], name: 'alerts', password: 's3cret' };
      expect(resolveHeartbeatOptions({ redis: { sentinel } }).redis?.connection).toEqual({ kind: 'sentinel', sentinel });
    });

    it('takes a Redis Cluster', () => {
      const cluster = { nodes: [{ host: 'shard-1', port: 6379 }, { host: 'shard-2', port: 6379 }], password: 's3cret' };
      expect(resolveHeartbeatOptions({ redis: { cluster } }).redis?.connection).toEqual({ kind: 'cluster', cluster });
    });

    it('takes an ioredis client to copy', () => {
      const client = { duplicate: () => client };
      expect(resolveHeartbeatOptions({ redis: { client } }).redis?.connection).toEqual({ kind: 'client', client });
    });

    it('takes an ioredis Cluster client to copy', () => {
      const client = { isCluster: true, duplicate: () => client };
      expect(resolveHeartbeatOptions({ redis: { client } }).redis?.connection).toEqual({ kind: 'client', client });
    });

    it('refuses two ways of naming the Redis, saying to give one', () => {
      const error = rejectionOf({ redis: { url: 'redis://cache:6379', sentinel: { nodes: [{ host: 'cache', port: 26379 }], name: 'alerts' } } });
      expect(error.message).toContain('names its Redis in "url" and "sentinel": give one of');
    });

    it.each([
      ['redis.sentinel.nodes', { sentinel: { nodes: [], name: 'alerts' } }, 'a list of at least one { host, port }'],
      ['redis.sentinel.nodes', { sentinel: { nodes: [{ host: 'cache', port: 0 }], name: 'alerts' } }, 'a list of at least one { host, port }'],
      ['redis.sentinel.name', { sentinel: { nodes: [{ host: 'cache', port: 26379 }], name: ' ' } }, 'the name the sentinels watch the primary under'],
      ['redis.sentinel.db', { sentinel: { nodes: [{ host: 'cache', port: 26379 }], name: 'alerts', db: -1 } }, 'a whole number from 0'],
      ['redis.client', { client: {} }, 'an ioredis Redis or Cluster client'],
      ['redis.cluster.nodes', { cluster: { nodes: [] } }, 'a list of at least one { host, port }'],
      ['redis.cluster.password', { cluster: { nodes: [{ host: 'shard-1', port: 6379 }], password: 42 } }, 'a string'],
      ['redis', 42, 'a redis:// URL or an object'],
      ['redis.url', { url: 'http://cache:6379' }, 'a redis:// or rediss:// URL'],
      ['redis.url', { url: 'not a url' }, 'a redis:// or rediss:// URL'],
      ['redis.keyPrefix', { keyPrefix: 'has space' }, 'printable ASCII characters without spaces'],
      ['redis.keyPrefix', { keyPrefix: 'app{1}:' }, 'without spaces or braces'],
      ['redis.nodeId', { nodeId: '' }, 'printable ASCII characters without spaces'],
      ['redis.statsInterval', { statsInterval: 0 }, 'a whole number of milliseconds'],
      ['redis.maxPendingPublishes', { maxPendingPublishes: -1 }, 'a whole number above 0'],
    ])('rejects an invalid %s, naming it', (name, redis, expected) => {
      const error = rejectionOf({ redis });
      expect(error.message).toContain(`"${name}"`);
      expect(error.message).toContain(expected);
    });
  });

  describe('heartbeatTimeout against pingInterval', () => {
    it.each([
      ['equal to', { pingInterval: 5_000, heartbeatTimeout: 5_000 }],
      ['below', { pingInterval: 5_000, heartbeatTimeout: 4_999 }],
      ['below (default timeout, larger pingInterval)', { pingInterval: 100_000 }],
    ])('rejects a heartbeatTimeout %s the pingInterval, naming both', (_case, options) => {
      const error = rejectionOf(options);
      expect(error.message).toContain('"heartbeatTimeout"');
      expect(error.message).toContain('"pingInterval"');
      expect(error.message).toContain('must be greater than');
    });

    it('accepts a heartbeatTimeout just above the pingInterval', () => {
      expect(resolveHeartbeatOptions({ pingInterval: 5_000, heartbeatTimeout: 5_001 })).toMatchObject({
        pingInterval: 5_000,
        heartbeatTimeout: 5_001,
      });
    });
  });

  describe('allowedOrigins', () => {
    it('turns a list into a predicate that accepts exactly the listed origins', () => {
      const { allowedOrigins } = resolveHeartbeatOptions({ allowedOrigins: ['http://ok', 'https://also.ok:8443'] });
      expect(allowedOrigins).toBeInstanceOf(Function);
      expect(allowedOrigins!('http://ok')).toBe(true);
      expect(allowedOrigins!('https://also.ok:8443')).toBe(true);
      expect(allowedOrigins!('http://evil')).toBe(false);
      expect(allowedOrigins!('http://ok.evil')).toBe(false);
      expect(allowedOrigins!('HTTP://OK')).toBe(false);
    });

    it('turns a list into a predicate that refuses clients that send no Origin', () => {
      const { allowedOrigins } = resolveHeartbeatOptions({ allowedOrigins: ['http://ok'] });
      expect(allowedOrigins!(undefined)).toBe(false);
    });

    it('refuses every origin for an empty list', () => {
      const { allowedOrigins } = resolveHeartbeatOptions({ allowedOrigins: [] });
      expect(allowedOrigins!('http://ok')).toBe(false);
    });

    it('keeps a predicate as it is', () => {
      const predicate = (origin: string | undefined) => origin?.endsWith('.example.com') ?? false;
      expect(resolveHeartbeatOptions({ allowedOrigins: predicate }).allowedOrigins).toBe(predicate);
    });

    it('is undefined (every origin accepted) when absent', () => {
      expect(resolveHeartbeatOptions({}).allowedOrigins).toBeUndefined();
    });
  });

  describe('authorize', () => {
    it('keeps a function as it is', () => {
      const authorize = () => true;
      expect(resolveHeartbeatOptions({ authorize }).authorize).toBe(authorize);
    });

    it('compiles a list of rules into the function that applies them', () => {
      const { authorize } = resolveHeartbeatOptions({ authorize: [{ topic: 'alerts', allow: 'authenticated' }] });
      expect(authorize?.({ userId: 'alice', claims: {} }, 'alerts', 'subscribe')).toBe(true);
      expect(authorize?.(undefined, 'alerts', 'subscribe')).toBe(false);
    });

    it.each([
      ['a string', 'alerts', 'must be a function or an array of rules'],
      ['a rule with a wildcard inside a segment', [{ topic: 'alerts.a*', allow: 'anyone' }], 'rule 0: The topic pattern "alerts.a*" uses * inside a segment'],
      ['a rule with an unknown action', [{ topic: 'alerts', actions: ['write'], allow: 'anyone' }], '"actions" must be a non-empty array'],
      ['a rule without allow', [{ topic: 'alerts' }], '"allow" must be "anyone", "authenticated" or { claim'],
    ])('rejects %s with a sentence naming the option and the rule', (_case, value, sentence) => {
      const { message } = rejectionOf({ authorize: value });
      expect(message).toContain('HeartbeatModule option "authorize"');
      expect(message).toContain(sentence);
      expect(message).toContain('HeartbeatModule.forRoot()/forRootAsync()');
    });
  });

  describe('presence', () => {
    it('turns the patterns into topic patterns: * one segment, {userId} the connection’s own user', () => {
      const [rooms, personal] = resolveHeartbeatOptions({ presence: ['rooms.*', 'user.{userId}'] }).presence;
      expect(rooms.matches('rooms.lobby', undefined)).toBe(true);
      expect(rooms.matches('rooms.lobby.east', undefined)).toBe(false);
      expect(personal.matches('user.ada', 'ada')).toBe(true);
      expect(personal.matches('user.ada', 'bob')).toBe(false);
    });

    it('refuses what is not a list of patterns, naming the option', () => {
      expect(rejectionOf({ presence: 'rooms.*' }).message).toBe(
        HeartbeatMessages.invalidOption('presence', 'an array of topic patterns such as ["rooms.*"]', 'rooms.*'),
      );
    });

    it.each([
      ['* inside a segment', 'rooms.a*'],
      ['not a topic name', 'rooms lobby'],
      ['not a string', 7],
    ])('refuses a pattern with %s, naming its place in the list', (_case, pattern) => {
      const problem = TopicPattern.parse(pattern) as string;
      expect(rejectionOf({ presence: ['rooms.*', pattern] }).message).toBe(HeartbeatMessages.invalidTopicPattern('presence[1]', problem));
    });
  });
});

describe('HeartbeatOptionsError', () => {
  it('is an Error named HeartbeatOptionsError', () => {
    const error = new HeartbeatOptionsError('bad');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('HeartbeatOptionsError');
    expect(String(error)).toBe('HeartbeatOptionsError: bad');
  });
});
