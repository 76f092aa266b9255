import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { MONITOR_BUILD, monitorBuildMissing } from './monitor-build.js';

const LISTENING = /Listening on http:\/\/\S+:(\d+)/;

/** How the server process ended: its exit code, or the signal that ended it. */
export interface MonitorServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A free TCP port on loopback, for a server that must come back on the same port after a kill. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The built monitor server as a real child process, so tests can kill it (SIGKILL: no close
 * frames, no FIN handling by the app) and start it again on the same port.
 */
export class MonitorServerProcess {
  private child: ChildProcess | null = null;
  private output = '';

  private constructor(
    readonly port: number,
    private readonly env: Readonly<Record<string, string>>,
  ) {}

  /** Starts the server on `port` (a free one if omitted) with the given environment. */
  static async start(env: Record<string, string> = {}, port?: number): Promise<MonitorServerProcess> {
    const missing = monitorBuildMissing(MONITOR_BUILD.main);
    if (missing) throw new Error(missing);
    const server = new MonitorServerProcess(port ?? (await freePort()), env);
    await server.restart();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Starts it again (after kill) on the same port; resolves once it listens. */
  async restart(): Promise<void> {
    if (this.child) throw new Error('The monitor server is still running; kill() it before restart().');
    this.output = '';
    const child = spawn(process.execPath, [MONITOR_BUILD.main], {
      env: { ...process.env, HOST: '127.0.0.1', ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(() => {
        // A server that never said it listens (a LOG_LEVEL that hides the line, a hang) must not outlive the test.
        child.kill('SIGKILL');
        fail(new Error(`The monitor server did not start within 15 s. Output:\n${this.output}`));
      }, 15_000);
      const fail = (error: Error) => {
        clearTimeout(timeout);
        reject(error);
      };
      let listening = false;
      const read = (chunk: Buffer) => {
        this.output += chunk.toString();
        // Searched only until found: a server that logs every connection makes the output grow for
        // good, and searching all of it again on each chunk cost its test more CPU than the server.
        if (!listening && LISTENING.test(this.output)) {
          listening = true;
          clearTimeout(timeout);
          resolve();
        }
      };
      child.stdout?.on('data', read);
      child.stderr?.on('data', read);
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = null;
        fail(new Error(`The monitor server exited (code ${code}, signal ${signal}) before listening. Output:\n${this.output}`));
      });
    });
  }

  /** Process id of the running server, or null. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /**
   * Kills the process (SIGKILL by default) and waits until it is gone; resolves with how it ended
   * (a graceful SIGTERM shutdown ends with code 0, SIGKILL with signal SIGKILL).
   */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<MonitorServerExit> {
    const child = this.child;
    if (!child) return { code: null, signal: null };
    const exited = new Promise<MonitorServerExit>((resolve) => child.once('exit', (code, exitSignal) => resolve({ code, signal: exitSignal })));
    child.kill(signal);
    const exit = await exited;
    this.child = null;
    return exit;
  }

  /** What the process printed since it last started (for failure messages). */
  get log(): string {
    return this.output;
  }
}
