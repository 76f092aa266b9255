import { DEFAULT_DRAIN_WINDOW_MS, DEFAULT_WS_PATH, SERVER_HEARTBEAT_DEFAULTS } from '@heartbeat/protocol';
import type { LogLevel } from '@nestjs/common';
import { randomBytes } from 'node:crypto';

/**
 * One entry of `CLIENT_TOKENS`: `user:token` names the user the token's connections belong to; a bare
 * `token` is anonymous (docs/server.md#environment-variables).
 */
export interface ClientToken {
  readonly token: string;
  /** undefined: an anonymous token. */
  readonly userId: string | undefined;
}

/** The monitor server's settings, read once from the environment (see `loadMonitorConfig`). */
export class MonitorConfig {
  constructor(
    readonly port: number,
    readonly host: string,
    readonly wsPath: string,
    readonly pingInterval: number,
    readonly heartbeatInterval: number,
    readonly heartbeatTimeout: number,
    readonly maxMissedPings: number,
    /** Tokens accepted in `hello` and `auth`, with the user each belongs to. */
    readonly clientTokens: readonly ClientToken[],
    /** Bearer token of the admin API. */
    readonly adminToken: string,
    /** Simulated moderation alerts per second on topic `alerts`; 0 turns the simulator off. */
    readonly alertRate: number,
    /** Redis mode when set (`REDIS_URL`, `REDIS_SENTINELS` and `REDIS_SENTINEL_NAME`, or `REDIS_CLUSTER_NODES`): every monitor server on that Redis serves the same topics. */
    readonly redis: MonitorRedis | undefined,
    readonly logLevels: LogLevel[],
    /** Names of the settings that were generated because the environment left them unset. */
    readonly generated: readonly ('CLIENT_TOKENS' | 'ADMIN_TOKEN')[],
    /** Folder of the built dashboard served at `/`. */
    readonly dashboardDir: string | undefined,
    /** SIGTERM/SIGINT close the connections with 1012 spread over this many ms (`DRAIN_WINDOW_MS`). */
    readonly drainWindow: number,
    /** Open sockets per remote IP address (`MAX_CONNECTIONS_PER_ADDRESS`); undefined = unlimited. */
    readonly maxConnectionsPerAddress: number | undefined,
    /** Client frames per connection and second, and the burst (`RATE_LIMIT_PER_SECOND`, `RATE_LIMIT_BURST`); false = off. */
    readonly rateLimit: { messagesPerSecond: number; burst: number } | false,
    /** How long an accepted client token lasts, in ms (`CLIENT_TOKEN_TTL_MS`); undefined: it does not expire. */
    readonly clientTokenTtl: number | undefined,
    /** Prefix of the keys and channels in Redis (`REDIS_KEY_PREFIX`); undefined: the module's `heartbeat:`. */
    readonly redisKeyPrefix: string | undefined,
    /** This process's name in cluster stats (`NODE_ID`); undefined: host name, pid and a random part. */
    readonly nodeId: string | undefined,
    /** Events kept per topic for resume, and for how long (`REPLAY_MAX_EVENTS`, `REPLAY_MAX_AGE_MS`); undefined: the module's defaults. */
    readonly replay: { maxEvents?: number; maxAgeMs?: number },
    /** Topic patterns every client may read besides `alerts` and `alerts.acks` (`PUBLIC_TOPICS`); see monitorTopicRules. */
    readonly publicTopics: readonly string[] = [],
    /** Topics one connection may hold (`MAX_TOPICS_PER_CONNECTION`); undefined: the module's 1000. */
    readonly maxTopicsPerConnection: number | undefined = undefined,
  ) {}
}

/**
 * Generous: dashboards behind one office NAT share an address. 0 in the environment lifts it (tests
 * and load generators with thousands of loopback clients).
 */
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 1_000;
const DEFAULT_RATE_LIMIT = { messagesPerSecond: 100, burst: 200 };

