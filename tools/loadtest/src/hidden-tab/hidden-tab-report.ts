/**
 * Figures of the hidden-tab measurement (npm run bench:hidden-tab) from Chromium's performance
 * metrics and the pages' own counts, and the tables that put the tabs side by side.
 */
import type { TextTable } from '../lib/text-table.js';
import type { PageStats } from './page/page-stats.js';

export type TabKind = 'heartbeat' | 'socketio' | 'empty';

export const TAB_KINDS: readonly TabKind[] = ['heartbeat', 'socketio', 'empty'];

export const TAB_LABELS: Readonly<Record<TabKind, string>> = { heartbeat: 'Heartbeat', socketio: 'socket.io-client', empty: 'empty tab' };

/** The metrics of CDP Performance.getMetrics read per tab: durations in seconds, sizes in bytes. */
export const METRIC_NAMES = ['ScriptDuration', 'TaskDuration', 'ThreadTime', 'ProcessTime', 'JSHeapUsedSize', 'JSHeapTotalSize'] as const;

export type MetricName = (typeof METRIC_NAMES)[number];
export type Metrics = Readonly<Record<MetricName, number>>;

/** One reading of a tab's metrics, `atMs` after the window began. */
export interface MetricSample {
  atMs: number;
  metrics: Metrics;
}

export interface TabRun {
  kind: TabKind;
  /** At the start of the window, every minute and at its end. */
  samples: readonly MetricSample[];
  /** JS heap used after a full collection, at the start and at the end. */
  heapAfterGcBytes: { start: number; end: number };
  /** The page's counts at the end; null for the empty tab, which runs no script. */
  stats: PageStats | null;
  /** When the stats were read, epoch ms. */
  statsAt: number;
}

export interface TabFigures {
  kind: TabKind;
  windowMs: number;
  scriptMs: number;
  taskMs: number;
  threadMs: number;
  processMs: number;
  /** Script time between consecutive samples, with the end of each interval (ms into the window). */
  intervals: readonly { toMs: number; fromMs: number; scriptMs: number }[];
  heapStartBytes: number;
  heapEndBytes: number;
  heapTotalEndBytes: number;
  stats: PageStats | null;
  statsAt: number;
}

/** The metrics this measurement reads out of Performance.getMetrics; throws naming one Chromium did not report. */
export function pickMetrics(reported: readonly { name: string; value: number }[]): Metrics {
  const byName = new Map(reported.map(({ name, value }) => [name, value]));
  const metrics = {} as Record<MetricName, number>;
  for (const name of METRIC_NAMES) {
    const value = byName.get(name);
    if (value === undefined) {
      throw new Error(`Chromium reported no ${name} in Performance.getMetrics: use a Chromium that does (Debian's package, /usr/bin/chromium, or CHROMIUM_PATH).`);
    }
    metrics[name] = value;
  }
  return metrics;
}

/** Seconds of a duration metric between two samples, in ms. */
function deltaMs(from: MetricSample, to: MetricSample, name: MetricName): number {
  return (to.metrics[name] - from.metrics[name]) * 1000;
}

export function tabFigures(run: TabRun): TabFigures {
  const first = run.samples[0];
  const last = run.samples[run.samples.length - 1];
  if (!first || !last || first === last) throw new Error(`The ${TAB_LABELS[run.kind]} has fewer than two metric samples: the window needs a start and an end.`);
  return {
    kind: run.kind,
    windowMs: last.atMs - first.atMs,
    scriptMs: deltaMs(first, last, 'ScriptDuration'),
    taskMs: deltaMs(first, last, 'TaskDuration'),
    threadMs: deltaMs(first, last, 'ThreadTime'),
    processMs: deltaMs(first, last, 'ProcessTime'),
    intervals: run.samples.slice(1).map((sample, i) => {
      const previous = run.samples[i] as MetricSample;
      return { fromMs: previous.atMs, toMs: sample.atMs, scriptMs: deltaMs(previous, sample, 'ScriptDuration') };
    }),
    heapStartBytes: run.heapAfterGcBytes.start,
    heapEndBytes: run.heapAfterGcBytes.end,
    heapTotalEndBytes: last.metrics.JSHeapTotalSize,
    stats: run.stats,
    statsAt: run.statsAt,
  };
}

/** `a ÷ b` as `1.25 ×`; a dash where b is not above zero. */
export function ratioText(a: number | null, b: number | null): string {
  if (a === null || b === null || !(b > 0)) return '—';
  return `${(a / b).toFixed(2)} ×`;
}

interface FigureRow {
  label: string;
  value(figures: TabFigures): number | null;
  digits: number;
}

const kB = (bytes: number) => bytes / 1024;
const perMinute = (figures: TabFigures, ms: number) => (figures.windowMs > 0 ? (ms * 60_000) / figures.windowMs : 0);

