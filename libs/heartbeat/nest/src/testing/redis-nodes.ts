import { BlackholeProxy, deleteRedisKeys, eventually, redisTestPrefix, TEST_REDIS_URL, TestClient } from '@heartbeat/testing';
import type { HeartbeatModuleOptions, HeartbeatRedisOptions } from '../lib/core/heartbeat-options.interface.js';
import { type TestApp, startTestApp } from './test-app.js';

/** Which Redis a node connects to: a URL, a Sentinel setup, a Cluster or a client. */
type RedisConnection = Pick<HeartbeatRedisOptions, 'url' | 'sentinel' | 'cluster' | 'client'>;

/**
 * Nodes of one cluster for a Redis spec: real Nest applications on the test Redis under a key
 * prefix of their own, optionally behind a proxy that can make Redis go silent, and the clients
 * opened on them. `close()` stops everything and deletes the prefix's keys.
 */
export class RedisNodes {
  readonly prefix: string;
  private readonly apps: TestApp[] = [];
  private readonly clients: TestClient[] = [];
  private readonly proxies: BlackholeProxy[] = [];

  constructor(
    name: string,
    private readonly redis: Omit<HeartbeatRedisOptions, 'url' | 'keyPrefix'> = {},
  ) {
    this.prefix = redisTestPrefix(name);
  }

  /** Starts a node and waits until it is connected to Redis. */
  node(options: HeartbeatModuleOptions = {}, redisUrl = TEST_REDIS_URL): Promise<TestApp> {
    return this.nodeOn({ url: redisUrl }, options);
  }

  /** Starts a node on the Redis `connection` names (a URL, a Sentinel setup or a client) and waits until it is connected (`upWithinMs`). */
  async nodeOn(connection: RedisConnection, options: HeartbeatModuleOptions = {}, upWithinMs = 3_000): Promise<TestApp> {
    const app = await this.startNode(connection, options);
    await this.untilUp(app, upWithinMs);
    return app;
  }

  /** Starts a node on the Redis `connection` names without waiting for it to connect, for a spec that watches it try. */
  async startNode(connection: RedisConnection, options: HeartbeatModuleOptions = {}): Promise<TestApp> {
    const app = await startTestApp({
      pingInterval: 5_000,
      heartbeatTimeout: 20_000,
      ...options,
      redis: { healthCheckInterval: 200, statsInterval: 200, ...this.redis, ...(options.redis as HeartbeatRedisOptions), ...connection, keyPrefix: this.prefix },
    });
    this.apps.push(app);
    return app;
  }

  /** Waits until `app` is connected to Redis. */
  async untilUp(app: TestApp, withinMs: number): Promise<void> {
    await eventually(() => app.service.getClusterStatus().redis?.up === true, 'the node to connect to Redis', withinMs);
  }

  /** A node whose Redis traffic goes through a proxy that can go silent (`blackhole()`) and come back (`restore()`). */
  async nodeBehindProxy(options: HeartbeatModuleOptions = {}): Promise<{ app: TestApp; proxy: BlackholeProxy }> {
    const redis = new URL(TEST_REDIS_URL);
    const proxy = await BlackholeProxy.start(Number(redis.port || 6379), redis.hostname);
    this.proxies.push(proxy);
    return { app: await this.node(options, `redis://127.0.0.1:${proxy.port}`), proxy };
  }

  /** Opens a client on `app` with `token`, if any (closed by `close()`). */
  async client(app: TestApp, token?: string): Promise<TestClient> {
    const { client } = await TestClient.open(app.url, token);
    this.clients.push(client);
    return client;
  }

  /** Stops a node before the end of the test (a clean shutdown). */
  async stop(app: TestApp): Promise<void> {
    this.apps.splice(this.apps.indexOf(app), 1);
    await app.close();
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.close()));
    await Promise.all(this.apps.map((app) => app.close()));
    await Promise.all(this.proxies.map((proxy) => proxy.close()));
    await deleteRedisKeys(this.prefix);
  }
}
