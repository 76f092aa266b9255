/** One of the benchmark's servers as a child process that can be killed and started again on its port. */
import { fileURLToPath } from 'node:url';
import { ChildChannel, type ChildExit } from '@heartbeat/testing/child-channel';
import type { BenchServerApi, BenchServerKind, BenchServerReady } from '../servers/bench-server-api.js';

export const BENCH_CLIENT_TOKEN = 'bench-client';
/** The topic the benchmark's clients read; the monitor server lets every client read it through PUBLIC_TOPICS. */
export const BENCH_TOPIC = 'bench';

const ENTRIES: Readonly<Record<BenchServerKind, string>> = {
  monitor: 'monitor-server.js',
  ws: 'ws-server.js',
  socketio: 'socketio-server.js',
};

/** A monitor server's place in a cluster on Redis: REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), REDIS_KEY_PREFIX, NODE_ID. */
export type RedisNode = {
  keyPrefix: string;
  nodeId: string;
} & ({ url: string } | { clusterNodes: string });

export interface BenchServerSettings {
  kind: BenchServerKind;
  port: number;
  /** Undefined: each server's own default heartbeat, as an application gets it. */
  pingIntervalMs?: number;
  /** Monitor server only: Redis mode, as this node. */
  redis?: RedisNode;
  /** Runs the server's node under this program (valgrind), with these options of its own. */
  wrapper?: { execPath: string; args: string[] };
  /** How long the server may take to listen; 30 s by default. */
  readyTimeoutMs?: number;
}

/**
 * The monitor server's variables: its ping every `pingIntervalMs`, a peer dead after 3 missed pings,
 * the sweep as often as the pings and a silence timeout of 10 intervals (without `pingIntervalMs`:
 * the server's defaults of docs/server.md); the alert simulator off;
 * the per-address limit left at its default (the load spreads over source addresses instead); with
 * `redis`, the cluster it joins.
 */
export function monitorEnv(port: number, pingIntervalMs: number | undefined, redis?: RedisNode): Record<string, string> {
  return {
    // Empty: memory mode, even where the benchmark's own environment names a Redis.
    ...(redis
      ? { ...('url' in redis ? { REDIS_URL: redis.url } : { REDIS_URL: '', REDIS_CLUSTER_NODES: redis.clusterNodes }), REDIS_KEY_PREFIX: redis.keyPrefix, NODE_ID: redis.nodeId }
      : { REDIS_URL: '' }),
    PORT: String(port),
    HOST: '127.0.0.1',
    CLIENT_TOKENS: BENCH_CLIENT_TOKEN,
    // The monitor server refuses topics its rules do not name (docs/server.md#who-may-read-what).
    PUBLIC_TOPICS: BENCH_TOPIC,
    ADMIN_TOKEN: 'bench-admin',
    ALERT_RATE: '0',
    LOG_LEVEL: 'warn',
    ...(pingIntervalMs === undefined
      ? {}
      : {
          HEARTBEAT_PING_INTERVAL_MS: String(pingIntervalMs),
          HEARTBEAT_INTERVAL_MS: String(pingIntervalMs),
          HEARTBEAT_TIMEOUT_MS: String(10 * pingIntervalMs),
          HEARTBEAT_MAX_MISSED_PINGS: '3',
        }),
  };
}

export class BenchServer {
  private channel: ChildChannel<BenchServerApi> | null = null;

  private constructor(private readonly settings: BenchServerSettings) {}

  static async start(settings: BenchServerSettings): Promise<BenchServer> {
    const server = new BenchServer(settings);
    await server.restart();
    return server;
  }

  /** Where clients of this kind connect. */
  get url(): string {
    const { kind, port } = this.settings;
    if (kind === 'monitor') return `ws://127.0.0.1:${port}/ws`;
    return kind === 'ws' ? `ws://127.0.0.1:${port}/` : `http://127.0.0.1:${port}`;
  }

  /** The monitor server's Prometheus endpoint; null for the bare servers, which have none. */
  get metricsUrl(): string | null {
    return this.settings.kind === 'monitor' ? `http://127.0.0.1:${this.settings.port}/metrics` : null;
  }

  get running(): boolean {
    return this.channel?.running ?? false;
  }

  get api(): ChildChannel<BenchServerApi> {
    if (!this.channel?.running) throw new Error(`The ${this.settings.kind} server is not running.`);
    return this.channel;
  }

  /** The variables the server's process runs with: this process's, and the server's own over them. */
  get env(): NodeJS.ProcessEnv {
    return { ...process.env, ...this.ownEnv() };
  }

  /** Starts the process (again, on the same port); resolves once it listens. */
  async restart(): Promise<void> {
    const { kind, redis, wrapper, readyTimeoutMs } = this.settings;
    const { channel } = await ChildChannel.fork<BenchServerApi, BenchServerReady>(fileURLToPath(new URL(`../servers/${ENTRIES[kind]}`, import.meta.url)), {
      name: redis ? `${kind} server ${redis.nodeId}` : `${kind} server`,
      env: this.ownEnv(),
      // --expose-gc: memory is read after a full collection. --no-memory-reducer: V8 collects again
      // 8 s after a full collection and gives memory back, at a time of its choosing; after the
      // benchmark's own readings that landed in the idle CPU window (up to half of what a
      // 1,000-connection server spent there, the more the larger its heap) and between two memory
      // readings (tens of MB of RSS, more than 1,000 connections hold) — docs/benchmarks.md.
      execArgv: [...(wrapper ? [...wrapper.args, process.execPath] : []), '--expose-gc', '--no-memory-reducer', '--max-old-space-size=8192'],
      ...(wrapper ? { execPath: wrapper.execPath } : {}),
      ...(readyTimeoutMs === undefined ? {} : { readyTimeoutMs }),
    });
    this.channel = channel;
  }

  private ownEnv(): Record<string, string> {
    const { kind, port, pingIntervalMs, redis } = this.settings;
    return kind === 'monitor'
      ? monitorEnv(port, pingIntervalMs, redis)
      : { BENCH_PORT: String(port), ...(pingIntervalMs === undefined ? {} : { BENCH_PING_INTERVAL_MS: String(pingIntervalMs) }) };
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ChildExit | null> {
    return this.channel ? this.channel.kill(signal) : null;
  }
}
