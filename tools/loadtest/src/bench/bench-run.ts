/**
 * One measurement: one server kind with N idle connections. Memory, CPU per heartbeat and event-loop
 * lag are read inside the server process; fan-out and the reconnect storm from the clients.
 */
import { freePort } from '@heartbeat/testing';
import { Fleet } from '../lib/fleet.js';
import { ProgressLine, progressBar } from '../lib/progress.js';
import { listenOverflows } from '../lib/kernel-counters.js';
import { fetchMetrics, metricByLabel, metricTotal } from '../lib/prometheus.js';
import { reconnectFigures, type ReconnectFigures } from '../lib/reconnect-figures.js';
import type { ClientKind, ReconnectSettings } from '../lib/worker-api.js';
import type { BenchServerKind, MemorySample, ServerSample } from '../servers/bench-server-api.js';
import { WARMUP_CONNECTIONS, type BenchKind, type BenchSettings } from './bench-options.js';
import { BENCH_CLIENT_TOKEN, BENCH_TOPIC, BenchServer } from './bench-server.js';

/** The same reconnect schedule for the three kinds of client. */
export const BENCH_RECONNECT: ReconnectSettings = {
  reconnectInterval: 1_000,
  backoffMultiplier: 1.5,
  maxReconnectInterval: 5_000,
  jitter: 0.5,
  connectTimeout: 10_000,
};

/** Heartbeat clients ping every 10 minutes: the server's 1 s ping is what is measured, not theirs. */
const HEARTBEAT_CLIENT_TIMING = { pingInterval: 600_000 };

/** About 200 bytes of JSON, shaped like one of the monitor server's moderation alerts. */
export const FANOUT_PAYLOAD: Readonly<Record<string, unknown>> = Object.freeze({
  id: 'alert-0000000001',
  content_id: 'content-00000000042',
  category: 'spam',
  risk_score: 0.87,
  action: 'review',
  created_at: '2025-01-01T00:00:00.000Z',
  note: 'benchmark fan-out event padded to about two hundred bytes...',
});

/** What the clients of a run need to know. */
export type ClientSettings = Pick<BenchSettings, 'ratePerSecond' | 'processes' | 'fanoutDeliveries'> & { connections: number };

export interface RunSettings extends ClientSettings, Pick<BenchSettings, 'settleMs' | 'afterGcMs' | 'windowMs' | 'pingIntervalMs'> {
  kind: BenchServerKind;
  /**
   * Write a CPU profile of an extra idle window here (the measured window stays unprofiled), one of
   * the first 5 s of an extra fan-out burst (fanoutProfileFile), one of the first 15 s after the
   * restart (restartProfileFile), and a sampling heap profile of
   * what the connections hold (heapProfileFile; sampling while they connect: the ramp is slower).
   */
  profileFile?: string;
}

/** From the first connect until all were connected, and the accept-queue overflows meanwhile (null: not readable). */
export interface RampFigures {
  ms: number;
  listenOverflows: number | null;
}

export interface FanoutFigures {
  events: number;
  deliveries: number;
  ms: number;
  messagesPerSecond: number;
  publishMs: number;
}

export interface RunResult {
  kind: BenchServerKind;
  connections: number;
  ramp: RampFigures;
  /**
   * Per connection: from `baseline` (after the warm-up connections came and went) to `loaded`.
   * `warmupHeapKept`: what the heap kept of the warm-up, from `started` to `baseline`.
   * `codePerConnection`: of `heapPerConnection`, the net growth of V8's code (MemorySample.codeBytes).
   */
  memory: {
    rssPerConnection: number;
    heapPerConnection: number;
    codePerConnection: number;
    warmupHeapKept: number;
    started: MemorySample;
    baseline: MemorySample;
    loaded: MemorySample;
  };
  /**
   * Over the idle window: the server's CPU, and the client processes' (`clientMs`), which share the
   * machine's cores with the server: on a busy machine their heartbeat's CPU competes with the server's.
   */
  cpu: { cpuMs: number; heartbeats: number; windowMs: number; msPer1000Heartbeats: number; clientMs: number; clientMsPer1000Heartbeats: number };
  lag: ServerSample['lag'];
  fanout: FanoutFigures;
  /**
   * `serverCloses`: the monitor server's closes by code after the restart, and the sockets it refused
   * for the per-address limit (from its /metrics); the bare servers have no such figures.
   */
  restart: ReconnectFigures & { downMs: number; listenOverflows: number | null; serverCloses?: Record<string, number>; serverNote?: string };
}

