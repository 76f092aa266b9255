import { Logger } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { BehaviorSubject, type Observable, Subject } from 'rxjs';
import type { Clock } from '../clock.js';
import { HeartbeatMessages } from '../core/heartbeat.messages.js';
import type { RedisConnection, ResolvedRedisOptions } from '../core/heartbeat-options.interface.js';
import { RedisKeys } from './redis-keys.js';
import { withinMs } from './within-ms.js';
import {
  APPEND_SCRIPT,
  PRESENCE_ADD_SCRIPT,
  PRESENCE_REFRESH_SCRIPT,
  PRESENCE_REMOVE_SCRIPT,
  PRESENCE_SYNC_SCRIPT,
  READ_SCRIPT,
  SESSION_CLAIM_SCRIPT,
  SESSION_KEEP_SCRIPT,
  SESSION_RELEASE_SCRIPT,
  SESSION_REMEMBER_SCRIPT,
} from './redis-scripts.js';

/** Where the link to Redis stands; `/health` and `/metrics` report it. */
export interface RedisLinkState {
  /** Both connections (commands and Pub/Sub) are ready. */
  up: boolean;
  /** Since when (epoch ms) the link has been in its current state. */
  since: number;
  /** Times the link went down after having been up. */
  outages: number;
  /** Why it last went down, for logs and health checks. */
  lastError: string | undefined;
}

/** A connection to Redis: one server (standalone, behind Sentinel) or a Redis Cluster; both take the same commands. */
type RedisClient = Redis | Cluster;

/** The scripts of redis-scripts.ts, as ioredis defines them on a client. */
interface HeartbeatScripts {
  heartbeatAppend(...args: (string | number)[]): Promise<[number, string]>;
  heartbeatRead(...args: (string | number)[]): Promise<[string, number, [string, string[]][]]>;
  heartbeatPresenceAdd(...args: (string | number)[]): Promise<number>;
  heartbeatPresenceRemove(...args: (string | number)[]): Promise<number>;
  heartbeatPresenceSync(...args: (string | number)[]): Promise<number>;
  heartbeatPresenceRefresh(...args: (string | number)[]): Promise<number>;
  heartbeatSessionKeep(...args: (string | number)[]): Promise<1 | [node: string, connection: string]>;
  heartbeatSessionClaim(...args: (string | number)[]): Promise<[string, string?, string?] | null>;
  heartbeatSessionRelease(...args: (string | number)[]): Promise<number>;
  heartbeatSessionRemember(...args: (string | number)[]): Promise<number>;
}

export const REDIS_HEALTH_INTERVAL = 'heartbeat:redis-health';

/**
 * Reconnect delays: 100 ms doubling to `maxMs`, each with up to 50% jitter so that nodes do not
 * retry in step. 5 s for one Redis server, which is back when it is back; 1 s behind Sentinel, whose
 * sentinels name the promoted replica as soon as they chose it: with 5 s the nodes found it about 2 s
 * after the promotion (redis-failover.redis.spec.ts).
 */
export const REDIS_RETRY_MAX_MS = 5_000;
/** A Redis Cluster's commands to a shard that fails over: retried every 200 ms for 20 s. */
export const CLUSTER_RETRY_DELAY_MS = 200;
export const CLUSTER_MAX_RETRIES = 100;
export const SENTINEL_RETRY_MAX_MS = 1_000;

export function redisRetryDelay(attempt: number, random: () => number = Math.random, maxMs = REDIS_RETRY_MAX_MS): number {
  const base = Math.min(100 * 2 ** Math.max(attempt - 1, 0), maxMs);
  return Math.round(base * (1 + random() / 2));
}

/**
 * The two connections of a node to Redis — one for commands, one for Pub/Sub (a subscribed
 * connection can run nothing else) — and their health. ioredis reconnects with backoff and resends
 * commands whose answer was lost; a PING every `healthCheckInterval` catches a Redis that went
 * silent without closing the socket, which TCP alone notices only after minutes.
 */
