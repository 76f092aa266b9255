import {
  DEFAULT_DRAIN_WINDOW_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_MAX_PROTOCOL_VIOLATIONS,
  DEFAULT_REPLAY_MAX_AGE_MS,
  DEFAULT_REPLAY_MAX_EVENTS,
  DEFAULT_WS_PATH,
  SERVER_HEARTBEAT_DEFAULTS,
} from '@heartbeat/protocol';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type {
  HeartbeatModuleOptions,
  HeartbeatRedisClusterOptions,
  HeartbeatRedisOptions,
  HeartbeatRedisSentinelOptions,
  RedisAddress,
  RedisConnection,
  ResolvedHeartbeatOptions,
} from './core/heartbeat-options.interface.js';
import { HeartbeatMessages } from './core/heartbeat.messages.js';
import { compileTopicRules } from './core/topic-access.js';
import { TopicPattern } from './core/topic-pattern.js';
import {
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_RETAINED_SESSIONS,
  DEFAULT_MAX_TOPICS_PER_CONNECTION,
  DEFAULT_MESSAGE_DEDUPE_WINDOW,
  DEFAULT_RATE_LIMIT,
  DEFAULT_REDIS,
} from './core/heartbeat-defaults.js';

/** Thrown at start-up when an option is invalid; the message names the option and the fix. */
export class HeartbeatOptionsError extends Error {
  override readonly name = 'HeartbeatOptionsError';
}

/** Applies defaults and validates every option; throws {@link HeartbeatOptionsError} on the first bad one. */
export function resolveHeartbeatOptions(options: HeartbeatModuleOptions = {}): ResolvedHeartbeatOptions {
  const replay = section('replay', options.replay);
  const replayMaxAgeMs = nonNegativeInt('replay.maxAgeMs', replay.maxAgeMs, DEFAULT_REPLAY_MAX_AGE_MS);
  const resolved: ResolvedHeartbeatOptions = {
    path: path(options.path),
    pingInterval: timerMs('pingInterval', options.pingInterval, SERVER_HEARTBEAT_DEFAULTS.pingInterval),
    heartbeatInterval: timerMs('heartbeatInterval', options.heartbeatInterval, SERVER_HEARTBEAT_DEFAULTS.heartbeatInterval),
    heartbeatTimeout: timerMs('heartbeatTimeout', options.heartbeatTimeout, SERVER_HEARTBEAT_DEFAULTS.heartbeatTimeout),
    maxMissedPings: positiveInt('maxMissedPings', options.maxMissedPings, SERVER_HEARTBEAT_DEFAULTS.maxMissedPings),
    handshakeTimeout: timerMs('handshakeTimeout', options.handshakeTimeout, DEFAULT_HANDSHAKE_TIMEOUT_MS),
    maxPayload: positiveInt('maxPayload', options.maxPayload, DEFAULT_MAX_PAYLOAD_BYTES),
    maxProtocolViolations: positiveInt(
      'maxProtocolViolations',
      options.maxProtocolViolations,
      DEFAULT_MAX_PROTOCOL_VIOLATIONS,
    ),
    replay: {
      maxEvents: nonNegativeInt('replay.maxEvents', replay.maxEvents, DEFAULT_REPLAY_MAX_EVENTS),
      maxAgeMs: replayMaxAgeMs,
    },
    sessionTtl: nonNegativeInt('sessionTtl', options.sessionTtl, replayMaxAgeMs),
    maxRetainedSessions: nonNegativeInt('maxRetainedSessions', options.maxRetainedSessions, DEFAULT_MAX_RETAINED_SESSIONS),
    messageDedupeWindow: nonNegativeInt('messageDedupeWindow', options.messageDedupeWindow, DEFAULT_MESSAGE_DEDUPE_WINDOW),
    drainWindow: delayMs('drainWindow', options.drainWindow, DEFAULT_DRAIN_WINDOW_MS),
    maxBufferedBytes: positiveInt('maxBufferedBytes', options.maxBufferedBytes, DEFAULT_MAX_BUFFERED_BYTES),
    rateLimit: rateLimit(options.rateLimit),
    maxTopicsPerConnection: positiveInt('maxTopicsPerConnection', options.maxTopicsPerConnection, DEFAULT_MAX_TOPICS_PER_CONNECTION),
    maxConnectionsPerAddress: optionalLimit('maxConnectionsPerAddress', options.maxConnectionsPerAddress),
    verifyToken: optionalFunction('verifyToken', options.verifyToken),
    authorize: authorize(options.authorize),
    redis: redis(options.redis),
    allowedOrigins: origins(options.allowedOrigins),
    presence: topicPatterns('presence', options.presence),
  };
  if (resolved.heartbeatTimeout <= resolved.pingInterval) {
    throw new HeartbeatOptionsError(
      HeartbeatMessages.timeoutNotAbovePingInterval(resolved.heartbeatTimeout, resolved.pingInterval),
    );
  }
  return resolved;
}

function positiveInt(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new HeartbeatOptionsError(HeartbeatMessages.invalidOption(name, 'a whole number above 0', value));
  }
  return value;
}

