/** What each scenario does with the open connections, and the figures and checks it reports. */
import type { Fleet } from '../lib/fleet.js';
import { listenOverflows } from '../lib/kernel-counters.js';
import { type ProgressLine, progressBar } from '../lib/progress.js';
import { reconnectFigures, type ReconnectFigures } from '../lib/reconnect-figures.js';
import { perSlice, round, summarize } from '../lib/stats.js';
import type { ChartMarker } from '../lib/svg-chart.js';
import type { LoadtestOptions, Scenario } from './loadtest-options.js';
import type { LoadTarget } from './target.js';
import type { Timeline } from './timeline.js';

export interface ScenarioContext {
  readonly options: LoadtestOptions;
  readonly target: LoadTarget;
  readonly fleet: Fleet;
  readonly timeline: Timeline;
  readonly progress: ProgressLine;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ScenarioOutcome {
  figures: [string, string][];
  checks: Check[];
  markers: ChartMarker[];
  data: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '—');

/** Waits `ms`, showing how far along it is. */
async function hold(ctx: ScenarioContext, what: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const status = await ctx.fleet.status();
    ctx.progress.update(`${what} ${progressBar(1 - (until - Date.now()) / ms)} ${status.connected}/${status.total} connected`);
    await sleep(Math.min(1_000, Math.max(0, until - Date.now())));
  }
  ctx.progress.done(`${what}: done`);
}

/** Waits until every client is connected again; the timeout allows for the longest backoff. */
async function allBack(ctx: ScenarioContext, timeoutMs: number): Promise<boolean> {
  const result = await ctx.fleet.waitFor(
    (s) => s.connected === s.total,
    timeoutMs,
    (s) => ctx.progress.update(`reconnecting ${progressBar(s.connected / s.total)} ${s.connected}/${s.total}`),
    100,
  );
  ctx.progress.done(`reconnecting: ${result.status.connected}/${result.status.total} back`);
  return result.ok;
}

function overflowsSince(before: number | null): string {
  const now = listenOverflows();
  return now === null || before === null ? 'not readable' : String(now - before);
}

function failures(figures: ReconnectFigures): string {
  return figures.failedHandshakes === 0 ? '0' : `${figures.failedHandshakes} ${JSON.stringify(figures.failureReasons)}`;
}

function backTimeoutMs(options: LoadtestOptions): number {
  return (options.maxReconnectInterval ?? 30_000) + 60_000;
}

async function idle(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const from = ctx.timeline.now();
  await ctx.fleet.mark();
  await hold(ctx, 'idle', ctx.options.duration * 1000);
  const status = await ctx.fleet.status();
  const report = await ctx.fleet.report();
  const drops = report.clients.reduce((total, c) => total + c.lost.length, 0);
  return {
    figures: [
      ['connected at the end', `${status.connected} of ${status.total}`],
      ['connections lost while idle', String(drops)],
    ],
    checks: [{ name: 'no connection lost while idle', ok: drops === 0, detail: `${drops} lost` }],
    markers: [{ x: from / 1000, label: 'idle' }],
    data: { drops },
  };
}

async function fanout(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const from = ctx.timeline.now();
  await ctx.fleet.mark();
  const durationMs = ctx.options.duration * 1000;
  await hold(ctx, 'fan-out', durationMs);
  const report = await ctx.fleet.report();
  const status = await ctx.fleet.status();
  const latency = summarize(report.latencyMs);
  return {
    figures: [
      ['events delivered', status.received.toLocaleString('en-US')],
      ['delivered per second', round(status.received / ctx.options.duration)],
      ['latency p50 / p90 / p99 / max (ms)', [latency.p50, latency.p90, latency.p99, latency.max].map(round).join(' / ')],
      ['duplicates / losses seen by the app', `${report.streams.duplicates} / ${report.streams.lost}`],
    ],
    checks: [
      { name: 'events reached the clients', ok: status.received > 0, detail: `${status.received} delivered` },
      { name: 'no loss or duplicate', ok: report.streams.lost === 0 && report.streams.duplicates === 0, detail: `lost ${report.streams.lost}, duplicates ${report.streams.duplicates}` },
    ],
    markers: [{ x: from / 1000, label: 'fan-out' }],
    data: { received: status.received, latency, streams: report.streams },
  };
}

async function restart(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const server = ctx.target.process as NonNullable<LoadTarget['process']>;
  await sleep(2_000);
  await ctx.fleet.mark();
  const overflowsBefore = listenOverflows();
  const killedAt = Date.now();
  const killedT = ctx.timeline.now();
  await server.kill('SIGKILL');
  await server.restart();
  const listeningAt = Date.now();
  const listeningT = ctx.timeline.now();
  const back = await allBack(ctx, backTimeoutMs(ctx.options));
  const figures = reconnectFigures(await ctx.fleet.report(), listeningAt);
  return {
    figures: [
      ['server down (SIGKILL → listening)', seconds(listeningAt - killedAt)],
      ['accept-queue overflows (kernel, machine-wide)', overflowsSince(overflowsBefore)],
      ['listening → all back', seconds(figures.allBackMs)],
      ['listening → half back', seconds(figures.medianBackMs)],
      ['peak accepts per second', String(figures.peakAcceptsPerSecond)],
      ['failed handshakes after listening', failures(figures)],
    ],
    checks: [
      { name: 'all clients back', ok: back, detail: `${figures.back} of ${figures.clients}` },
      { name: 'no failed handshake once the server listened', ok: figures.failedHandshakes === 0, detail: String(figures.failedHandshakes) },
    ],
    markers: [
      { x: killedT / 1000, label: 'SIGKILL' },
      { x: listeningT / 1000, label: 'listening' },
    ],
    data: { killedAt, listeningAt, ...figures },
  };
}