export class RedisLink {
  readonly keys: RedisKeys;
  private readonly logger = new Logger('HeartbeatRedis');
  private readonly stateSubject: BehaviorSubject<RedisLinkState>;
  private readonly messages = new Subject<{ channel: string; message: string }>();
  private readonly ready = new Subject<void>();
  private commandClient: (RedisClient & HeartbeatScripts) | undefined;
  private subscriberClient: RedisClient | undefined;
  private stopped = false;
  private checking = false;
  /**
   * Each client whose socket connected and is not ready yet (ioredis's `connect` status): since when
   * Redis has sent nothing on it, and how many bytes it had read then.
   */
  private readonly handshaking = new Map<RedisClient, { quietSince: number; bytesRead: number }>();
  private connectedOnce = false;
  /** Why the first connection failed, each logged once. */
  private readonly unreachableReasons = new Set<string>();

  constructor(
    readonly options: ResolvedRedisOptions,
    private readonly scheduler: SchedulerRegistry,
    private readonly clock: Clock,
  ) {
    this.keys = new RedisKeys(options.keyPrefix);
    this.stateSubject = new BehaviorSubject<RedisLinkState>({ up: false, since: clock.now(), outages: 0, lastError: undefined });
  }

  get state(): RedisLinkState {
    return this.stateSubject.value;
  }

  /** Every Pub/Sub message on the channels this node listens to. */
  get messages$(): Observable<{ channel: string; message: string }> {
    return this.messages.asObservable();
  }

  /** Each time the link is up again (also the first time): listeners catch up on what they missed. */
  get ready$(): Observable<void> {
    return this.ready.asObservable();
  }

  get commands(): RedisClient & HeartbeatScripts {
    if (!this.commandClient) throw new Error(HeartbeatMessages.redisNotStarted());
    return this.commandClient;
  }

  /** Creates both connections. Resolves at once: a node starts serving even while Redis is away. */
  async start(): Promise<void> {
    const ioredis = await loadIoredis();
    const options: RedisOptions = {
      lazyConnect: true,
      // Wait for Redis as long as it takes: the node's own pending-publish bound decides when to give up.
      maxRetriesPerRequest: null,
      retryStrategy: (attempt) =>
        this.stopped ? null : redisRetryDelay(attempt, Math.random, this.options.connection.kind === 'sentinel' ? SENTINEL_RETRY_MAX_MS : REDIS_RETRY_MAX_MS),
      keepAlive: 10_000,
      // A connect that hangs (Redis silent) must give up about as fast as a silent PING does.
      connectTimeout: this.connectTimeoutMs,
      // A Redis that loads its data set answers the ready check's INFO with loading:1, and ioredis asks
      // again after the load's estimated time (up to 10 s). Asked every half connectTimeout at most,
      // it is heard from often enough not to be taken for silent (checkHandshake, single servers;
      // a Cluster's shards are simply back sooner). The check stays on whatever an application's
      // client said: without it a loading Redis would look ready and refuse every command.
      enableReadyCheck: true,
      maxLoadingRetryTime: Math.floor(this.connectTimeoutMs / 2),
      connectionName: `heartbeat:${this.options.nodeId}`,
      reconnectOnError: (error) => this.onReplyError(error),
    };
    const commands = createClient(ioredis, this.options.connection, options) as RedisClient & HeartbeatScripts;
    commands.defineCommand('heartbeatAppend', { numberOfKeys: 3, lua: APPEND_SCRIPT });
    commands.defineCommand('heartbeatRead', { numberOfKeys: 2, lua: READ_SCRIPT });
    commands.defineCommand('heartbeatPresenceAdd', { numberOfKeys: 1, lua: PRESENCE_ADD_SCRIPT });
    commands.defineCommand('heartbeatPresenceRemove', { numberOfKeys: 1, lua: PRESENCE_REMOVE_SCRIPT });
    commands.defineCommand('heartbeatPresenceSync', { numberOfKeys: 1, lua: PRESENCE_SYNC_SCRIPT });
    commands.defineCommand('heartbeatPresenceRefresh', { numberOfKeys: 1, lua: PRESENCE_REFRESH_SCRIPT });
    commands.defineCommand('heartbeatSessionKeep', { numberOfKeys: 2, lua: SESSION_KEEP_SCRIPT });
    commands.defineCommand('heartbeatSessionClaim', { numberOfKeys: 2, lua: SESSION_CLAIM_SCRIPT });
    commands.defineCommand('heartbeatSessionRelease', { numberOfKeys: 2, lua: SESSION_RELEASE_SCRIPT });
    commands.defineCommand('heartbeatSessionRemember', { numberOfKeys: 2, lua: SESSION_REMEMBER_SCRIPT });
    const subscriber = createClient(ioredis, this.options.connection, options);
    this.commandClient = commands;
    this.subscriberClient = subscriber;
    for (const client of [commands, subscriber]) {
      client.on('connect', () => this.handshaking.set(client, { quietSince: this.clock.now(), bytesRead: socketOf(client)?.bytesRead ?? 0 }));
      client.on('ready', () => {
        this.handshaking.delete(client);
        this.updateState();
      });
      client.on('close', () => {
        this.handshaking.delete(client);
        this.updateState();
      });
      client.on('error', (error: Error) => this.recordError(error));
    }
    // Topics' channels are sharded on a Redis Cluster (listenToTopic): their messages come as `smessage`.
    for (const event of ['message', 'smessage']) subscriber.on(event, (channel: string, message: string) => this.messages.next({ channel, message }));
    this.scheduler.addInterval(
      REDIS_HEALTH_INTERVAL,
      setInterval(() => void this.checkHealth(), this.options.healthCheckInterval),
    );
    // connect() rejects while Redis is away, but retryStrategy keeps trying: the error is in the log.
    commands.connect().catch(() => undefined);
    subscriber.connect().catch(() => undefined);
  }

