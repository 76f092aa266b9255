import { type OptionSchema, parseCliOptions } from '../lib/cli-options.js';
import type { BenchServerKind } from '../servers/bench-server-api.js';

/**
 * Two monitor servers on Redis, measured for their fan-out only: on one Redis (`monitor-redis`), or
 * on a three-shard Redis Cluster the benchmark starts itself (`monitor-cluster`).
 */
export type TwoNodeKind = 'monitor-redis' | 'monitor-cluster';

/** The servers measured: the three alone in a process each, and the two-node kinds. */
export type BenchKind = BenchServerKind | TwoNodeKind;

export const TWO_NODE_KINDS: readonly TwoNodeKind[] = ['monitor-redis', 'monitor-cluster'];
export const BENCH_SERVERS: readonly BenchKind[] = ['monitor', 'ws', 'socketio', ...TWO_NODE_KINDS];

export function isTwoNodeKind(kind: BenchKind): kind is TwoNodeKind {
  return (TWO_NODE_KINDS as readonly BenchKind[]).includes(kind);
}

export const BENCH_USAGE = [
  'Usage: npm run bench [-- options]',
  '',
  'Idle connections against three servers in one run, each in a process of its own on this machine:',
  '(a) the monitor server (its built app, Heartbeat clients), (b) a bare `ws` server with the heartbeat of the',
  "ws README, (c) a Socket.IO 4 server with its own heartbeat. All ping every --ping-interval ms. Per size: memory",
  'per connection, CPU per 1,000 heartbeats, p99 event-loop lag, fan-out of a ~200-byte event to all, and the',
  'reconnect storm after a SIGKILL restart; each as a ratio to ws, with the targets of the monitor server.',
  'And (d) monitor-redis: two monitor servers on one Redis (--redis), the clients half on each, the fan-out',
  'published on one of them; that figure only, as a ratio to the single monitor server. (e) monitor-cluster: the same',
  'on a three-shard Redis Cluster the benchmark starts (redis-server and redis-cli on PATH) and stops.',
  'The table goes to the terminal, tools/loadtest/output/bench.json and (full runs) docs/benchmarks.md.',
  '',
  'Examples:',
  '  npm run bench                          full run: 1,000 / 10,000 / 19,000 connections (about 11 minutes on 2 cores)',
  '  npm run bench -- --smoke               200 connections, short windows (CI; about a minute)',
  '  npm run bench -- --sizes=5000 --servers=monitor,ws --profile',
];

export const BENCH_OPTIONS = {
  smoke: { kind: 'flag', description: 'A short run: 200 connections, 1 s settle, 1 s after the GC, 3 s windows; docs/benchmarks.md is left alone.' },
  sizes: { kind: 'list', min: 1, default: [1_000, 10_000, 19_000], description: 'Connection counts, each measured on every server.' },
  servers: { kind: 'choice-list', choices: BENCH_SERVERS, default: BENCH_SERVERS, description: 'Servers to measure.' },
  rate: { kind: 'number', min: 1, default: 2_000, placeholder: 'PER_S', description: 'New connections per second while the load ramps up.' },
  settle: { kind: 'number', min: 0, default: 5, placeholder: 'S', description: 'Seconds between the last connect and the memory reading.' },
  afterGc: {
    kind: 'number',
    min: 0,
    default: 10,
    placeholder: 'S',
    description: "Seconds between the memory reading (a forced full GC) and the CPU window: each server's first seconds after it cost more CPU.",
  },
  // 20 s: at 1,000 connections a window of 10 s holds 10,000 heartbeats, and a few milliseconds of
  // anything else moved the ratio to ws by two tenths from run to run (docs/benchmarks.md).
  window: { kind: 'number', min: 1, default: 20, placeholder: 'S', description: 'Seconds of the CPU and event-loop lag window.' },
  pingInterval: { kind: 'number', integer: true, min: 100, default: 1_000, placeholder: 'MS', description: 'Server ping interval of all three servers.' },
  processes: { kind: 'number', integer: true, min: 1, max: 16, default: 4, description: 'Client worker processes (each holds at most 20,000 open files).' },
  fanoutDeliveries: { kind: 'number', integer: true, min: 1, default: 200_000, description: 'Fan-out: events × connections ≈ this many deliveries (5 to 200 events).' },
  profile: {
    kind: 'flag',
    description: 'Also profile each server (CPU over an extra idle window, the start of an extra fan-out burst and the first 15 s after the restart, live heap by allocation site) and print the top entries; for diagnosis, it slows the ramp.',
  },
  redis: { kind: 'text', default: 'redis://127.0.0.1:6379', placeholder: 'URL', description: 'The Redis of monitor-redis (its keys, under a prefix of their own, are deleted after the run).' },
  docs: { kind: 'flag', default: true, description: 'Write the table to docs/benchmarks.md (never for --smoke).' },
} as const satisfies OptionSchema;

export interface BenchSettings {
  sizes: number[];
  servers: BenchKind[];
  ratePerSecond: number;
  settleMs: number;
  /**
   * Between the memory reading's forced full GC and the CPU window. The first 5 s after it cost each
   * server more CPU per heartbeat, the monitor server (the larger heap) more and a little longer than
   * ws; a server in production is not collected in full every few seconds (docs/benchmarks.md).
   */
  afterGcMs: number;
  windowMs: number;
  pingIntervalMs: number;
  processes: number;
  /** Fan-out: events × connections is about this many deliveries. */
  fanoutDeliveries: number;
  redisUrl: string;
  profile: boolean;
  writeDocs: boolean;
  smoke: boolean;
}

/** The settings of a run; --smoke replaces the sizes, windows and fan-out with short ones. */
export function benchSettings(argv: readonly string[]): BenchSettings & { help: boolean } {
  const options = parseCliOptions(argv, BENCH_OPTIONS);
  return {
    help: options.help,
    smoke: options.smoke,
    sizes: options.smoke ? [200] : options.sizes,
    servers: options.servers,
    ratePerSecond: options.rate,
    settleMs: (options.smoke ? 1 : options.settle) * 1000,
    afterGcMs: (options.smoke ? 1 : options.afterGc) * 1000,
    windowMs: (options.smoke ? 3 : options.window) * 1000,
    pingIntervalMs: options.pingInterval,
    processes: options.smoke ? 2 : options.processes,
    fanoutDeliveries: options.smoke ? 10_000 : options.fanoutDeliveries,
    redisUrl: options.redis,
    profile: options.profile,
    writeDocs: options.docs && !options.smoke,
  };
}

/**
 * Connections opened and closed before the memory baseline, at every size and for every kind: what
 * the first connections grow once is the server's, not each connection's (at 1,000 it was a tenth of
 * the monitor server's heap per connection). What the heap keeps of them is reported on its own row
 * (docs/benchmarks.md). It does not take V8's code out of the figure, which has a row of its own
 * (docs/benchmarks.md#ninth-pass-compiled-code-in-the-heap-per-connection-2026-12-06).
 */
export const WARMUP_CONNECTIONS = 100;