const DRAIN_SLICES = 10;

async function drain(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const server = ctx.target.process as NonNullable<LoadTarget['process']>;
  const window = ctx.options.drainWindow;
  await sleep(2_000);
  await ctx.fleet.mark();
  const overflowsBefore = listenOverflows();
  const termAt = Date.now();
  const termT = ctx.timeline.now();
  const exit = await server.kill('SIGTERM');
  const exitedAt = Date.now();
  await server.restart();
  const listeningAt = Date.now();
  const listeningT = ctx.timeline.now();
  const back = await allBack(ctx, backTimeoutMs(ctx.options));
  const report = await ctx.fleet.report();
  const closes = report.clients.flatMap((c) => c.lost.filter((l) => l.at >= termAt));
  const restarting = closes.filter((c) => c.code === 1012).map((c) => c.at);
  const otherCodes = [...new Set(closes.filter((c) => c.code !== 1012).map((c) => c.code))];
  const slices = perSlice(restarting, termAt, Math.max(1, window / DRAIN_SLICES), DRAIN_SLICES);
  const fair = report.clients.length / DRAIN_SLICES;
  const figures = reconnectFigures(report, listeningAt);
  return {
    figures: [
      ['closed with 1012', `${restarting.length} of ${report.clients.length}${otherCodes.length ? ` (other codes: ${otherCodes.join(', ')})` : ''}`],
      [`1012 closes per ${window / DRAIN_SLICES} ms slice of the drain window`, slices.join(' ')],
      ['largest slice ÷ fair share', round(Math.max(...slices) / fair)],
      ['server exit', `${exit.code === null ? `signal ${exit.signal}` : `code ${exit.code}`} after ${seconds(exitedAt - termAt)}`],
      ['listening again → all back', seconds(figures.allBackMs)],
      ['peak accepts per second', String(figures.peakAcceptsPerSecond)],
      ['accept-queue overflows (kernel, machine-wide)', overflowsSince(overflowsBefore)],
      ['failed handshakes after listening', failures(figures)],
    ],
    checks: [
      { name: 'every client closed with 1012', ok: restarting.length === report.clients.length, detail: `${restarting.length} of ${report.clients.length}` },
      { name: 'closes spread over the window', ok: Math.max(...slices) <= 2 * fair, detail: `largest slice ${Math.max(...slices)} ≤ 2 × ${round(fair)}` },
      { name: 'server exited with 0', ok: exit.code === 0, detail: JSON.stringify(exit) },
      { name: 'all clients back', ok: back, detail: `${figures.back} of ${figures.clients}` },
    ],
    markers: [
      { x: termT / 1000, label: 'SIGTERM' },
      { x: listeningT / 1000, label: 'listening' },
    ],
    data: { termAt, exitedAt, listeningAt, exit, slices, otherCodes, ...figures },
  };
}

async function resume(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const from = ctx.timeline.now();
  await ctx.fleet.mark();
  const durationMs = ctx.options.duration * 1000;
  const until = Date.now() + durationMs;
  let cuts = 0;
  let owed = 0;
  // Cuts at the given rate, a few every 200 ms, at connections picked at random in random workers.
  while (Date.now() < until) {
    owed += ctx.options.cutsPerSecond / 5;
    const now = Math.floor(owed);
    owed -= now;
    if (now > 0) cuts += await ctx.fleet.cut(now);
    ctx.progress.update(`resume ${progressBar(1 - (until - Date.now()) / durationMs)} ${cuts} cuts`);
    await sleep(200);
  }
  ctx.progress.done(`resume: ${cuts} cuts`);
  const back = await allBack(ctx, backTimeoutMs(ctx.options));
  // The last resumed clients get their replay and a few live events before the count.
  await sleep(3_000);
  const report = await ctx.fleet.report();
  const { streams } = report;
  return {
    figures: [
      ['connections cut', String(cuts)],
      ['events delivered', streams.delivered.toLocaleString('en-US')],
      ['lost (silently)', String(streams.lost)],
      ['duplicated', String(streams.duplicates)],
      ['gaps reported (beyond the replay buffer)', String(streams.gaps)],
    ],
    checks: [
      { name: 'all clients back', ok: back, detail: '' },
      { name: 'no event lost or duplicated', ok: streams.lost === 0 && streams.duplicates === 0 && streams.silentEpochChanges === 0, detail: `lost ${streams.lost}, duplicates ${streams.duplicates}` },
    ],
    markers: [{ x: from / 1000, label: 'cuts' }],
    data: { cuts, streams },
  };
}

export const SCENARIO_RUNNERS: Readonly<Record<Scenario, (ctx: ScenarioContext) => Promise<ScenarioOutcome>>> = { idle, fanout, restart, drain, resume };