  /** Subscribes the Pub/Sub connection to channels; ioredis subscribes again by itself after a reconnect. */
  async listen(...channels: string[]): Promise<void> {
    await this.subscriberClient?.subscribe(...channels);
  }

  /**
   * Subscribes to a topic's events channel: on a Redis Cluster with sharded Pub/Sub (SSUBSCRIBE, on
   * the topic's shard only, which SPUBLISH reaches), elsewhere as `listen` does.
   */
  async listenToTopic(channel: string): Promise<void> {
    if (this.sharded) await this.subscriberClient?.ssubscribe(channel);
    else await this.listen(channel);
  }

  /** Whether topics' events go over sharded Pub/Sub: on a Redis Cluster. */
  get sharded(): boolean {
    const { connection } = this.options;
    return connection.kind === 'cluster' || (connection.kind === 'client' && connection.client.isCluster === true);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.scheduler.doesExist('interval', REDIS_HEALTH_INTERVAL)) this.scheduler.deleteInterval(REDIS_HEALTH_INTERVAL);
    await Promise.all(
      [this.commandClient, this.subscriberClient].map(async (client) => {
        if (!client) return;
        // QUIT waits for the answers still due; a link that is down has nothing to wait for.
        if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
        else client.disconnect();
      }),
    );
    this.updateState();
    this.messages.complete();
    this.ready.complete();
    this.stateSubject.complete();
  }

  private updateState(): void {
    const up = !this.stopped && this.commandClient?.status === 'ready' && this.subscriberClient?.status === 'ready';
    const previous = this.stateSubject.value;
    if (up === previous.up) return;
    const now = this.clock.now();
    if (up) {
      this.connectedOnce = true;
      this.logger.log(HeartbeatMessages.logRedisUp(this.options.nodeId, previous.outages > 0 ? now - previous.since : undefined));
      this.stateSubject.next({ ...previous, up, since: now });
      this.ready.next();
    } else {
      if (!this.stopped) this.logger.warn(HeartbeatMessages.logRedisDown(previous.lastError));
      this.stateSubject.next({ ...previous, up, since: now, outages: previous.outages + (this.stopped ? 0 : 1) });
    }
  }

  /**
   * A write answered READONLY: behind Sentinel, a primary demoted by a failover answers so until
   * the sentinels' news arrives, so reconnect (to the new primary) and send the command again.
   * Anywhere else the node was given a replica, and reconnecting would only reach it again: the
   * command fails with the error, and the node says what to do.
   */
  private onReplyError(error: Error): 2 | false {
    if (!error.message.startsWith('READONLY')) return false;
    if (this.followsSentinels) return 2;
    this.recordError(new Error(HeartbeatMessages.redisReadOnly(error.message)));
    return false;
  }

  /** Whether the node's Redis is found through sentinels (`sentinel`, or a `client` made for Sentinel). */
  private get followsSentinels(): boolean {
    const { connection } = this.options;
    if (connection.kind === 'sentinel') return true;
    // The copy of a client keeps its options: sentinels among them.
    return connection.kind === 'client' && ((this.commandClient as Redis | undefined)?.options.sentinels?.length ?? 0) > 0;
  }

  private recordError(error: Error): void {
    const message = describeRedisError(error);
    if (message === this.stateSubject.value.lastError) return;
    this.stateSubject.next({ ...this.stateSubject.value, lastError: message });
    // Before the first connection no outage is logged (there was no link to lose): say why, once per reason.
    if (this.connectedOnce || this.stopped || this.unreachableReasons.has(message)) return;
    this.unreachableReasons.add(message);
    this.logger.warn(HeartbeatMessages.logRedisUnreachable(message));
  }

  /** How long a connect may take, and then how long Redis may send nothing on a connection that is not ready yet. */
  private get connectTimeoutMs(): number {
    return Math.max(2 * this.options.healthCheckInterval, 1_000);
  }

  /**
   * A PING that gets no answer within an interval means a silent Redis: drop the socket it went out
   * on, and ioredis reconnects as after any closed socket. Only that socket: if it closed meanwhile,
   * the client is already reconnecting, and dropping its new connection would cost an attempt, or
   * worse, `disconnect(true)` while a connect is starting leaves an ioredis client closed for good
   * with its queued commands rejected (redis-link.redis.spec.ts).
   */
  private async checkHealth(): Promise<void> {
    if (this.checking || this.stopped) return;
    this.checking = true;
    try {
      await Promise.all(
        [this.commandClient, this.subscriberClient].map(async (client) => {
          if (client?.status === 'connect') return this.checkHandshake(client);
          if (client?.status !== 'ready') return;
          const socket = socketOf(client);
          const answer = await withinMs(client.ping().catch(() => 'error'), this.options.healthCheckInterval);
          if (answer !== 'timeout' || this.stopped) return;
          this.recordError(new Error(HeartbeatMessages.redisSilent(this.options.healthCheckInterval)));
          // A Redis Cluster client follows its shards itself: a failed primary's slots move to its
          // replica, and the sharded subscriptions with them. Reconnecting it whole loses those
          // subscriptions (redis-failover.redis.spec.ts), so only a single server is reconnected.
          if (!this.sharded && socket !== undefined && socketOf(client) === socket) socket.destroy();
        }),
      );
    } finally {
      this.checking = false;
    }
  }

  /**
   * A socket that connected and on which Redis then sent nothing for `connectTimeout` (it went
   * silent between the two): ioredis's own timeout ended with the connect, and without this the link
   * would wait for TCP to give up, minutes, not following a Sentinel failover meanwhile. A Redis that
   * answers, but is not ready (loading its data set, which can take minutes), is waited for.
   */
  private checkHandshake(client: RedisClient): void {
    const handshake = this.handshaking.get(client);
    if (handshake === undefined || this.sharded) return;
    const now = this.clock.now();
    const bytesRead = socketOf(client)?.bytesRead ?? 0;
    if (bytesRead > handshake.bytesRead) {
      handshake.quietSince = now;
      handshake.bytesRead = bytesRead;
      return;
    }
    if (now - handshake.quietSince <= this.connectTimeoutMs) return;
    this.handshaking.delete(client);
    this.recordError(new Error(HeartbeatMessages.redisHandshakeSilent(this.connectTimeoutMs)));
    socketOf(client)?.destroy();
  }
}