/** Thrown when an environment variable has an unusable value; the message names it and the fix. */
export class MonitorConfigError extends Error {
  override readonly name = 'MonitorConfigError';
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Reads the environment variables of docs/server.md#environment-variables; unset tokens are
 * generated (and reported in `generated`).
 */
export function loadMonitorConfig(env: NodeJS.ProcessEnv = process.env, dashboardDir?: string): MonitorConfig {
  const generated: ('CLIENT_TOKENS' | 'ADMIN_TOKEN')[] = [];
  const tokens = clientTokens(env.CLIENT_TOKENS);
  if (tokens.length === 0) {
    tokens.push({ token: generateToken(), userId: undefined });
    generated.push('CLIENT_TOKENS');
  }
  let adminToken = env.ADMIN_TOKEN?.trim();
  if (!adminToken) {
    adminToken = generateToken();
    generated.push('ADMIN_TOKEN');
  }
  return new MonitorConfig(
    integer(env, 'PORT', 3000, 0, 65_535),
    env.HOST?.trim() || '0.0.0.0',
    wsPath(env.WS_PATH),
    integer(env, 'HEARTBEAT_PING_INTERVAL_MS', SERVER_HEARTBEAT_DEFAULTS.pingInterval, 1),
    integer(env, 'HEARTBEAT_INTERVAL_MS', SERVER_HEARTBEAT_DEFAULTS.heartbeatInterval, 1),
    integer(env, 'HEARTBEAT_TIMEOUT_MS', SERVER_HEARTBEAT_DEFAULTS.heartbeatTimeout, 1),
    integer(env, 'HEARTBEAT_MAX_MISSED_PINGS', SERVER_HEARTBEAT_DEFAULTS.maxMissedPings, 1),
    tokens,
    adminToken,
    rate(env.ALERT_RATE),
    monitorRedis(env),
    logLevels(env.LOG_LEVEL),
    generated,
    dashboardDir,
    integer(env, 'DRAIN_WINDOW_MS', DEFAULT_DRAIN_WINDOW_MS, 0, 2 ** 31 - 1),
    integer(env, 'MAX_CONNECTIONS_PER_ADDRESS', DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, 0) || undefined,
    rateLimit(env),
    env.CLIENT_TOKEN_TTL_MS?.trim() ? integer(env, 'CLIENT_TOKEN_TTL_MS', 0, 1) : undefined,
    env.REDIS_KEY_PREFIX?.trim() || undefined,
    env.NODE_ID?.trim() || undefined,
    {
      maxEvents: env.REPLAY_MAX_EVENTS?.trim() ? integer(env, 'REPLAY_MAX_EVENTS', 0, 0) : undefined,
      maxAgeMs: env.REPLAY_MAX_AGE_MS?.trim() ? integer(env, 'REPLAY_MAX_AGE_MS', 0, 0) : undefined,
    },
    (env.PUBLIC_TOPICS ?? '').split(',').map((topic) => topic.trim()).filter(Boolean),
    env.MAX_TOPICS_PER_CONNECTION?.trim() ? integer(env, 'MAX_TOPICS_PER_CONNECTION', 0, 1) : undefined,
  );
}

type RedisAddresses = readonly { host: string; port: number }[];

/** The Redis of Redis mode: a standalone server, a primary watched by Sentinel, or a Redis Cluster (docs/scaling.md#turning-it-on). */
export type MonitorRedis =
  | { readonly url: string }
  | { readonly sentinel: { readonly nodes: RedisAddresses; readonly name: string; readonly password?: string } }
  | { readonly cluster: { readonly nodes: RedisAddresses; readonly password?: string } };

/**
 * `REDIS_URL`; or `REDIS_SENTINELS` (comma-separated host:port) with `REDIS_SENTINEL_NAME`; or
 * `REDIS_CLUSTER_NODES` (comma-separated host:port); with either of the last two, `REDIS_PASSWORD`
 * if the Redis servers need one. None: memory mode.
 */
function monitorRedis(env: NodeJS.ProcessEnv): MonitorRedis | undefined {
  const given = (['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const).filter((name) => env[name]?.trim());
  if (given.length > 1) {
    throw new MonitorConfigError(
      `${given.join(' and ')} are all set: set one of REDIS_URL (a standalone Redis), REDIS_SENTINELS with REDIS_SENTINEL_NAME (a primary watched by Sentinel) or REDIS_CLUSTER_NODES (a Redis Cluster).`,
    );
  }
  const password = env.REDIS_PASSWORD || undefined;
  const auth = password ? { password } : {};
  switch (given[0]) {
    case undefined:
      return undefined;
    case 'REDIS_URL':
      return { url: (env.REDIS_URL as string).trim() };
    case 'REDIS_CLUSTER_NODES':
      return { cluster: { nodes: redisAddresses(env, 'REDIS_CLUSTER_NODES', 'server', '10.0.0.5:6379'), ...auth } };
    case 'REDIS_SENTINELS': {
      const name = env.REDIS_SENTINEL_NAME?.trim();
      if (!name) {
        throw new MonitorConfigError('REDIS_SENTINELS is set but REDIS_SENTINEL_NAME is not: set it to the name the sentinels watch the primary under (sentinel monitor <name> …).');
      }
      return { sentinel: { nodes: redisAddresses(env, 'REDIS_SENTINELS', 'sentinel', '10.0.0.5:26379'), name, ...auth } };
    }
  }
}

/** Comma-separated host:port entries (an IPv6 host in brackets). */
function redisAddresses(env: NodeJS.ProcessEnv, name: string, what: string, example: string): RedisAddresses {
  return (env[name] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const colon = entry.lastIndexOf(':');
      const host = colon > 0 ? entry.slice(0, colon).replace(/^\[(.*)\]$/, '$1') : '';
      const port = Number(entry.slice(colon + 1));
      if (!host || !Number.isInteger(port) || port < 1 || port > 65_535) {
        throw new MonitorConfigError(`${name} has the entry "${entry}": write each ${what} as host:port, such as ${example}, separated by commas.`);
      }
      return { host, port };
    });
}

/** What a user id of `CLIENT_TOKENS` may be made of: the characters of a topic name, since it names the user's topics. */
const USER_ID = /^[A-Za-z0-9._@=+-]{1,64}$/;

/**
 * `CLIENT_TOKENS`: comma-separated `user:token` or bare `token` entries. A token is everything after
 * the first colon, so it may itself hold colons; each token may appear once, since one token cannot
 * belong to two users.
 */
function clientTokens(raw: string | undefined): ClientToken[] {
  const tokens: ClientToken[] = [];
  for (const entry of (raw ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    const colon = entry.indexOf(':');
    const userId = colon < 0 ? undefined : entry.slice(0, colon).trim();
    const token = colon < 0 ? entry : entry.slice(colon + 1).trim();
    if (userId === '') {
      throw new MonitorConfigError(`CLIENT_TOKENS has the entry "${entry}" with an empty user before its colon. Write user:token, or the token alone for an anonymous client.`);
    }
    if (userId !== undefined && !USER_ID.test(userId)) {
      throw new MonitorConfigError(
        `CLIENT_TOKENS names the user "${userId}": a user id is 1 to 64 ASCII letters, digits and . _ - @ = +. Rename the user in its user:token entry.`,
      );
    }
    if (token === '') {
      throw new MonitorConfigError(`CLIENT_TOKENS has the entry "${entry}" with an empty token after its colon. Write user:token.`);
    }
    if (tokens.some((known) => known.token === token)) {
      throw new MonitorConfigError(`CLIENT_TOKENS lists the same token twice (in "${entry}"): give each client its own token.`);
    }
    tokens.push({ token, userId });
  }
  return tokens;
}

/** RATE_LIMIT_PER_SECOND=0 turns the per-connection rate limit off. */
function rateLimit(env: NodeJS.ProcessEnv): MonitorConfig['rateLimit'] {
  const messagesPerSecond = integer(env, 'RATE_LIMIT_PER_SECOND', DEFAULT_RATE_LIMIT.messagesPerSecond, 0);
  const burst = integer(env, 'RATE_LIMIT_BURST', DEFAULT_RATE_LIMIT.burst, 1);
  return messagesPerSecond === 0 ? false : { messagesPerSecond, burst };
}

function generateToken(): string {
  return randomBytes(18).toString('base64url');
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new MonitorConfigError(`${name} must be a whole number from ${min} to ${max}, but is "${raw}". Fix or unset it.`);
  }
  return value;
}

function rate(raw: string | undefined): number {
  if (!raw?.trim()) return 2;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 10_000) {
    throw new MonitorConfigError(`ALERT_RATE must be a number of alerts per second from 0 to 10000, but is "${raw}". Fix or unset it.`);
  }
  return value;
}

function wsPath(raw: string | undefined): string {
  const path = raw?.trim() || DEFAULT_WS_PATH;
  if (!path.startsWith('/')) {
    throw new MonitorConfigError(`WS_PATH must start with "/", but is "${path}". Use for example /ws.`);
  }
  return path;
}

function logLevels(raw: string | undefined): LogLevel[] {
  const level = (raw?.trim() || 'log') as LogLevel;
  const index = LOG_LEVELS.indexOf(level);
  if (index < 0) {
    throw new MonitorConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, but is "${raw}".`);
  }
  return LOG_LEVELS.slice(0, index + 1);
}
