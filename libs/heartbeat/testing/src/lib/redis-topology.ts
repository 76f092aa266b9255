import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './monitor-server-process.js';
import { eventually } from './spec-timing.js';

/** Debian's redis-server (on PATH; `.ci/run` installs it), or REDIS_SERVER. Sentinels are the same binary with `--sentinel`. */
export const REDIS_SERVER = process.env['REDIS_SERVER'] ?? 'redis-server';
/** Debian's redis-cli (redis-tools), which creates a cluster from its servers. */
export const REDIS_CLI = process.env['REDIS_CLI'] ?? 'redis-cli';

/** Where a server of a topology listens. */
export interface TopologyAddress {
  host: string;
  port: number;
}

/**
 * Runs `ask` on a short-lived connection to the server on `port` (no retries: a server that does not
 * answer is an answer); `otherwise` when it cannot connect or `ask` fails.
 */
async function askServer<T>(port: number, ask: (client: Redis) => Promise<T>, otherwise: T): Promise<T> {
  // No ready check: a server that loads its data answers INFO, and the caller decides what that means.
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500, enableReadyCheck: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await ask(client);
  } catch {
    return otherwise;
  } finally {
    client.disconnect();
  }
}

/** Whether the server on `port` is a primary (ROLE master), which takes writes. */
function isWritablePrimary(port: number): Promise<boolean> {
  return askServer(port, async (client) => ((await client.call('ROLE')) as [string])[0] === 'master', false);
}

/** One redis-server process of a topology: started, watched, and killed or stopped by it. */
class RedisProcess {
  private exited = false;
  private output = '';

  private constructor(
    readonly role: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      // The tail is enough to say why a server did not start.
      this.output = (this.output + chunk.toString()).slice(-4_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', () => {
      this.exited = true;
    });
  }

  /** Starts the server; resolves once `ready` (by default: it answers PING with PONG). */
  static async start(role: string, args: readonly string[], port: number, ready: (port: number) => Promise<boolean> = answersPing): Promise<RedisProcess> {
    const child = spawn(REDIS_SERVER, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new RedisProcess(role, port, child);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) =>
        reject(new Error(`Could not start ${REDIS_SERVER} for the ${role} (${error.message}): install it with apt-get install -y redis-server, or set REDIS_SERVER.`)),
      );
    });
    try {
      await eventually(() => server.answers(ready), `the ${role} on port ${port} to answer`, 10_000);
    } catch (error) {
      server.kill();
      throw new Error(`The ${role} on port ${port} did not start: ${(error as Error).message}\n${server.output}`);
    }
    return server;
  }

  get running(): boolean {
    return !this.exited;
  }

  /** SIGKILL: the server stops at once, as a crashed machine would, without telling anyone. */
  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  async stopped(): Promise<void> {
    if (this.exited) return;
    await new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
  }

  private async answers(ready: (port: number) => Promise<boolean>): Promise<boolean> {
    if (this.exited) throw new Error(`it exited\n${this.output}`);
    return ready(this.port);
  }
}

function answersPing(port: number): Promise<boolean> {
  return askServer(port, async (client) => (await client.ping()) === 'PONG', false);
}

/** Whether the server on `port` is loading its data set (INFO's `loading:1`). */
function isLoading(port: number): Promise<boolean> {
  return askServer(port, async (client) => /^loading:1\r?$/m.test(await client.info('persistence')), false);
}

/** What a data server runs with: no persistence (tests start empty), loopback only. */
function dataServerArgs(port: number, extra: readonly string[] = []): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra];
}

/** What a topology owns: its redis-server processes and the folder of their files. */
abstract class RedisTopology {
  protected constructor(protected readonly directory: string) {}

  /** Every process of the topology, in the order they are killed. */
  protected abstract get processes(): readonly RedisProcess[];

  /** Kills every process and removes their files. Safe twice. */
  async stop(): Promise<void> {
    for (const server of this.processes) server.kill();
    await Promise.all(this.processes.map((server) => server.stopped()));
    rmSync(this.directory, { recursive: true, force: true });
  }

