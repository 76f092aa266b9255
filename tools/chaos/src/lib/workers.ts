import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerMessage, WorkerRequest, WorkerResult } from './ipc.js';

const WORKER = fileURLToPath(new URL('../worker.js', import.meta.url));

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** One worker process (worker.ts) and a request/reply channel to it over IPC. */
export class WorkerHandle {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited = false;
  private readonly exit: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    this.exit = new Promise((resolve) => child.once('exit', () => resolve()));
    child.on('message', (message: WorkerMessage) => {
      if (message.type !== 'reply') return;
      const pending = this.pending.get(message.rid);
      if (!pending) return;
      this.pending.delete(message.rid);
      clearTimeout(pending.timer);
      if (message.ok) pending.resolve(message.result);
      else pending.reject(new Error(`worker ${this.name}: ${message.error}`));
    });
    child.once('exit', (code, signal) => {
      this.exited = true;
      for (const [, pending] of this.pending) {
        clearTimeout(pending.timer);
        pending.reject(new Error(`worker ${this.name} exited (code ${code}, signal ${signal})`));
      }
      this.pending.clear();
    });
  }

  static spawn(name: string): Promise<WorkerHandle> {
    const child = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--max-old-space-size=1024'] });
    const handle = new WorkerHandle(name, child);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${name} did not start within 10 s`)), 10_000);
      child.once('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          resolve(handle);
        }
      });
      child.once('exit', (code) => reject(new Error(`worker ${name} exited with ${code} before it was ready`)));
    });
  }

  static spawnMany(prefix: string, count: number): Promise<WorkerHandle[]> {
    return Promise.all(Array.from({ length: count }, (_, i) => WorkerHandle.spawn(`${prefix}-${i + 1}`)));
  }

  get pid(): number {
    return this.child.pid as number;
  }

  request<M extends WorkerRequest['method']>(
    method: M,
    params: Extract<WorkerRequest, { method: M }>['params'],
    timeoutMs = 60_000,
  ): Promise<WorkerResult<M>> {
    if (this.exited) return Promise.reject(new Error(`worker ${this.name} has exited`));
    const rid = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rid);
        reject(new Error(`worker ${this.name}: no answer to "${method}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(rid, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.child.send({ method, params, rid });
    });
  }

  /** Sends a signal to the worker process (SIGSTOP / SIGCONT for a stalled reader). */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Asks the worker to close its clients, then ends it (forcibly if it does not exit). */
  async stop(): Promise<void> {
    if (this.exited) return;
    try {
      await this.request('stop', {}, 5_000);
    } catch {
      // Ended below either way.
    }
    this.child.disconnect?.();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3_000);
    await this.exit;
    clearTimeout(timer);
  }
}

export async function stopAll(workers: readonly WorkerHandle[]): Promise<void> {
  await Promise.all(workers.map((worker) => worker.stop()));
}
