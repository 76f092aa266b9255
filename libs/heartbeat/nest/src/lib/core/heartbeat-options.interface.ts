import type { IncomingMessage } from 'node:http';
import type { HeartbeatIdentity } from './heartbeat-identity.js';
import type { TopicPattern } from './topic-pattern.js';

/** What `verifyToken` learns about the connection that presents a token. */
export interface HeartbeatAuthContext {
  connectionId: string;
  remoteAddress: string;
  /** The frame that carries the token: `hello` opens the connection, `auth` renews an open one's token. */
  frame: 'hello' | 'auth';
  /**
   * The HTTP upgrade request (headers, URL, socket) on `hello`; undefined on `auth`. The server lets
   * go of it once the handshake's token check is done (it would otherwise hold about 1.2 KiB per
   * connection): read what a renewal needs from it on `hello`, keyed by `connectionId`.
   */
  request: IncomingMessage | undefined;
}

/**
 * The answer of `verifyToken` (docs/server.md#identity): `true` accepts the token for as long as
 * the connection lasts, for an anonymous connection; `false` refuses it. An object accepts it:
 * until `expiresAt` (epoch ms; absent: no expiry), for the user `userId` names (a non-empty string
 * of at most 128 characters; absent: anonymous) with its `claims` (a plain object, for `authorize`).
 * It must name `expiresAt` or `userId`.
 */
export type TokenVerdict = boolean | { expiresAt?: number; userId?: string; claims?: Record<string, unknown> };

/** What a topic is asked for: `subscribe` to read it, `publish` to send a `message` (or `request`) on it. */
export type TopicAction = 'subscribe' | 'publish';

/**
 * Who may do what on a topic, as code: true allows it. Asked for every `subscribe` (and each topic of
 * `hello.positions`), every client `message` or `request` that names a topic, and again for every
 * topic of a connection whose `auth` brought a fresh token. Throwing (or rejecting) refuses the topic
 * with `internal_error` and is logged.
 */
export type AuthorizeTopic = (identity: HeartbeatIdentity | undefined, topic: string, action: TopicAction) => boolean | Promise<boolean>;

/** Who a {@link TopicRule} allows: everybody, every connection with a user, or users with a claim. */
export type TopicRuleAllow =
  | 'anyone'
  | 'authenticated'
  /**
   * A connection with a user whose `claims[claim]` is present (no `equals`), equals `equals`, or equals
   * one of `equals` when it is an array. A claim that is itself an array matches when it includes the value.
   */
  | { claim: string; equals?: unknown };

/** One rule of the declarative `authorize` form (docs/server.md#topic-authorization). */
export interface TopicRule {
  /** A topic pattern: `*` stands for one whole dot-separated segment, `{userId}` for the connection's own user id. */
  topic: string;
  /** The actions it allows. Default `['subscribe']`. */
  actions?: readonly TopicAction[];
  allow: TopicRuleAllow;
}

/**
 * Decides whether a `hello` (or `auth`) token is acceptable. Resolve `false` to close with 4001;
 * resolve `{ expiresAt }` to accept a token that expires: the connection is closed with 4001 then,
 * unless an `auth` frame with an accepted token arrived before.
 * Throwing is treated as a server-side failure: the connection closes with 1011 and the error is logged.
 */
export type VerifyToken = (token: string | undefined, context: HeartbeatAuthContext) => TokenVerdict | Promise<TokenVerdict>;

export interface HeartbeatReplayOptions {
  /** Events kept per topic for resume. Default 1000. */
  maxEvents?: number;
  /** Events older than this are not replayed, in ms. Default 300000 (5 min). */
  maxAgeMs?: number;
}

export interface HeartbeatRateLimitOptions {
  /** Frames a connection may send per second, sustained (a fraction is allowed). Default 100. */
  messagesPerSecond?: number;
  /** Frames a connection may send at once after being quiet. Default 200. */
  burst?: number;
}

/** Where a Redis server or a Sentinel listens. */
export interface RedisAddress {
  host: string;
  port: number;
}

/**
 * Redis behind Sentinel (docs/scaling.md#sentinel): the node asks the sentinels for the primary they
 * watch under `name`, and follows the replica they promote when it fails.
 */
export interface HeartbeatRedisSentinelOptions {
  /** The sentinels (at least one; the node asks them in turn). */
  nodes: readonly RedisAddress[];
  /** The name the sentinels watch the primary under (`sentinel monitor <name> …`). */
  name: string;
  /** ACL user and password of the Redis servers, if they need them. */
  username?: string;
  password?: string;
  /** Password of the sentinels, if they need one. */
  sentinelPassword?: string;
  /** Database number. Default 0. */
  db?: number;
}