  /**
   * Kills the primary on `port` (SIGKILL) and resolves with its successor once `successor` names it
   * (it answers undefined until then).
   */
  protected async killPrimaryOn(port: number, successor: () => Promise<TopologyAddress | undefined>, what: string): Promise<TopologyAddress> {
    const server = this.processes.find((process) => process.port === port && process.running);
    if (!server) throw new Error(`The primary on port ${port} is not one of this topology's running servers.`);
    server.kill();
    await server.stopped();
    return eventually(successor, what, 30_000);
  }

  /** Runs `ready` (starting the processes, waiting for them); when it fails, stops what it started and throws. */
  protected static async readied<T extends RedisTopology>(topology: T, ready: () => Promise<void>): Promise<T> {
    try {
      await ready();
      return topology;
    } catch (error) {
      await topology.stop();
      throw error;
    }
  }
}

/**
 * A primary, one replica and three sentinels watching the primary as `name`, each a redis-server
 * process on a free loopback port, started by the test itself (docs/scaling.md#tests). Sentinels
 * take the primary for down after `downAfterMs` of silence and promote the replica; `killPrimary()`
 * causes exactly that.
 */
export class RedisSentinelTopology extends RedisTopology {
  static readonly NAME = 'heartbeat-primary';

  private constructor(
    directory: string,
    private readonly servers: RedisProcess[],
    private readonly sentinelProcesses: RedisProcess[],
  ) {
    super(directory);
  }

  /** Sentinels first: none sees the primary die and starts a failover while the topology stops. */
  protected get processes(): readonly RedisProcess[] {
    return [...this.sentinelProcesses, ...this.servers];
  }

