import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './monitor-server-process.js';
import { eventually } from './spec-timing.js';

/** Debian's redis-server (on PATH; `.ci/run` installs it), or REDIS_SERVER. Sentinels are the same binary with `--sentinel`. */
export const REDIS_SERVER = process.env['REDIS_SERVER'] ?? 'redis-server';

/** Where a server of a topology listens. */
export interface TopologyAddress {
  host: string;
  port: number;
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

  static async start(role: string, args: readonly string[], port: number): Promise<RedisProcess> {
    const child = spawn(REDIS_SERVER, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new RedisProcess(role, port, child);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) =>
        reject(new Error(`Could not start ${REDIS_SERVER} for the ${role} (${error.message}): install it with apt-get install -y redis-server, or set REDIS_SERVER.`)),
      );
    });
    try {
      await eventually(() => server.answers(), `the ${role} on port ${port} to answer PING`, 10_000);
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

  private async answers(): Promise<boolean> {
    if (this.exited) throw new Error(`it exited\n${this.output}`);
    const client = new Redis({ host: '127.0.0.1', port: this.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  }
}

/** What a data server runs with: no persistence (tests start empty), loopback only. */
function dataServerArgs(port: number, extra: readonly string[] = []): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra];
}

/**
 * A primary, one replica and three sentinels watching the primary as `name`, each a redis-server
 * process on a free loopback port, started by the test itself (docs/scaling.md#tests). Sentinels
 * take the primary for down after `downAfterMs` of silence and promote the replica; `killPrimary()`
 * causes exactly that.
 */
export class RedisSentinelTopology {
  static readonly NAME = 'heartbeat-primary';

  private constructor(
    private readonly directory: string,
    private readonly servers: RedisProcess[],
    private readonly sentinelProcesses: RedisProcess[],
  ) {}

  /** Starts the five servers; resolves once the sentinels know the primary and its replica. */
  static async start(options: { downAfterMs?: number } = {}): Promise<RedisSentinelTopology> {
    const downAfterMs = options.downAfterMs ?? 1_000;
    const directory = mkdtempSync(join(tmpdir(), 'hb-sentinel-'));
    const started: RedisProcess[] = [];
    const sentinels: RedisProcess[] = [];
    const topology = new RedisSentinelTopology(directory, started, sentinels);
    try {
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
      return topology;
    } catch (error) {
      await topology.stop();
      throw error;
    }
  }

  /** The sentinels' addresses, as `redis.sentinel.nodes` takes them. */
  get sentinels(): TopologyAddress[] {
    return this.sentinelProcesses.map((sentinel) => ({ host: '127.0.0.1', port: sentinel.port }));
  }

  /** The primary according to the first sentinel that answers. */
  async primary(): Promise<TopologyAddress> {
    for (const sentinel of this.sentinelProcesses.filter((process) => process.running)) {
      const client = new Redis({ host: '127.0.0.1', port: sentinel.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => undefined);
      try {
        await client.connect();
        const [host, port] = (await client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', RedisSentinelTopology.NAME)) as [string, string];
        return { host, port: Number(port) };
      } catch {
        // The next sentinel.
      } finally {
        client.disconnect();
      }
    }
    throw new Error('No sentinel answered.');
  }

  /**
   * Kills the current primary (SIGKILL) and resolves with the new one once the sentinels promoted
   * it and it accepts writes.
   */
  async killPrimary(): Promise<TopologyAddress> {
    const before = await this.primary();
    const server = this.servers.find((process) => process.port === before.port && process.running);
    if (!server) throw new Error(`The primary on port ${before.port} is not one of this topology's running servers.`);
    server.kill();
    await server.stopped();
    return eventually(
      async () => {
        const now = await this.primary();
        return now.port !== before.port && (await this.isWritablePrimary(now)) ? now : undefined;
      },
      'the sentinels to promote the replica',
      30_000,
    );
  }

  /** Kills every server, sentinels first, and removes the configuration files. Safe twice. */
  async stop(): Promise<void> {
    for (const server of [...this.sentinelProcesses, ...this.servers]) server.kill();
    await Promise.all([...this.sentinelProcesses, ...this.servers].map((server) => server.stopped()));
    rmSync(this.directory, { recursive: true, force: true });
  }

  private async replicasKnown(): Promise<boolean> {
    const client = new Redis({ host: '127.0.0.1', port: this.sentinelProcesses[0].port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const replicas = (await client.call('SENTINEL', 'REPLICAS', RedisSentinelTopology.NAME)) as unknown[];
      const sentinels = (await client.call('SENTINEL', 'SENTINELS', RedisSentinelTopology.NAME)) as unknown[];
      return replicas.length === 1 && sentinels.length === 2;
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  }

  private async isWritablePrimary(address: TopologyAddress): Promise<boolean> {
    const client = new Redis({ ...address, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const [role] = (await client.call('ROLE')) as [string];
      return role === 'master';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  }
}
