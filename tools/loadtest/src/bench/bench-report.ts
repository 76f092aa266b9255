/**
 * The benchmark's table: each figure per size for the three servers, the ratios to bare `ws`, and
 * whether the monitor server meets the target for it; the fan-out of two monitor servers on
 * one Redis, and on a Redis Cluster, in rows of their own, as ratios to the single one.
 */
import { ratio, round } from '../lib/stats.js';
import type { TextTable } from '../lib/text-table.js';
import { isTwoNodeKind, WARMUP_CONNECTIONS, type BenchKind, type TwoNodeKind } from './bench-options.js';
import type { RunResult } from './bench-run.js';
import type { TwoNodeResult } from './bench-two-nodes.js';

export type BenchResult = RunResult | TwoNodeResult;

type Values = Readonly<Partial<Record<BenchKind, number>>>;

export interface Figure {
  readonly name: string;
  /** The figure of a server alone in its process (monitor, ws, Socket.IO). */
  readonly value: (run: RunResult) => number;
  /** What to show where `value` is not a number (NaN): why there is none. */
  readonly missing?: (run: RunResult) => string;
  /**
   * The figure of the two monitor servers on Redis (`kind`: one Redis, or a Redis Cluster): the row
   * then shows it in the monitor column, compared with the single monitor server's `value` instead
   * of with ws.
   */
  readonly twoNodes?: { readonly kind: TwoNodeKind; readonly value: (run: TwoNodeResult) => number };
  /** Checks the monitor server's figure; `largest` is true on the run's largest size. Undefined: no target. */
  readonly target?: {
    readonly text: string;
    readonly onlyLargest?: boolean;
    readonly check: (values: Values) => boolean | undefined;
  };
}

const KIB = 1024;
const ONE_NODE = 'monitor (1 node)';
const within = (value: number | undefined, baseline: number | undefined, most: number): boolean | undefined =>
  value === undefined || baseline === undefined ? undefined : ratio(value, baseline) <= most;
const atLeast = (value: number | undefined, baseline: number | undefined, least: number): boolean | undefined =>
  value === undefined || baseline === undefined ? undefined : ratio(value, baseline) >= least;
/** Both parts of a two-part target; unknown while either is. */
const both = (a: boolean | undefined, b: boolean | undefined): boolean | undefined => (a === undefined || b === undefined ? undefined : a && b);

/** `maxReconnectMs`: the clients' longest backoff, which the restart target adds 5 s to. */
export function benchFigures(maxReconnectMs: number): Figure[] {
  const memoryTarget = { text: '≤ 1.0× ws', check: (v: Values) => within(v.monitor, v.ws, 1.0) };
  const backBoundS = (maxReconnectMs + 5_000) / 1000;
  return [
    { name: 'RSS per connection (KiB)', value: (r) => r.memory.rssPerConnection / KIB, target: memoryTarget },
    { name: 'heap per connection (KiB)', value: (r) => r.memory.heapPerConnection / KIB, target: memoryTarget },
    // Code V8 compiles for the server as the connections arrive, divided among them (docs/benchmarks.md#ninth-pass-compiled-code-in-the-heap-per-connection-2026-12-06).
    { name: "of the heap per connection, net growth of V8's code (KiB)", value: (r) => r.memory.codePerConnection / KIB },
    { name: `heap kept after ${WARMUP_CONNECTIONS} connections came and went (KiB)`, value: (r) => r.memory.warmupHeapKept / KIB },
    {
      name: 'CPU ms per 1,000 heartbeats',
      value: (r) => r.cpu.msPer1000Heartbeats,
      target: {
        text: '≤ 1.2× ws and ≤ 0.65× Socket.IO',
        check: (v) => both(within(v.monitor, v.ws, 1.2), within(v.monitor, v.socketio, 0.65)),
      },
    },
    { name: "clients' CPU ms per 1,000 heartbeats (all client processes)", value: (r) => r.cpu.clientMsPer1000Heartbeats },
    {
      name: 'p99 event-loop lag (ms)',
      value: (r) => r.lag.p99Ms,
      target: { text: '≤ 0.15× ws at the largest size', onlyLargest: true, check: (v) => within(v.monitor, v.ws, 0.15) },
    },
    {
      name: 'fan-out (messages/s delivered)',
      value: (r) => r.fanout.messagesPerSecond,
      target: {
        text: '≥ 1.1× ws and ≥ 1.0× Socket.IO',
        check: (v) => both(atLeast(v.monitor, v.ws, 1.1), atLeast(v.monitor, v.socketio, 1.0)),
      },
    },
    {
      name: 'fan-out, 2 nodes on one Redis (messages/s delivered)',
      value: (r) => r.fanout.messagesPerSecond,
      twoNodes: { kind: 'monitor-redis', value: (r) => r.fanout.messagesPerSecond },
      target: {
        text: `≥ 0.7× ${ONE_NODE}`,
        check: (v) => (v['monitor-redis'] === undefined || v.monitor === undefined ? undefined : ratio(v['monitor-redis'], v.monitor) >= 0.7),
      },
    },
    {
      name: 'fan-out, 2 nodes on a 3-shard Redis Cluster (messages/s delivered)',
      value: (r) => r.fanout.messagesPerSecond,
      twoNodes: { kind: 'monitor-cluster', value: (r) => r.fanout.messagesPerSecond },
    },
    {
      name: 'restart: s until all back',
      value: (r) => r.restart.allBackMs / 1000,
      missing: (r) => `${r.restart.back.toLocaleString('en-US')} back`,
      target: {
        text: `≤ ${backBoundS} s (maxReconnectInterval + 5 s)`,
        check: (v) => (v.monitor === undefined ? undefined : Number.isFinite(v.monitor) && v.monitor <= backBoundS),
      },
    },
    {
      name: 'restart: failed handshakes',
      value: (r) => r.restart.failedHandshakes,
      target: { text: '0', check: (v) => (v.monitor === undefined ? undefined : v.monitor === 0) },
    },
    { name: 'restart: peak accepts/s', value: (r) => r.restart.peakAcceptsPerSecond },
    { name: 'restart: accept-queue overflows (kernel)', value: (r) => r.restart.listenOverflows ?? Number.NaN, missing: () => 'not readable' },
    {
      name: 'ramp: s until all connected',
      value: (r) => r.ramp.ms / 1000,
      target: { text: '≤ 1.2× ws at the largest size', onlyLargest: true, check: (v) => within(v.monitor, v.ws, 1.2) },
    },
    {
      name: 'ramp: accept-queue overflows (kernel)',
      value: (r) => r.ramp.listenOverflows ?? Number.NaN,
      missing: () => 'not readable',
      target: {
        text: '≤ ws at the largest size',
        onlyLargest: true,
        check: (v) => (v.monitor === undefined || v.ws === undefined || Number.isNaN(v.monitor) || Number.isNaN(v.ws) ? undefined : v.monitor <= v.ws),
      },
    },
  ];
}

