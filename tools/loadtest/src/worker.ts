/**
 * A client worker process: holds a share of the load's connections (one kind of client), opens
 * them at a given rate from loopback source addresses, and counts what happens to them. Driven by
 * the load test and the benchmark over IPC (lib/worker-api.ts); exits when its parent goes away.
 */
import { serveChannel } from '@heartbeat/testing/child-channel';
import { createLoadClient, type LoadClient } from './lib/load-clients.js';
import { StreamCheck } from './lib/stream-check.js';
import type { ClientHistory, OpenSpec, StreamTotals, WorkerApi, WorkerReport, WorkerStatus } from './lib/worker-api.js';

/** Latencies kept per worker: a uniform sample (reservoir) of every event's. */
const LATENCY_SAMPLES = 20_000;

const tracked: Tracked[] = [];
let markAt = 0;
let expect = 0;
let reached = 0;
let allReachedAt: number | null = null;
let received = 0;
let failedAttempts: WorkerReport['failedAttempts'] = [];
let lastError: string | null = null;
let latencies: number[] = [];
let latencySeen = 0;
let started = 0;

function keepLatency(ms: number): void {
  latencySeen++;
  if (latencies.length < LATENCY_SAMPLES) latencies.push(ms);
  else {
    const slot = Math.floor(Math.random() * latencySeen);
    if (slot < LATENCY_SAMPLES) latencies[slot] = ms;
  }
}

/** One client and what happened to it since the last mark. */
class Tracked {
  readonly history: ClientHistory = { established: [], lost: [] };
  readonly stream = new StreamCheck();
  received = 0;
  readonly client: LoadClient;

  constructor(spec: OpenSpec, localAddress: string) {
    this.client = createLoadClient(spec, localAddress, {
      established: (at) => this.history.established.push(at),
      lost: (at, code) => this.history.lost.push({ at, code }),
      failed: (startedAt, reason) => {
        lastError = reason;
        if (startedAt >= markAt) failedAttempts.push({ at: startedAt, reason });
      },
      message: () => {
        received++;
        this.received++;
        if (expect > 0 && this.received === expect && ++reached === tracked.length) allReachedAt = Date.now();
      },
      event: (epoch, seq, timestamp) => {
        this.stream.event(epoch, seq);
        if (spec.sampleLatency) keepLatency(Date.now() - Date.parse(timestamp));
      },
      gap: () => this.stream.gap(),
    });
  }
}

/** Starts the clients evenly over time at `ratePerSecond`, checking the clock every 10 ms. */
async function open(spec: OpenSpec): Promise<{ started: number }> {
  for (let i = 0; i < spec.count; i++) tracked.push(new Tracked(spec, spec.localAddresses[i % spec.localAddresses.length] as string));
  const startAt = Date.now();
  while (started < spec.count) {
    const due = Math.min(spec.count, Math.ceil(((Date.now() - startAt) / 1000) * spec.ratePerSecond) + 1);
    for (; started < due; started++) (tracked[started] as Tracked).client.start();
    if (started < spec.count) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { started };
}

function status(): WorkerStatus {
  // Read first: the loop below is the caller's, not the load's.
  const cpu = process.cpuUsage();
  let connected = 0;
  let subscribed = 0;
  let gaveUp = 0;
  for (const { client } of tracked) {
    if (client.connected) {
      connected++;
      if (client.subscribed) subscribed++;
    } else if (client.gaveUp) gaveUp++;
  }
  return {
    total: tracked.length,
    started,
    connected,
    subscribed,
    gaveUp,
    received,
    reachedExpected: reached,
    allReachedAt,
    failedHandshakes: failedAttempts.length,
    lastError,
    cpuMicros: cpu.user + cpu.system,
  };
}

function mark(params: { expect?: number }): null {
  markAt = Date.now();
  expect = params.expect ?? 0;
  reached = 0;
  allReachedAt = null;
  received = 0;
  failedAttempts = [];
  latencies = [];
  latencySeen = 0;
  for (const entry of tracked) {
    entry.received = 0;
    entry.history.established = [];
    entry.history.lost = [];
  }
  return null;
}

function cut(params: { count: number }): { cut: number } {
  const candidates = tracked.filter((entry) => entry.client.connected);
  let done = 0;
  while (done < params.count && candidates.length > 0) {
    const [entry] = candidates.splice(Math.floor(Math.random() * candidates.length), 1);
    if (entry?.client.cut()) done++;
  }
  return { cut: done };
}

function report(): WorkerReport {
  const streams: StreamTotals = { delivered: 0, lost: 0, duplicates: 0, gaps: 0, silentEpochChanges: 0 };
  for (const { stream } of tracked) {
    streams.delivered += stream.delivered;
    streams.lost += stream.lost;
    streams.duplicates += stream.duplicates;
    streams.gaps += stream.gaps;
    streams.silentEpochChanges += stream.silentEpochChanges;
  }
  return { clients: tracked.map((entry) => entry.history), streams, latencyMs: latencies, failedAttempts };
}

function close(): null {
  for (const entry of tracked) entry.client.stop();
  return null;
}

serveChannel<WorkerApi>({ open, status, mark, cut, report, close }, { pid: process.pid });
