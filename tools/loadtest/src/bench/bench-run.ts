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
import type { ReconnectSettings } from '../lib/worker-api.js';
import type { BenchServerKind, ServerSample } from '../servers/bench-server-api.js';
import type { BenchSettings } from './bench-options.js';
import { BENCH_CLIENT_TOKEN, BenchServer } from './bench-server.js';

export const BENCH_TOPIC = 'bench';

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

export interface RunSettings extends Pick<BenchSettings, 'ratePerSecond' | 'settleMs' | 'windowMs' | 'pingIntervalMs' | 'processes' | 'fanoutDeliveries'> {
  kind: BenchServerKind;
  connections: number;
  /**
   * Write a CPU profile of an extra idle window here (the measured window stays unprofiled), one of
   * the first 15 s after the restart beside it (restartProfileFile), and a sampling heap profile of
   * what the connections hold (heapProfileFile; sampling while they connect: the ramp is slower).
   */
  profileFile?: string;
}

export interface RunResult {
  kind: BenchServerKind;
  connections: number;
  /** From the first connect until all were connected, and the accept-queue overflows meanwhile (null: not readable). */
  ramp: { ms: number; listenOverflows: number | null };
  memory: { rssPerConnection: number; heapPerConnection: number; baseline: ServerSample; loaded: ServerSample };
  cpu: { cpuMs: number; heartbeats: number; windowMs: number; msPer1000Heartbeats: number };
  lag: ServerSample['lag'];
  fanout: { events: number; deliveries: number; ms: number; messagesPerSecond: number; publishMs: number };
  /**
   * `serverCloses`: the monitor server's closes by code after the restart, and the sockets it refused
   * for the per-address limit (from its /metrics); the bare servers have no such figures.
   */
  restart: ReconnectFigures & { downMs: number; listenOverflows: number | null; serverCloses?: Record<string, number>; serverNote?: string };
}

/** How much longer than its nominal time the ramp may take: the monitor server needed about 48 s for 19,000 at 2,000/s. */
const RAMP_GRACE_MS = 120_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function fanoutEvents(connections: number, deliveries: number): number {
  return Math.min(200, Math.max(5, Math.round(deliveries / connections)));
}

/** Where the profile of the reconnect storm goes, beside the idle one. */
export function restartProfileFile(profileFile: string): string {
  return profileFile.replace(/\.cpuprofile$/, '-restart.cpuprofile');
}

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

export async function benchRun(settings: RunSettings, progress: ProgressLine): Promise<RunResult> {
  const { kind, connections } = settings;
  const label = `${kind} × ${connections.toLocaleString('en-US')}`;
  const server = await BenchServer.start({ kind, port: await freePort(), pingIntervalMs: settings.pingIntervalMs });
  let fleet: Fleet | null = null;
  try {
    await sleep(1_000);
    const baseline = await server.api.request('sample', { gc: true });
    if (settings.profileFile) await server.api.request('heapSampling', { action: 'start' });
    fleet = await Fleet.start({
      kind: kind === 'monitor' ? 'heartbeat' : kind,
      url: server.url,
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
    const rampTookMs = Date.now() - rampStart;
    const rampOverflows = difference(listenOverflows(), overflowsBeforeRamp);
    progress.update(`${label}: settling`);
    await sleep(settings.settleMs);
    const loaded = await server.api.request('sample', { gc: true });
    if (settings.profileFile) await server.api.request('heapSampling', { action: 'stop', file: heapProfileFile(settings.profileFile) });

    progress.update(`${label}: measuring idle CPU and event-loop lag for ${settings.windowMs / 1000} s`);
    const before = await server.api.request('sample', {});
    await sleep(settings.windowMs);
    const after = await server.api.request('sample', {});
    const heartbeats = after.heartbeats - before.heartbeats;
    const cpuMs = (after.cpuMicros - before.cpuMicros) / 1000;
    if (heartbeats <= 0) throw new Error(`The ${kind} server counted no heartbeats in ${settings.windowMs / 1000} s with ${connections} clients: its ping is not running.`);

    if (settings.profileFile) {
      progress.update(`${label}: profiling an extra idle window`);
      await server.api.request('profile', { ms: settings.windowMs, file: settings.profileFile }, settings.windowMs + 30_000);
    }

    progress.update(`${label}: fan-out`);
    const events = fanoutEvents(connections, settings.fanoutDeliveries);
    await fleet.mark(events);
    const publishedAt = Date.now();
    const { ms: publishMs } = await server.api.request('publish', { topic: BENCH_TOPIC, payload: { ...FANOUT_PAYLOAD }, count: events }, 120_000);
    const delivered = await fleet.waitFor((s) => s.allReachedAt !== null, 120_000, undefined, 20);
    if (!delivered.ok) {
      throw new Error(`Fan-out: ${delivered.status.received} of ${events * connections} messages reached the ${kind} clients within 120 s.`);
    }
    const fanoutMs = (delivered.status.allReachedAt as number) - publishedAt;

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
      ramp: { ms: rampTookMs, listenOverflows: rampOverflows },
      memory: {
        rssPerConnection: (loaded.rssBytes - baseline.rssBytes) / connections,
        heapPerConnection: (loaded.heapUsedBytes - baseline.heapUsedBytes) / connections,
        baseline,
        loaded,
      },
      cpu: { cpuMs, heartbeats, windowMs: after.at - before.at, msPer1000Heartbeats: (cpuMs / heartbeats) * 1000 },
      lag: after.lag,
      fanout: { events, deliveries: events * connections, ms: fanoutMs, messagesPerSecond: (events * connections) / (fanoutMs / 1000), publishMs },
      restart,
    };
  } finally {
    await fleet?.close();
    await server.kill('SIGKILL');
  }
}