  /** Starts the five servers; resolves once the sentinels know the primary and its replica. */
  static async start(options: { downAfterMs?: number } = {}): Promise<RedisSentinelTopology> {
    const downAfterMs = options.downAfterMs ?? 1_000;
    const directory = mkdtempSync(join(tmpdir(), 'hb-sentinel-'));
    const started: RedisProcess[] = [];
    const sentinels: RedisProcess[] = [];
    const topology = new RedisSentinelTopology(directory, started, sentinels);
    return RedisTopology.readied(topology, async () => {
      const primaryPort = await freePort();
      started.push(await RedisProcess.start('primary', dataServerArgs(primaryPort), primaryPort));
      const replicaPort = await freePort();
      started.push(await RedisProcess.start('replica', dataServerArgs(replicaPort, ['--replicaof', '127.0.0.1', String(primaryPort)]), replicaPort));
      for (let i = 0; i < 3; i++) {
        const port = await freePort();
        // A sentinel rewrites its configuration file as it learns the topology: each gets its own.
        const file = join(directory, `sentinel-${i}.conf`);
        writeFileSync(
          file,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${directory}`,
            `sentinel monitor ${RedisSentinelTopology.NAME} 127.0.0.1 ${primaryPort} 2`,
            `sentinel down-after-milliseconds ${RedisSentinelTopology.NAME} ${downAfterMs}`,
            `sentinel failover-timeout ${RedisSentinelTopology.NAME} 10000`,
            `sentinel parallel-syncs ${RedisSentinelTopology.NAME} 1`,
            '',
          ].join('\n'),
        );
        sentinels.push(await RedisProcess.start(`sentinel ${i + 1}`, [file, '--sentinel'], port));
      }
      await eventually(
        async () => (await topology.replicasKnown()) && (await topology.primary()).port === primaryPort,
        'the sentinels to know the primary and its replica',
        20_000,
      );
    });
  }

  /** The sentinels' addresses, as `redis.sentinel.nodes` takes them. */
  get sentinels(): TopologyAddress[] {
    return this.sentinelProcesses.map((sentinel) => ({ host: '127.0.0.1', port: sentinel.port }));
  }

  /** The primary according to the first sentinel that answers. */
  async primary(): Promise<TopologyAddress> {
    for (const sentinel of this.sentinelProcesses.filter((process) => process.running)) {
      const primary = await askServer(
        sentinel.port,
        async (client) => {
          const [host, port] = (await client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', RedisSentinelTopology.NAME)) as [string, string];
          return { host, port: Number(port) };
        },
        undefined,
      );
      if (primary) return primary;
    }
    throw new Error('No sentinel answered.');
  }

  /** The data servers that are replicas now (ROLE slave). */
  async replicas(): Promise<TopologyAddress[]> {
    const roles = await Promise.all(
      this.servers.filter((server) => server.running).map(async (server) => ({ port: server.port, primary: await isWritablePrimary(server.port) })),
    );
    return roles.filter((role) => !role.primary).map(({ port }) => ({ host: '127.0.0.1', port }));
  }

  /**
   * Kills the current primary (SIGKILL) and resolves with the new one once the sentinels promoted
   * it and it accepts writes.
   */
  async killPrimary(): Promise<TopologyAddress> {
    const before = await this.primary();
    return this.killPrimaryOn(
      before.port,
      async () => {
        const now = await this.primary();
        return now.port !== before.port && (await isWritablePrimary(now.port)) ? now : undefined;
      },
      'the sentinels to promote the replica',
    );
  }

  private replicasKnown(): Promise<boolean> {
    return askServer(
      this.sentinelProcesses[0].port,
      async (client) => {
        const replicas = (await client.call('SENTINEL', 'REPLICAS', RedisSentinelTopology.NAME)) as unknown[];
        const sentinels = (await client.call('SENTINEL', 'SENTINELS', RedisSentinelTopology.NAME)) as unknown[];
        return replicas.length === 1 && sentinels.length === 2;
      },
      false,
    );
  }
}

/**
 * A Redis Cluster of `shards` primaries (no replicas), each a redis-server process on a free
 * loopback port with a configuration of its own, joined by `redis-cli --cluster create` and ready
 * once every server reports `cluster_state:ok` (docs/scaling.md#tests).
 */
export class RedisClusterTopology extends RedisTopology {
  private constructor(
    directory: string,
    private readonly servers: RedisProcess[],
  ) {
    super(directory);
  }

  protected get processes(): readonly RedisProcess[] {
    return this.servers;
  }

  /**
   * `shards` primaries, each with `replicas` replicas (redis-cli places them on other servers than
   * their primary's). A shard's replica takes over `--cluster-node-timeout` (2 s) after its primary
   * went silent, as `killPrimaryOf()` makes it. Resolves once every shard is ok and every replica in sync.
   */
  static async start(shards = 3, options: { replicas?: number } = {}): Promise<RedisClusterTopology> {
    const replicas = options.replicas ?? 0;
    const directory = mkdtempSync(join(tmpdir(), 'hb-cluster-'));
    const servers: RedisProcess[] = [];
    const topology = new RedisClusterTopology(directory, servers);
    return RedisTopology.readied(topology, async () => {
      for (let i = 0; i < shards * (1 + replicas); i++) {
        const port = await freePort();
        const args = dataServerArgs(port, ['--cluster-enabled', 'yes', '--cluster-config-file', join(directory, `nodes-${port}.conf`), '--cluster-node-timeout', '2000', '--dir', directory]);
        servers.push(await RedisProcess.start(`cluster server ${i + 1}`, args, port));
      }
      const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
      await promisify(execFile)(REDIS_CLI, ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'], { timeout: 30_000 }).catch((error: Error) => {
        throw new Error(`redis-cli --cluster create ${addresses.join(' ')} failed (${error.message}): install redis-tools, or set REDIS_CLI.`);
      });
      await eventually(async () => (await Promise.all(servers.map((server) => topology.clusterOk(server.port)))).every(Boolean), 'the cluster to be ok on every server', 20_000);
      await eventually(() => topology.replicasInSync(), 'every replica to be in sync with its primary', 20_000);
    });
  }

  /** The servers' addresses, as `redis.cluster.nodes` takes them. */
  get nodes(): TopologyAddress[] {
    return this.servers.map((server) => ({ host: '127.0.0.1', port: server.port }));
  }

  /** The primary that holds `key`'s slot, according to the first running server that answers. */
  async primaryOf(key: string): Promise<TopologyAddress> {
    for (const server of this.servers.filter((process) => process.running)) {
      const port = await askServer(
        server.port,
        async (client) => {
          const slot = Number(await client.call('CLUSTER', 'KEYSLOT', key));
          const ranges = (await client.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
          return ranges.find(([from, to]) => slot >= from && slot <= to)?.[2][1];
        },
        undefined,
      );
      if (port !== undefined) return { host: '127.0.0.1', port };
    }
    throw new Error('No server of the cluster answered.');
  }

  /**
   * Kills the primary of `key`'s shard (SIGKILL) and resolves with the replica that took over, once
   * every running server agrees on it, it accepts writes and the cluster is ok again.
   */
  async killPrimaryOf(key: string): Promise<TopologyAddress> {
    const before = await this.primaryOf(key);
    return this.killPrimaryOn(
      before.port,
      async () => {
        const now = await this.primaryOf(key);
        if (now.port === before.port || !(await isWritablePrimary(now.port))) return undefined;
        const running = this.servers.filter((process) => process.running);
        return (await Promise.all(running.map((process) => this.clusterOk(process.port)))).every(Boolean) ? now : undefined;
      },
      `a replica to take over the shard of "${key}"`,
    );
  }

  private clusterOk(port: number): Promise<boolean> {
    return askServer(port, async (client) => String(await client.call('CLUSTER', 'INFO')).includes('cluster_state:ok'), false);
  }

  private async replicasInSync(): Promise<boolean> {
    const states = await Promise.all(
      this.servers.map((server) =>
        askServer(
          server.port,
          async (client) => {
            const info = await client.info('replication');
            return info.includes('role:master') || info.includes('master_link_status:up');
          },
          false,
        ),
      ),
    );
    return states.every(Boolean);
  }
}

/**
 * One redis-server that takes seconds to load its data set when it starts, as a Redis restarted with
 * a large RDB file does: until the data is in memory it accepts connections, answers INFO with
 * `loading:1` and most other commands (PING, reads, writes) with a LOADING error
 * (docs/scaling.md#when-redis-goes-away).
 * redis-server's `key-load-delay` slows the load of each key; `loading-process-events-interval-bytes`
 * at its minimum makes the server answer while it loads instead of only after.
 */
export class RedisLoadingServer extends RedisTopology {
  private server: RedisProcess | undefined;

  private constructor(
    directory: string,
    readonly port: number,
  ) {
    super(directory);
  }

  protected get processes(): readonly RedisProcess[] {
    return this.server ? [this.server] : [];
  }

  /** Writes an RDB file of `keys` keys (DEBUG POPULATE, SAVE) with a server on a free port, and stops it. `load()` starts it on that file. */
  static async create(keys: number): Promise<RedisLoadingServer> {
    const directory = mkdtempSync(join(tmpdir(), 'hb-loading-'));
    const topology = new RedisLoadingServer(directory, await freePort());
    return RedisTopology.readied(topology, async () => {
      const writer = await RedisProcess.start('data writer', dataServerArgs(topology.port, ['--dir', directory, '--enable-debug-command', 'yes']), topology.port);
      topology.server = writer;
      const saved = await askServer(
        topology.port,
        async (client) => {
          await client.call('DEBUG', 'POPULATE', String(keys));
          return (await client.call('SAVE')) === 'OK';
        },
        false,
      );
      if (!saved) throw new Error(`The data writer on port ${topology.port} did not write its ${keys} keys to an RDB file.`);
      writer.kill();
      await writer.stopped();
    });
  }

  /** Starts the server on the RDB file, each key taking `microsPerKey` µs to load; resolves once it says it is loading. */
  async load(microsPerKey: number): Promise<void> {
    if (this.server?.running) throw new Error(`The server on port ${this.port} is running already: load() starts it, once.`);
    const args = dataServerArgs(this.port, ['--dir', this.directory, '--key-load-delay', String(microsPerKey), '--loading-process-events-interval-bytes', '1024']);
    this.server = await RedisProcess.start('loading server', args, this.port, isLoading);
  }

  /** Whether the server is still loading its data set. */
  loading(): Promise<boolean> {
    return isLoading(this.port);
  }
}
