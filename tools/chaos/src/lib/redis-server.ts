import { freePort } from '@heartbeat/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { waitFor } from './server.js';

const instances = new Set<RedisServerProcess>();

/**
 * A redis-server of the scenario's own, on a free loopback port, with no persistence: killed and
 * started again it comes back empty, as a Redis without RDB or AOF does after a crash. The shared
 * Redis of the machine (6379) is never touched.
 */
export class RedisServerProcess {
  private child: ChildProcess | null = null;
  private output = '';

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServerProcess> {
    const redis = new RedisServerProcess(await freePort());
    instances.add(redis);
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Starts it (again, empty) on its port; resolves once it answers PING. */
  async restart(): Promise<void> {
    if (this.child) throw new Error('This redis-server is still running; kill() it before restart().');
    this.output = '';
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const collect = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    if (!(await waitFor(() => this.child === child && ping(this.port), 10_000, 50))) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not answer PING on port ${this.port} within 10 s. Output:\n${this.output}`);
    }
  }

  /** Kills it (SIGKILL by default: no shutdown, nothing saved) and waits until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
    this.child = null;
  }

  /** Kills it for good: the scenario is over. */
  async stop(): Promise<void> {
    await this.kill();
    instances.delete(this);
  }
}

/** Kills every redis-server this run started (on SIGINT/SIGTERM of the run). */
export function killAllRedis(): void {
  for (const redis of instances) {
    const pid = redis.pid;
    if (pid === null) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** True when a Redis answers PING on the port within a second. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}