/**
 * A Redis Cluster (docs/scaling.md#redis-cluster): the node learns the shards from any of `nodes`
 * and follows the cluster as it changes. Each topic lives on one shard, its live events go over
 * sharded Pub/Sub (Redis 7).
 */
export interface HeartbeatRedisClusterOptions {
  /** Some of the cluster's servers (at least one; the rest are found from them). */
  nodes: readonly RedisAddress[];
  /** ACL user and password of the servers, if they need them. */
  username?: string;
  password?: string;
}

/**
 * An ioredis `Redis` or `Cluster` client of the application's, as `redis.client` takes it: the node
 * makes its own two connections from it with `duplicate()` and leaves it as it is.
 */
export interface IoredisClient {
  // Redis#duplicate(options) and Cluster#duplicate(startupNodes, options).
  duplicate(...override: never[]): unknown;
  /** ioredis marks its Cluster clients. */
  readonly isCluster?: boolean;
}

/**
 * Redis mode: several server processes share topics (sequence numbers, replay buffers, live events),
 * cluster-wide stats and admin disconnects through Redis. Needs the `ioredis` package. The Redis is
 * one of `url` (a standalone server), `sentinel` (a primary watched by Sentinel), `cluster` (a Redis
 * Cluster) or `client`.
 */
export interface HeartbeatRedisOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. Default `redis://127.0.0.1:6379` when no other way is given. */
  url?: string;
  /** A primary watched by Sentinel, followed through failovers. */
  sentinel?: HeartbeatRedisSentinelOptions;
  /** A Redis Cluster: topics spread over its shards. */
  cluster?: HeartbeatRedisClusterOptions;
  /** An ioredis `Redis` or `Cluster` client to copy (`duplicate()`): for options Heartbeat does not list (TLS, a custom `sentinels` setup, …). */
  client?: IoredisClient;
  /** Prefix of every key and channel, so that several services (or tests) share one Redis. Default `heartbeat:`. */
  keyPrefix?: string;
  /** This process's name in cluster stats. Default: host name, process id and a random suffix. */
  nodeId?: string;
  /** How often each node writes its stats report to Redis, in ms. Default 2000. */
  statsInterval?: number;
  /** A node whose report is older than this is marked stale and left out of the totals, in ms. Default 3 × statsInterval. */
  staleAfter?: number;
  /** How long a node waits for other nodes to answer a stats or disconnect request, in ms. Default 1000. */
  requestTimeout?: number;
  /** Each node PINGs Redis this often and reconnects when no answer came within the same time, in ms. Default 1000. */
  healthCheckInterval?: number;
  /** Publishes held while Redis is unreachable; beyond this `publish` rejects at once. Default 10000. */
  maxPendingPublishes?: number;
}