/** How much longer than its nominal time the ramp may take: the monitor server needed about 48 s for 19,000 at 2,000/s. */
const RAMP_GRACE_MS = 120_000;

/** Time for the server to see the warm-up connections' closes before the baseline is read. */
const WARMUP_CLOSED_MS = 2_000;

/** How long the clients' subscriptions may take to be answered once all are connected. */
const SUBSCRIBE_TIMEOUT_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function fanoutEvents(connections: number, deliveries: number): number {
  return Math.min(200, Math.max(5, Math.round(deliveries / connections)));
}

/** Where the profile of the reconnect storm goes, beside the idle one. */
export function restartProfileFile(profileFile: string): string {
  return profileFile.replace(/\.cpuprofile$/, '-restart.cpuprofile');
}

/** Where the profile of an extra fan-out burst goes, beside the idle one. */
export function fanoutProfileFile(profileFile: string): string {
  return profileFile.replace(/\.cpuprofile$/, '-fanout.cpuprofile');
}

/** How much of the extra fan-out burst is profiled: its start, where the server sends to every client. */
const FANOUT_PROFILE_MS = 5_000;
/** Ample time for the server to start its profiler (an inspector round trip). */
const PROFILER_START_MS = 300;

/** Where the sampling heap profile of the connections' memory goes. */
export function heapProfileFile(profileFile: string): string {
  return profileFile.replace(/\.cpuprofile$/, '.heapprofile');
}