/** Figures with a ratio: Heartbeat against socket.io-client, as they are and above the empty tab. */
const NUMERIC_ROWS: readonly FigureRow[] = [
  { label: 'script time over the window, ms', value: (f) => f.scriptMs, digits: 1 },
  { label: 'script time per minute, ms', value: (f) => perMinute(f, f.scriptMs), digits: 2 },
  { label: 'script time in the busiest minute, ms', value: (f) => Math.max(...f.intervals.map((i) => i.scriptMs)), digits: 1 },
  { label: 'task time over the window, ms', value: (f) => f.taskMs, digits: 1 },
  { label: 'main-thread CPU over the window, ms', value: (f) => f.threadMs, digits: 1 },
  { label: 'renderer process CPU over the window, ms', value: (f) => f.processMs, digits: 0 },
  { label: 'JS heap used at the start (after GC), kB', value: (f) => kB(f.heapStartBytes), digits: 0 },
  { label: 'JS heap used at the end (after GC), kB', value: (f) => kB(f.heapEndBytes), digits: 0 },
  { label: 'JS heap used, growth over the window, kB', value: (f) => kB(f.heapEndBytes - f.heapStartBytes), digits: 1 },
  { label: 'JS heap total at the end, kB', value: (f) => kB(f.heapTotalEndBytes), digits: 0 },
];

function countRows(published: number): readonly { label: string; text(figures: TabFigures): string }[] {
  const ofStats = (text: (stats: PageStats, figures: TabFigures) => string) => (figures: TabFigures) => (figures.stats ? text(figures.stats, figures) : '—');
  const secondsBefore = (at: number | null, end: number) => (at === null ? 'none' : `${((end - at) / 1000).toFixed(0)} s`);
  return [
    { label: 'events received / published', text: ofStats((s) => `${s.events} / ${published}`) },
    { label: 'connections opened / lost', text: ofStats((s) => `${s.connects} / ${s.drops}`) },
    { label: "heartbeat frames the client sent: its pings + pongs to the server's", text: ofStats((s) => `${s.clientPings} + ${s.serverPings}`) },
    { label: "the client's last ping / pong, before the end", text: ofStats((s, f) => (s.clientPings > 0 ? `${secondsBefore(s.lastPingAt, f.statsAt)} / ${secondsBefore(s.lastPongAt, f.statsAt)}` : 'sends none')) },
  ];
}

function fixed(value: number | null, digits: number): string {
  return value === null ? '—' : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The tabs side by side, with Heartbeat ÷ socket.io-client as measured and above the empty tab. */
export function hiddenTabTable(figures: Readonly<Record<TabKind, TabFigures>>, published: number): TextTable {
  const { heartbeat, socketio, empty } = figures;
  const numeric = NUMERIC_ROWS.map((row) => {
    const [h, s, e] = [row.value(heartbeat), row.value(socketio), row.value(empty)];
    const above = (x: number | null) => (x === null || e === null ? null : x - e);
    return [row.label, fixed(h, row.digits), fixed(s, row.digits), fixed(e, row.digits), ratioText(h, s), ratioText(above(h), above(s))];
  });
  const counts = countRows(published).map((row) => [row.label, ...TAB_KINDS.map((kind) => row.text(figures[kind])), '', '']);
  return {
    columns: [
      { header: 'figure' },
      ...TAB_KINDS.map((kind) => ({ header: TAB_LABELS[kind], align: 'right' as const })),
      { header: 'Heartbeat ÷ socket.io', align: 'right' },
      { header: 'the same, above the empty tab', align: 'right' },
    ],
    rows: [...numeric, ...counts],
  };
}

/** Script time per interval between samples (each minute, and the rest of the window), per tab. */
export function perMinuteTable(figures: Readonly<Record<TabKind, TabFigures>>): TextTable {
  const minutes = (ms: number) => Number((ms / 60_000).toFixed(2)).toString();
  return {
    title: 'Script time per minute of the window, ms',
    columns: [{ header: 'minutes' }, ...TAB_KINDS.map((kind) => ({ header: TAB_LABELS[kind], align: 'right' as const }))],
    rows: figures.heartbeat.intervals.map((interval, i) => [
      `${minutes(interval.fromMs)}–${minutes(interval.toMs)}`,
      ...TAB_KINDS.map((kind) => fixed(figures[kind].intervals[i]?.scriptMs ?? null, 1)),
    ]),
  };
}

/** What makes the figures unusable, as sentences: a client that did not stay connected or missed events. */
export function runProblems(figures: Readonly<Record<TabKind, TabFigures>>, published: number): string[] {
  return (['heartbeat', 'socketio'] as const).flatMap((kind) => {
    const stats = figures[kind].stats;
    const label = TAB_LABELS[kind];
    if (!stats) return [`The ${label} tab reported no counts: its page script did not run (see the browser's console output above).`];
    return [
      ...(stats.connected && stats.connects === 1 && stats.drops === 0
        ? []
        : [`The ${label} client did not stay connected (opened ${stats.connects}, lost ${stats.drops}, connected at the end: ${stats.connected}): its figures include reconnects.`]),
      ...(stats.events === published ? [] : [`The ${label} client received ${stats.events} of the ${published} events published.`]),
    ];
  });
}