/** Options of `HeartbeatModule.forRoot()` / `forRootAsync()`. Times are in milliseconds. */
export interface HeartbeatModuleOptions {
  /** URL path of the WebSocket endpoint on the application's HTTP server. Default `/ws`. */
  path?: string;
  /** The server pings each connection this often, spread across the interval. Default 25000. */
  pingInterval?: number;
  /** Period of the sweep that closes connections silent for `heartbeatTimeout`. Default 30000. */
  heartbeatInterval?: number;
  /** A connection without any inbound frame for this long is dead. Default 90000. */
  heartbeatTimeout?: number;
  /** A connection that leaves this many pings in a row unanswered is dead. Default 3. */
  maxMissedPings?: number;
  /** A socket must complete `hello` within this time, else close 4008. Default 10000. */
  handshakeTimeout?: number;
  /** Largest accepted frame in bytes; larger frames close the connection with 1009. Default 65536. */
  maxPayload?: number;
  /** Invalid frames tolerated per connection (each answered with `error`) before close 4400. Default 5. */
  maxProtocolViolations?: number;
  /** Replay buffer bounds for resume. */
  replay?: HeartbeatReplayOptions;
  /**
   * How long a session is kept after its connection closed, so that a `hello` with its `session_id`
   * resumes it (`welcome.resumed: true`), in ms. 0: sessions end with their connection.
   * Default: `replay.maxAgeMs` (a session is worth resuming as long as its missed events are).
   */
  sessionTtl?: number;
  /** Sessions kept for resume after their connection closed; the oldest is forgotten first. Default 10000. */
  maxRetainedSessions?: number;
  /**
   * `message` ids remembered per session (across its reconnects): a `message` whose `id` is among
   * them is acknowledged again but not delivered to `messages$` again. 0: no deduplication. Default 1000.
   */
  messageDedupeWindow?: number;
  /**
   * Graceful shutdown: when the application closes, connection i of n is closed with 1012 at
   * i × drainWindow / n, in ms, so that clients do not all reconnect at once. 0 closes all at once.
   * Default 10000.
   */
  drainWindow?: number;
  /**
   * Send-buffer high-water mark per connection, in bytes: when a frame is about to be written while
   * more than this is still waiting to go out (`ws.bufferedAmount`), the frame is dropped and the
   * connection closed with 4009 (slow consumer). Default 1048576 (1 MiB).
   */
  maxBufferedBytes?: number;
  /**
   * Per-connection token bucket over every client frame (invalid ones included); a connection that
   * exceeds it is closed with 4429 and a retry hint. `false` turns it off.
   * Default `{ messagesPerSecond: 100, burst: 200 }`.
   */
  rateLimit?: HeartbeatRateLimitOptions | false;
  /**
   * Topics one connection may hold, server-side joins included (docs/server.md#topics-per-connection):
   * a `subscribe`, or a topic of `hello`, beyond it is answered `error {code: "too_many_topics"}`
   * and the connection stays open. Server-side joins are never refused. Default 1000.
   */
  maxTopicsPerConnection?: number;
  /**
   * Open sockets allowed per remote IP address (handshake included); one more is closed with 1013
   * and a retry hint. Absent: unlimited. Behind a reverse proxy every client shares its address.
   */
  maxConnectionsPerAddress?: number;
  /** Token check for `hello`; when absent every client is accepted. */
  verifyToken?: VerifyToken;
  /**
   * Who may subscribe to or publish on which topic (docs/server.md#topic-authorization): a function,
   * or a list of rules (an action on a topic is allowed when some rule allows it; none matching
   * refuses it). Absent: every valid topic name is allowed. Either way, a user topic `<topic>#<user>`
   * is only ever open to that user.
   */
  authorize?: AuthorizeTopic | readonly TopicRule[];
  /**
   * Redis mode (a URL or options): topics, replay buffers, stats and admin disconnects span every
   * server process that uses the same Redis and key prefix. Absent: one process, all in memory.
   */
  redis?: string | HeartbeatRedisOptions;
  /**
   * Accepted `Origin` headers: a list of exact origins, or a predicate. Upgrades from other origins
   * are refused with HTTP 403. Absent: every origin (and clients that send none) is accepted.
   */
  allowedOrigins?: readonly string[] | ((origin: string | undefined) => boolean);
  /**
   * Topics that keep presence (docs/server.md#presence), as topic patterns: `*` stands for one
   * segment, `{userId}` for the connection's own user (`['rooms.*', 'user.{userId}']`). Their
   * identified subscribers are members; a `subscribe` with `presence: true` gets the members and
   * their joins and leaves. Absent: no topic keeps presence.
   */
  presence?: readonly string[];
}

/** The options after defaults were applied and every value validated. */
export interface ResolvedHeartbeatOptions {
  path: string;
  pingInterval: number;
  heartbeatInterval: number;
  heartbeatTimeout: number;
  maxMissedPings: number;
  handshakeTimeout: number;
  maxPayload: number;
  maxProtocolViolations: number;
  replay: Required<HeartbeatReplayOptions>;
  sessionTtl: number;
  maxRetainedSessions: number;
  messageDedupeWindow: number;
  drainWindow: number;
  maxBufferedBytes: number;
  rateLimit: Required<HeartbeatRateLimitOptions> | false;
  maxTopicsPerConnection: number;
  maxConnectionsPerAddress: number | undefined;
  verifyToken: VerifyToken | undefined;
  /** The rules compiled into a function; undefined: everything allowed. */
  authorize: AuthorizeTopic | undefined;
  redis: ResolvedRedisOptions | undefined;
  allowedOrigins: ((origin: string | undefined) => boolean) | undefined;
  presence: readonly TopicPattern[];
}

/** Which Redis a node uses: exactly one of the three ways of naming it. */
export type RedisConnection =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'sentinel'; readonly sentinel: Readonly<HeartbeatRedisSentinelOptions> }
  | { readonly kind: 'cluster'; readonly cluster: Readonly<HeartbeatRedisClusterOptions> }
  | { readonly kind: 'client'; readonly client: IoredisClient };

export interface ResolvedRedisOptions extends Required<Omit<HeartbeatRedisOptions, 'url' | 'sentinel' | 'cluster' | 'client'>> {
  connection: RedisConnection;
}