/** Profiles the first 15 s after a restart; a profile that cannot be taken is said, not fatal. */
async function profileStorm(server: BenchServer, file: string): Promise<void> {
  try {
    await server.api.request('profile', { ms: 15_000, file }, 60_000);
  } catch (error) {
    console.error(`No CPU profile of the reconnect storm: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const difference = (after: number | null, before: number | null): number | null => (after === null || before === null ? null : after - before);

async function serverCloses(server: BenchServer): Promise<Pick<RunResult['restart'], 'serverCloses' | 'serverNote'>> {
  if (!server.running) return { serverNote: 'the server process had exited' };
  if (!server.metricsUrl) return {};
  try {
    const metrics = await fetchMetrics(server.metricsUrl, 15_000);
    const closes = metricByLabel(metrics, 'heartbeat_disconnections_total', 'code');
    const refused = metricTotal(metrics, 'heartbeat_address_limit_rejections_total');
    return { serverCloses: { ...closes, ...(refused > 0 ? { 'refused (address limit)': refused } : {}) } };
  } catch (error) {
    // A diagnosis, not a figure of the table: the run goes on without it, and says so.
    return { serverNote: error instanceof Error ? error.message : String(error) };
  }
}

/** The label of a run in progress lines: `monitor × 1,000`. */
export function runLabel(kind: BenchKind, connections: number): string {
  return `${kind} × ${connections.toLocaleString('en-US')}`;
}

/** The monitor servers' clients are Heartbeat clients; the bare servers have their own. */
function clientKind(kind: BenchKind): ClientKind {
  return kind === 'ws' || kind === 'socketio' ? kind : 'heartbeat';
}

/**
 * Starts the clients of a run, split evenly over `urls`, and waits until all are connected. The
 * fleet is the caller's to close once this resolves; on a failure it is closed here.
 */
export async function connectClients(kind: BenchKind, urls: string[], settings: ClientSettings, progress: ProgressLine): Promise<{ fleet: Fleet; ramp: RampFigures }> {
  const { connections } = settings;
  const label = runLabel(kind, connections);
  const fleet = await Fleet.start({
    kind: clientKind(kind),
    urls,
    token: BENCH_CLIENT_TOKEN,
    topic: BENCH_TOPIC,
    connections,
    ratePerSecond: settings.ratePerSecond,
    processes: settings.processes,
    // At most 400 connections per source address: under the monitor server's default of 1,000.
    addresses: Math.ceil(connections / 400),
    reconnect: BENCH_RECONNECT,
    heartbeat: HEARTBEAT_CLIENT_TIMING,
  });
  try {
    const rampMs = (connections / settings.ratePerSecond) * 1000;
    const rampStart = Date.now();
    const overflowsBeforeRamp = listenOverflows();
    const opened = await fleet.waitFor(
      (s) => s.connected === connections,
      rampMs + RAMP_GRACE_MS,
      (s) => progress.update(`${label}: connecting ${progressBar(s.connected / connections)} ${s.connected}/${connections}`),
      250,
    );
    if (!opened.ok) {
      throw new Error(
        `Only ${opened.status.connected} of ${connections} ${kind} clients connected within ${Math.round((rampMs + RAMP_GRACE_MS) / 1000)} s` +
          `${opened.status.lastError ? ` (last failure: ${opened.status.lastError})` : ''}. Check that the machine is not overloaded, or lower the sizes (--sizes).`,
      );
    }
    return { fleet, ramp: { ms: Date.now() - rampStart, listenOverflows: difference(listenOverflows(), overflowsBeforeRamp) } };
  } catch (error) {
    await fleet.close();
    throw error;
  }
}

/**
 * Once every client's subscription was answered (on whichever node holds it), `publisher` publishes
 * the burst; deliveries ÷ the time until the last client had all of them.
 */
export async function measureFanout(kind: BenchKind, fleet: Fleet, publisher: BenchServer, settings: ClientSettings, progress: ProgressLine): Promise<FanoutFigures> {
  const { connections } = settings;
  const label = runLabel(kind, connections);
  const subscribed = await fleet.waitFor(
    (s) => s.subscribed === connections,
    SUBSCRIBE_TIMEOUT_MS,
    (s) => progress.update(`${label}: fan-out, subscriptions answered ${s.subscribed}/${connections}`),
    20,
  );
  if (!subscribed.ok) {
    throw new Error(
      `Fan-out: the subscriptions of only ${subscribed.status.subscribed} of ${connections} ${kind} clients (${subscribed.status.connected} connected) ` +
        `were answered within ${SUBSCRIBE_TIMEOUT_MS / 1000} s. Look for a failed subscribe in the server's output above.`,
    );
  }
  progress.update(`${label}: fan-out`);
  const events = fanoutEvents(connections, settings.fanoutDeliveries);
  await fleet.mark(events);
  const publishedAt = Date.now();
  const { ms: publishMs } = await publisher.api.request('publish', { topic: BENCH_TOPIC, payload: { ...FANOUT_PAYLOAD }, count: events }, 120_000);
  const delivered = await fleet.waitFor((s) => s.allReachedAt !== null, 120_000, undefined, 20);
  if (!delivered.ok) {
    throw new Error(`Fan-out: ${delivered.status.received} of ${events * connections} messages reached the ${kind} clients within 120 s.`);
  }
  const ms = (delivered.status.allReachedAt as number) - publishedAt;
  return { events, deliveries: events * connections, ms, messagesPerSecond: (events * connections) / (ms / 1000), publishMs };
}

