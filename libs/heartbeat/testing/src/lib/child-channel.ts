/**
 * Request/reply over a child process's IPC channel. The load test's and the chaos suite's client
 * workers and the benchmark's servers are child processes that announce themselves with a ready
 * message and then answer requests; `Api` maps each method to its parameters and result.
 */
import { type ChildProcess, fork } from 'node:child_process';

export type ChannelApi = Record<string, { params: unknown; result: unknown }>;

export type ChannelHandlers<Api extends ChannelApi> = {
  [M in keyof Api]: (params: Api[M]['params']) => Api[M]['result'] | Promise<Api[M]['result']>;
};

type ChildMessage = { type: 'ready'; info: unknown } | { type: 'reply'; rid: number; ok: true; result: unknown } | { type: 'reply'; rid: number; ok: false; error: string };
interface ParentMessage {
  rid: number;
  method: string;
  params: unknown;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ForkOptions {
  /** Shown in errors: "worker 2", "ws server". */
  name: string;
  env?: Record<string, string>;
  execArgv?: string[];
  /**
   * What runs the module, node by default: a wrapper such as valgrind, whose own options and the
   * node binary to run then lead `execArgv`.
   */
  execPath?: string;
  readyTimeoutMs?: number;
}

const OUTPUT_KEPT = 8_000;
const live = new Set<ChildChannel<ChannelApi>>();

/** Kills every child still running (an interrupted run must not leave servers or clients behind). */
export function killAllChildren(): void {
  for (const child of live) child.killNow();
}

export class ChildChannel<Api extends ChannelApi> {
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; timer: NodeJS.Timeout }>();
  private nextRid = 1;
  private output = '';
  readonly exited: Promise<ChildExit>;
  private exit: ChildExit | null = null;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    live.add(this as unknown as ChildChannel<ChannelApi>);
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-OUTPUT_KEPT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', (chunk: Buffer) => {
      keep(chunk);
      process.stderr.write(chunk);
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(this as unknown as ChildChannel<ChannelApi>);
        this.exit = { code, signal };
        for (const pending of this.waiting.values()) {
          clearTimeout(pending.timer);
          pending.reject(new Error(`${name} exited (code ${code}, signal ${signal}) before it answered.${this.outputTail()}`));
        }
        this.waiting.clear();
        resolve(this.exit);
      });
    });
    child.on('message', (message: ChildMessage) => {
      if (message.type !== 'reply') return;
      const pending = this.waiting.get(message.rid);
      if (!pending) return;
      this.waiting.delete(message.rid);
      clearTimeout(pending.timer);
      if (message.ok) pending.resolve(message.result);
      else pending.reject(new Error(`${name}: ${message.error}`));
    });
  }

  /** Starts `modulePath` with an IPC channel; resolves with the channel and what the child said when ready. */
  static async fork<Api extends ChannelApi, Ready>(modulePath: string, options: ForkOptions): Promise<{ channel: ChildChannel<Api>; ready: Ready }> {
    const child = fork(modulePath, [], {
      env: { ...process.env, ...options.env },
      execArgv: options.execArgv ?? [],
      ...(options.execPath ? { execPath: options.execPath } : {}),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const channel = new ChildChannel<Api>(options.name, child);
    const timeoutMs = options.readyTimeoutMs ?? 30_000;
    const ready = await new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(() => {
        channel.killNow();
        reject(new Error(`${options.name} did not start within ${timeoutMs / 1000} s.${channel.outputTail()}`));
      }, timeoutMs);
      child.on('message', (message: ChildMessage) => {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        resolve(message.info as Ready);
      });
      void channel.exited.then((exit) => {
        clearTimeout(timer);
        reject(new Error(`${options.name} exited (code ${exit.code}, signal ${exit.signal}) before it was ready.${channel.outputTail()}`));
      });
    });
    return { channel, ready };
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get running(): boolean {
    return this.exit === null;
  }

  request<M extends keyof Api & string>(method: M, params: Api[M]['params'], timeoutMs = 60_000): Promise<Api[M]['result']> {
    if (this.exit) return Promise.reject(new Error(`${this.name} has exited (code ${this.exit.code}, signal ${this.exit.signal}).`));
    const rid = this.nextRid++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(rid);
        reject(new Error(`${this.name} did not answer "${method}" within ${timeoutMs / 1000} s.`));
      }, timeoutMs);
      this.waiting.set(rid, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.child.send({ rid, method, params } satisfies ParentMessage);
    });
  }

  /** Sends a signal and waits until the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ChildExit> {
    if (this.exit) return this.exit;
    this.child.kill(signal);
    return this.exited;
  }

  /** Sends a signal without waiting for anything (SIGSTOP / SIGCONT: a process that stops reading). */
  signal(signal: NodeJS.Signals): void {
    if (!this.exit) this.child.kill(signal);
  }

  killNow(): void {
    if (!this.exit) this.child.kill('SIGKILL');
  }

  /** Closes the channel (the child exits when it notices) and kills it if it lingers. */
  async close(graceMs = 5_000): Promise<ChildExit> {
    if (this.exit) return this.exit;
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.killNow(), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** The last lines the process printed, for failure messages. */
  outputTail(): string {
    const text = this.output.trim();
    return text ? ` Its last output:\n${text}` : '';
  }
}

/** The child's side: answers requests with `handlers`, says it is ready, and exits when the parent goes away. */
export function serveChannel<Api extends ChannelApi>(handlers: ChannelHandlers<Api>, readyInfo: unknown = null): void {
  const send = (message: ChildMessage) => process.send?.(message);
  process.on('message', (message: ParentMessage) => {
    const handler = handlers[message.method as keyof Api] as ((params: unknown) => unknown) | undefined;
    if (!handler) {
      send({ type: 'reply', rid: message.rid, ok: false, error: `unknown method "${message.method}"` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.params))
      .then(
        (result) => send({ type: 'reply', rid: message.rid, ok: true, result: result ?? null }),
        (error: unknown) => send({ type: 'reply', rid: message.rid, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', info: readyInfo });
}