/** A limit that is off when left out (0 would read as "none allowed", so it is refused). */
function optionalLimit(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new HeartbeatOptionsError(HeartbeatMessages.invalidOption(name, 'a whole number above 0 (leave it out for no limit)', value));
  }
  return value;
}

/** Node's timers take at most this delay; above it they warn and fire after 1 ms instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A delay handed to setTimeout/setInterval (or compared with one). */
function timerMs(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > MAX_TIMER_MS) {
    throw new HeartbeatOptionsError(
      HeartbeatMessages.invalidOption(name, `a whole number of milliseconds from 1 to ${MAX_TIMER_MS}`, value),
    );
  }
  return value;
}

/** A delay handed to setTimeout where 0 is meaningful (do it at once). */
function delayMs(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_TIMER_MS) {
    throw new HeartbeatOptionsError(
      HeartbeatMessages.invalidOption(name, `a whole number of milliseconds from 0 to ${MAX_TIMER_MS}`, value),
    );
  }
  return value;
}

function nonNegativeInt(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new HeartbeatOptionsError(HeartbeatMessages.invalidOption(name, 'a whole number of 0 or more', value));
  }
  return value;
}

/** A nested options object; without this check `replay: 500` would silently mean the defaults. */
function section<T extends object>(name: string, value: T | undefined, expected = 'an object'): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HeartbeatOptionsError(HeartbeatMessages.invalidOption(name, expected, value));
  }
  return value;
}

function rateLimit(value: HeartbeatModuleOptions['rateLimit']): ResolvedHeartbeatOptions['rateLimit'] {
  if (value === false) return false;
  const given = section('rateLimit', value, 'an object or false');
  const perSecond = given.messagesPerSecond;
  if (perSecond !== undefined && (typeof perSecond !== 'number' || !Number.isFinite(perSecond) || perSecond <= 0)) {
    throw new HeartbeatOptionsError(
      HeartbeatMessages.invalidOption('rateLimit.messagesPerSecond', 'a number above 0 (or rateLimit: false)', perSecond),
    );
  }
  return {
    messagesPerSecond: perSecond ?? DEFAULT_RATE_LIMIT.messagesPerSecond,
    burst: positiveInt('rateLimit.burst', given.burst, DEFAULT_RATE_LIMIT.burst),
  };
}

function redis(value: HeartbeatModuleOptions['redis']): ResolvedHeartbeatOptions['redis'] {
  if (value === undefined) return undefined;
  const given = typeof value === 'string' ? { url: value } : section('redis', value, 'a redis:// URL or an object');
  const statsInterval = timerMs('redis.statsInterval', given.statsInterval, DEFAULT_REDIS.statsInterval);
  return {
    connection: redisConnection(given),
    keyPrefix: keyPrefix(given.keyPrefix),
    nodeId: text('redis.nodeId', given.nodeId, `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`),
    statsInterval,
    staleAfter: timerMs('redis.staleAfter', given.staleAfter, 3 * statsInterval),
    requestTimeout: timerMs('redis.requestTimeout', given.requestTimeout, DEFAULT_REDIS.requestTimeout),
    healthCheckInterval: timerMs('redis.healthCheckInterval', given.healthCheckInterval, DEFAULT_REDIS.healthCheckInterval),
    maxPendingPublishes: positiveInt('redis.maxPendingPublishes', given.maxPendingPublishes, DEFAULT_REDIS.maxPendingPublishes),
  };
}

/** The one Redis the options name: `url`, `sentinel`, `cluster` or `client`; none of them, the default URL. */
function redisConnection(given: Partial<HeartbeatRedisOptions>): RedisConnection {
  const named = (['url', 'sentinel', 'cluster', 'client'] as const).filter((key) => given[key] !== undefined);
  if (named.length > 1) throw new HeartbeatOptionsError(HeartbeatMessages.redisNamedTwice(named));
  if (given.sentinel !== undefined) return { kind: 'sentinel', sentinel: redisSentinel(given.sentinel) };
  if (given.cluster !== undefined) return { kind: 'cluster', cluster: redisCluster(given.cluster) };
  if (given.client !== undefined) {
    if (typeof given.client !== 'object' || given.client === null || typeof given.client.duplicate !== 'function') {
      throw new HeartbeatOptionsError(HeartbeatMessages.invalidOption('redis.client', 'an ioredis Redis or Cluster client (new Redis(…), new Cluster(…))', given.client));
    }
    return { kind: 'client', client: given.client };
  }
  return { kind: 'url', url: redisUrl(given.url) };
}

function redisSentinel(value: HeartbeatRedisSentinelOptions): Readonly<HeartbeatRedisSentinelOptions> {
  const given = section('redis.sentinel', value);
  const nodes = redisAddresses('redis.sentinel.nodes', given.nodes, 26379);
  if (typeof given.name !== 'string' || given.name.trim() === '') {
    throw new HeartbeatOptionsError(HeartbeatMessages.invalidOption('redis.sentinel.name', 'the name the sentinels watch the primary under, such as "mymaster"', given.name));
  }
  credentials('redis.sentinel', given);
  if (given.db !== undefined && (!Number.isInteger(given.db) || given.db < 0)) {
    throw new HeartbeatOptionsError(HeartbeatMessages.invalidOption('redis.sentinel.db', 'a whole number from 0', given.db));
  }
  return Object.freeze({ ...given, nodes, name: given.name });
}