export interface TargetOutcome {
  figure: string;
  connections: number;
  met: boolean;
}

export interface BenchTable {
  table: TextTable;
  outcomes: TargetOutcome[];
}

const verdict = (met: boolean | undefined, applies: boolean): string => (!applies ? '' : met === undefined ? 'not measured' : met ? 'pass' : 'MISS');

/** Rows: figure × size, in the order of `figures`, sizes ascending. */
export function benchTable(runs: readonly BenchResult[], figures: readonly Figure[]): BenchTable {
  const sizes = [...new Set(runs.map((r) => r.connections))].sort((a, b) => a - b);
  const largest = sizes[sizes.length - 1];
  const outcomes: TargetOutcome[] = [];
  const rows: string[][] = [];
  for (const figure of figures) {
    for (const connections of sizes) {
      const values: Partial<Record<BenchKind, number>> = {};
      const missing: Partial<Record<BenchKind, string>> = {};
      for (const run of runs) {
        if (run.connections !== connections) continue;
        if (isTwoNodeKind(run.kind)) {
          if (figure.twoNodes?.kind === run.kind) values[run.kind] = figure.twoNodes.value(run as TwoNodeResult);
          continue;
        }
        values[run.kind] = figure.value(run as RunResult);
        if (figure.missing) missing[run.kind] = figure.missing(run as RunResult);
      }
      const applies = figure.target !== undefined && (!figure.target.onlyLargest || connections === largest);
      const met = applies ? figure.target?.check(values) : undefined;
      if (applies && met !== undefined) outcomes.push({ figure: figure.name, connections, met });
      const shown = (kind: BenchKind) => {
        const value = values[kind];
        if (value === undefined) return 'not run';
        return Number.isFinite(value) ? round(value) : (missing[kind] ?? round(value));
      };
      /** `of`: the baseline where it is not the column's (ws). */
      const share = (kind: BenchKind, baseline: BenchKind, of = '') => {
        const times = ratio(values[kind] ?? Number.NaN, values[baseline] ?? Number.NaN);
        return Number.isFinite(times) ? `${round(times)}×${of}` : '—';
      };
      const cells = figure.twoNodes
        ? [shown(figure.twoNodes.kind), '—', '—', share(figure.twoNodes.kind, 'monitor', ` ${ONE_NODE}`), '—']
        : [shown('monitor'), shown('ws'), shown('socketio'), share('monitor', 'ws'), share('socketio', 'ws')];
      rows.push([figure.name, connections.toLocaleString('en-US'), ...cells, applies ? (figure.target?.text ?? '') : '', verdict(met, applies)]);
    }
  }
  return {
    table: {
      columns: [
        { header: 'figure' },
        { header: 'N', align: 'right' },
        { header: 'monitor', align: 'right' },
        { header: 'ws', align: 'right' },
        { header: 'Socket.IO', align: 'right' },
        { header: 'monitor ÷ ws', align: 'right' },
        { header: 'Socket.IO ÷ ws', align: 'right' },
        { header: 'target (monitor)' },
        { header: 'result' },
      ],
      rows,
    },
    outcomes,
  };
}