export async function benchRun(settings: RunSettings, progress: ProgressLine): Promise<RunResult> {
  const { kind, connections } = settings;
  const label = runLabel(kind, connections);
  const server = await BenchServer.start({ kind, port: await freePort(), pingIntervalMs: settings.pingIntervalMs });
  let fleet: Fleet | null = null;
  try {
    await sleep(1_000);
    const started = await server.api.request('memory', {});
    const warmup = await connectClients(kind, [server.url], { ...settings, connections: WARMUP_CONNECTIONS }, progress);
    // The warm-up goes through what the measured connections go through before their reading
    // (connect, then the settle time, pinged), so that the memory the heartbeat path grows once is
    // not counted per connection either (docs/benchmarks.md#fifth-pass-after-issue-15-2026-12-06).
    progress.update(`${label}: warm-up connections settling`);
    await sleep(settings.settleMs);
    await warmup.fleet.close();
    progress.update(`${label}: warm-up connections closed`);
    await sleep(WARMUP_CLOSED_MS);
    const baseline = await server.api.request('memory', {});
    if (settings.profileFile) await server.api.request('heapSampling', { action: 'start' });
    const clients = await connectClients(kind, [server.url], settings, progress);
    fleet = clients.fleet;
    progress.update(`${label}: settling`);
    await sleep(settings.settleMs);
    const loaded = await server.api.request('memory', {});
    if (settings.profileFile) await server.api.request('heapSampling', { action: 'stop', file: heapProfileFile(settings.profileFile) });
    progress.update(`${label}: waiting ${settings.afterGcMs / 1000} s after the memory reading's full GC`);
    await sleep(settings.afterGcMs);

    progress.update(`${label}: measuring idle CPU and event-loop lag for ${settings.windowMs / 1000} s`);
    const [before, clientsBefore] = await Promise.all([server.api.request('sample', {}), fleet.status()]);
    await sleep(settings.windowMs);
    const [after, clientsAfter] = await Promise.all([server.api.request('sample', {}), fleet.status()]);
    const heartbeats = after.heartbeats - before.heartbeats;
    const cpuMs = (after.cpuMicros - before.cpuMicros) / 1000;
    const clientMs = (clientsAfter.cpuMicros - clientsBefore.cpuMicros) / 1000;
    if (heartbeats <= 0) throw new Error(`The ${kind} server counted no heartbeats in ${settings.windowMs / 1000} s with ${connections} clients: its ping is not running.`);

    if (settings.profileFile) {
      progress.update(`${label}: profiling an extra idle window`);
      await server.api.request('profile', { ms: settings.windowMs, file: settings.profileFile }, settings.windowMs + 30_000);
    }

    const fanout = await measureFanout(kind, fleet, server, settings, progress);
    if (settings.profileFile) {
      // A burst of its own, as for the idle window: the measured one stays unprofiled.
      const file = fanoutProfileFile(settings.profileFile);
      const profiled = server.api
        .request('profile', { ms: FANOUT_PROFILE_MS, file }, FANOUT_PROFILE_MS + 30_000)
        .catch((error: unknown) => console.error(`No CPU profile of the fan-out: ${error instanceof Error ? error.message : String(error)}`));
      // A server that publishes the whole burst in one synchronous loop would otherwise run it
      // before the profiler has started.
      await sleep(PROFILER_START_MS);
      try {
        await measureFanout(kind, fleet, server, settings, progress);
      } finally {
        await profiled;
      }
    }

    progress.update(`${label}: restart (SIGKILL, start again on the same port)`);
    await fleet.mark();
    const overflowsBeforeRestart = listenOverflows();
    const killedAt = Date.now();
    await server.kill('SIGKILL');
    await server.restart();
    const listeningAt = Date.now();
    const backTimeoutMs = BENCH_RECONNECT.maxReconnectInterval + 60_000;
    const stormProfile = settings.profileFile ? profileStorm(server, restartProfileFile(settings.profileFile)) : null;
    await fleet.waitFor(
      (s) => s.connected === connections,
      backTimeoutMs,
      (s) => progress.update(`${label}: reconnecting ${progressBar(s.connected / connections)} ${s.connected}/${connections}`),
      100,
    );
    await stormProfile;
    const restart = {
      ...reconnectFigures(await fleet.report(), listeningAt),
      downMs: listeningAt - killedAt,
      listenOverflows: difference(listenOverflows(), overflowsBeforeRestart),
      ...(await serverCloses(server)),
    };
    progress.done(`${label}: done`);

    return {
      kind,
      connections,
      ramp: clients.ramp,
      memory: {
        rssPerConnection: (loaded.rssBytes - baseline.rssBytes) / connections,
        heapPerConnection: (loaded.heapUsedBytes - baseline.heapUsedBytes) / connections,
        codePerConnection: (loaded.codeBytes - baseline.codeBytes) / connections,
        warmupHeapKept: baseline.heapUsedBytes - started.heapUsedBytes,
        started,
        baseline,
        loaded,
      },
      cpu: {
        cpuMs,
        heartbeats,
        windowMs: after.at - before.at,
        msPer1000Heartbeats: (cpuMs / heartbeats) * 1000,
        clientMs,
        clientMsPer1000Heartbeats: (clientMs / heartbeats) * 1000,
      },
      lag: after.lag,
      fanout,
      restart,
    };
  } finally {
    await fleet?.close();
    await server.kill('SIGKILL');
  }
}