function redisCluster(value: HeartbeatRedisClusterOptions): Readonly<HeartbeatRedisClusterOptions> {
  const given = section('redis.cluster', value);
  const nodes = redisAddresses('redis.cluster.nodes', given.nodes, 6379);
  credentials('redis.cluster', given);
  return Object.freeze({ ...given, nodes });
}

/** At least one `{ host, port }`, copied. */
function redisAddresses(name: string, value: unknown, examplePort: number): RedisAddress[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every(isRedisAddress)) {
    throw new HeartbeatOptionsError(HeartbeatMessages.invalidOption(name, `a list of at least one { host, port } such as [{ host: "10.0.0.5", port: ${examplePort} }]`, value));
  }
  return value.map(({ host, port }) => ({ host, port }));
}

function credentials(section: string, given: { username?: unknown; password?: unknown; sentinelPassword?: unknown }): void {
  for (const key of ['username', 'password', 'sentinelPassword'] as const) {
    if (given[key] !== undefined && typeof given[key] !== 'string') throw new HeartbeatOptionsError(HeartbeatMessages.invalidOption(`${section}.${key}`, 'a string', given[key]));
  }
}

function isRedisAddress(value: unknown): value is RedisAddress {
  if (typeof value !== 'object' || value === null) return false;
  const { host, port } = value as Partial<RedisAddress>;
  return typeof host === 'string' && host !== '' && Number.isInteger(port) && (port as number) > 0 && (port as number) < 65_536;
}

function redisUrl(value: unknown): string {
  if (value === undefined) return DEFAULT_REDIS.url;
  const expected = 'a redis:// or rediss:// URL such as redis://127.0.0.1:6379';
  if (typeof value !== 'string' || !URL.canParse(value) || !['redis:', 'rediss:'].includes(new URL(value).protocol)) {
    throw new HeartbeatOptionsError(HeartbeatMessages.invalidOption('redis.url', expected, value));
  }
  return value;
}

/** Printable, no spaces, and no braces: the keys' hash tags (redis-keys.ts) must be the first braces in them. */
function keyPrefix(value: unknown): string {
  const prefix = text('redis.keyPrefix', value, DEFAULT_REDIS.keyPrefix);
  if (/[{}]/.test(prefix)) throw new HeartbeatOptionsError(HeartbeatMessages.invalidOption('redis.keyPrefix', '1 to 100 printable ASCII characters without spaces or braces', value));
  return prefix;
}

/** A name that ends up in Redis keys: printable, no spaces. */
function text(name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,100}$/.test(value)) {
    throw new HeartbeatOptionsError(HeartbeatMessages.invalidOption(name, '1 to 100 printable ASCII characters without spaces', value));
  }
  return value;
}

function path(value: unknown): string {
  if (value === undefined) return DEFAULT_WS_PATH;
  if (typeof value !== 'string' || !/^\/[\w\-./~%]*$/.test(value)) {
    throw new HeartbeatOptionsError(HeartbeatMessages.invalidOption('path', 'a URL path starting with "/"', value));
  }
  return value;
}

function optionalFunction<F>(name: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new HeartbeatOptionsError(HeartbeatMessages.invalidOption(name, 'a function', value));
  }
  return value;
}

function authorize(value: HeartbeatModuleOptions['authorize']): ResolvedHeartbeatOptions['authorize'] {
  if (value === undefined || typeof value === 'function') return value;
  const compiled = compileTopicRules(value);
  if (typeof compiled === 'string') throw new HeartbeatOptionsError(compiled);
  return compiled;
}

/** An option that names topics: a list of patterns (core/topic-pattern.ts), each checked here, at start-up. */
function topicPatterns(name: string, value: unknown): readonly TopicPattern[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new HeartbeatOptionsError(HeartbeatMessages.invalidOption(name, 'an array of topic patterns such as ["rooms.*"]', value));
  }
  return value.map((source: unknown, index) => {
    const pattern = TopicPattern.parse(source);
    if (typeof pattern === 'string') throw new HeartbeatOptionsError(HeartbeatMessages.invalidTopicPattern(`${name}[${index}]`, pattern));
    return pattern;
  });
}

function origins(value: HeartbeatModuleOptions['allowedOrigins']): ResolvedHeartbeatOptions['allowedOrigins'] {
  if (value === undefined) return undefined;
  if (typeof value === 'function') return value;
  if (!Array.isArray(value) || value.some((origin) => typeof origin !== 'string')) {
    throw new HeartbeatOptionsError(
      HeartbeatMessages.invalidOption('allowedOrigins', 'an array of origin strings or a function', value),
    );
  }
  const allowed = new Set(value);
  return (origin) => origin !== undefined && allowed.has(origin);
}
