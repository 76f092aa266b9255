/**
 * The benchmark's servers (monitor server, bare `ws`, Socket.IO) each run in a process of their
 * own and answer the same requests, so every figure is measured the same way inside each of them.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapCodeStatistics } from 'node:v8';
import { serveChannel } from '@heartbeat/testing/child-channel';

export type BenchServerKind = 'monitor' | 'ws' | 'socketio';

/** Node's default resolution, the one Prometheus' nodejs_eventloop_lag_* figures use too. */
export const LAG_RESOLUTION_MS = 10;

export interface ServerSample {
  at: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** process.cpuUsage(), user + system, µs since the process started. */
  cpuMicros: number;
  /** Server pings answered (pongs received) since the process started. */
  heartbeats: number;
  connections: number;
  /** Event-loop delay since the previous sample, beyond the timer's resolution, ms. */
  lag: { p50Ms: number; p99Ms: number; maxMs: number };
}

/** A memory reading: the figures after a full collection, and how much of the heap is V8's code. */
export interface MemorySample extends ServerSample {
  /**
   * Machine code (baseline and optimized), bytecode and their metadata: the server's, not its
   * connections' (docs/benchmarks.md#ninth-pass-compiled-code-in-the-heap-per-connection-2026-12-06).
   */
  codeBytes: number;
}

export interface PublishRequest {
  topic: string;
  /** The same payload every time; each server adds its own sequence number. */
  payload: Record<string, unknown>;
  count: number;
}

export type BenchServerApi = {
  /** Reads the figures and restarts the event-loop delay histogram. `gc` runs a full collection first (for memory). */
  sample: { params: { gc?: boolean }; result: ServerSample };
  /** `sample` after a full collection, with the size of V8's code (read apart: it walks the heap). */
  memory: { params: Record<string, never>; result: MemorySample };
  /** Publishes `count` events to every client as fast as the server can. */
  publish: { params: PublishRequest; result: { ms: number } };
  /** Profiles the CPU for `ms` and writes the .cpuprofile to `file`. */
  profile: { params: { ms: number; file: string }; result: null };
  /** Starts sampling allocations; `stop` writes the live ones (a .heapprofile) to `file`. */
  heapSampling: { params: { action: 'start' } | { action: 'stop'; file: string }; result: null };
};

export interface BenchServerReady {
  port: number;
}

export interface BenchServerHooks {
  connections(): number;
  heartbeats(): number;
  publish(request: PublishRequest): Promise<void>;
}

/**
 * Settings the benchmark passes to the bare servers (the monitor server reads its own variables).
 * Without BENCH_PING_INTERVAL_MS a server keeps its own default heartbeat (`pingInterval` undefined).
 */
export function benchServerEnv(env: NodeJS.ProcessEnv = process.env): { port: number; pingInterval: number | undefined } {
  const port = Number(env.BENCH_PORT);
  const pingInterval = env.BENCH_PING_INTERVAL_MS === undefined ? undefined : Number(env.BENCH_PING_INTERVAL_MS);
  if (!Number.isInteger(port) || (pingInterval !== undefined && !(pingInterval > 0))) {
    throw new Error('BENCH_PORT must be a port number and BENCH_PING_INTERVAL_MS, if set, a positive number of milliseconds: this server is started by the benchmark (npm run bench), run that instead.');
  }
  return { port, pingInterval };
}

/** Answers the benchmark's requests for a server listening on `port`. */
export function serveBenchServer(hooks: BenchServerHooks, port: number): void {
  const delay = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  delay.enable();
  const beyondResolution = (ns: number) => Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS);
  const gc = (globalThis as { gc?: () => void }).gc;
  const heapSession = new Session();
  const readFigures = (collect: boolean): ServerSample => {
    if (collect && gc) {
      // Twice: the first pass may only queue finalizers whose memory the second frees.
      gc();
      gc();
    }
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    const lag = { p50Ms: beyondResolution(delay.percentile(50)), p99Ms: beyondResolution(delay.percentile(99)), maxMs: beyondResolution(delay.max) };
    delay.reset();
    return {
      at: Date.now(),
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      cpuMicros: cpu.user + cpu.system,
      heartbeats: hooks.heartbeats(),
      connections: hooks.connections(),
      lag,
    };
  };
  serveChannel<BenchServerApi>(
    {
      sample: ({ gc: collect }) => readFigures(collect === true),
      memory: () => {
        const figures = readFigures(true);
        const code = getHeapCodeStatistics();
        return { ...figures, codeBytes: code.code_and_metadata_size + code.bytecode_and_metadata_size };
      },
      publish: async (request) => {
        const startedAt = performance.now();
        await hooks.publish(request);
        return { ms: performance.now() - startedAt };
      },
      profile: async ({ ms, file }) => {
        const session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
        await new Promise((resolve) => setTimeout(resolve, ms));
        const { profile } = await session.post('Profiler.stop');
        session.disconnect();
        writeFileSync(file, JSON.stringify(profile));
        return null;
      },
      heapSampling: async (params) => {
        if (params.action === 'start') {
          heapSession.connect();
          await heapSession.post('HeapProfiler.enable');
          await heapSession.post('HeapProfiler.startSampling');
          return null;
        }
        // Without the GC flags the profile keeps only what is still alive: what the connections hold.
        const { profile } = await heapSession.post('HeapProfiler.stopSampling');
        heapSession.disconnect();
        writeFileSync(params.file, JSON.stringify(profile));
        return null;
      },
    },
    { port } satisfies BenchServerReady,
  );
}