/** The socket of a single server's client; a Redis Cluster client has none of its own. */
function socketOf(client: RedisClient): Redis['stream'] | undefined {
  return (client as Partial<Redis>).stream;
}

/**
 * A connection to the Redis the options name (docs/scaling.md#turning-it-on): `options`
 * (Heartbeat's reconnect and timeout settings) over the application's own for a `client`; for a
 * cluster, the same settings for each of its server connections.
 */
function createClient(ioredis: Ioredis, connection: RedisConnection, options: RedisOptions): RedisClient {
  switch (connection.kind) {
    case 'url':
      return new ioredis.Redis(connection.url, options);
    case 'sentinel': {
      const { nodes, name, username, password, sentinelPassword, db } = connection.sentinel;
      return new ioredis.Redis({ ...options, sentinels: nodes.map(({ host, port }) => ({ host, port })), name, username, password, sentinelPassword, db });
    }
    case 'cluster': {
      const { nodes, username, password } = connection.cluster;
      return new ioredis.Cluster(
        nodes.map(({ host, port }) => ({ host, port })),
        clusterOptions(options, { username, password }),
      );
    }
    case 'client': {
      // ioredis's own keyPrefix would rename the scripts' keys but not the channels they publish on.
      const { client } = connection;
      if (!client.isCluster) return (client as unknown as Redis).duplicate({ ...options, keyPrefix: '' });
      const own = (client as unknown as Cluster).options.redisOptions;
      return (client as unknown as Cluster).duplicate([], { ...clusterOptions(options, own), keyPrefix: '' });
    }
  }
}

/**
 * A cluster client's options: Heartbeat's reconnect and timeout settings for each of its server
 * connections (over `servers`: the credentials, or an application's client's own settings).
 */
function clusterOptions(options: RedisOptions, servers: RedisOptions = {}): ClusterOptions {
  const { lazyConnect, retryStrategy, ...serverOptions } = options;
  return {
    lazyConnect,
    clusterRetryStrategy: (attempt) => retryStrategy?.(attempt) ?? null,
    // A command to a failed primary's slots is retried every 200 ms, up to 100 times: long
    // enough for its replica to take over (about cluster-node-timeout, 15 s by default), after
    // which a publish is rejected to its caller rather than waiting without end.
    retryDelayOnFailover: CLUSTER_RETRY_DELAY_MS,
    retryDelayOnClusterDown: CLUSTER_RETRY_DELAY_MS,
    retryDelayOnTryAgain: CLUSTER_RETRY_DELAY_MS,
    maxRedirections: CLUSTER_MAX_RETRIES,
    redisOptions: { ...servers, ...serverOptions, keyPrefix: '' },
    // SSUBSCRIBE on the connection of the channel's shard (listenToTopic).
    shardedSubscribers: true,
  };
}

/**
 * What went wrong, for `lastError` and the logs. A Redis Cluster client reports only that it could not
 * read the slots; the server's own answer is on the error, and one answer means the wrong kind of Redis.
 */
export function describeRedisError(error: Error & { lastNodeError?: Error }): string {
  const message = error.message || error.name;
  const cause = error.lastNodeError?.message;
  if (!cause) return message;
  if (cause.includes('cluster support disabled')) return HeartbeatMessages.redisNotACluster(cause);
  return `${message} (${cause})`;
}

/** The two client classes of ioredis, loaded only in Redis mode (an optional peer dependency). */
interface Ioredis {
  Redis: typeof import('ioredis').Redis;
  Cluster: typeof import('ioredis').Cluster;
}

async function loadIoredis(): Promise<Ioredis> {
  try {
    const { Redis, Cluster } = await import('ioredis');
    return { Redis, Cluster };
  } catch (error) {
    throw new Error(HeartbeatMessages.ioredisMissing(), { cause: error });
  }
}
