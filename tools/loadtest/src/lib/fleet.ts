/**
 * A load of client connections spread over worker processes (a process may hold at most 20,000
 * open files) and over loopback source addresses (servers limit connections per address, and
 * each source address has its own ephemeral ports).
 */
import { fileURLToPath } from 'node:url';
import { ChildChannel } from '@heartbeat/testing/child-channel';
import type { OpenSpec, StreamTotals, WorkerApi, WorkerReport, WorkerStatus } from './worker-api.js';

const WORKER = fileURLToPath(new URL('../worker.js', import.meta.url));

export interface FleetSpec extends Omit<OpenSpec, 'url' | 'count' | 'ratePerSecond' | 'localAddresses'> {
  /** Servers the connections are split over evenly (several: nodes of one cluster). */
  urls: readonly string[];
  connections: number;
  /** New connections per second, all processes together. */
  ratePerSecond: number;
  processes: number;
  /** Source addresses in all; each process gets its own. */
  addresses: number;
}

/** The workers' reports merged: every client, every failed attempt, the stream totals summed. */
export type FleetReport = WorkerReport;

/** `count` loopback addresses 127.77.x.y, none of them 127.0.0.1 (which the server may see from elsewhere). */
export function loopbackAddresses(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.77.${Math.floor(i / 250)}.${(i % 250) + 1}`);
}

/** Splits `total` into `parts` whole shares that differ by at most one. */
export function shares(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

/**
 * What each worker process opens: the connections split evenly over the servers, each server's
 * share over workers of its own (a worker's clients all have one URL). The processes are rounded up
 * to a multiple of the servers, so that every server gets as many; a worker with nothing to open is left out.
 */
export function workerLoads(connections: number, processes: number, urls: readonly string[]): { url: string; count: number }[] {
  const perServer = Math.ceil(Math.max(1, Math.min(processes, connections)) / urls.length);
  return shares(connections, urls.length)
    .flatMap((share, i) => shares(share, perServer).map((count) => ({ url: urls[i] as string, count })))
    .filter((load) => load.count > 0);
}

export class Fleet {
  private constructor(
    private readonly workers: ChildChannel<WorkerApi>[],
    readonly size: number,
    /** Settles once every client was started (not necessarily connected). */
    readonly opened: Promise<void>,
  ) {}

  /** Starts the workers and begins opening connections; does not wait for them (see `waitFor`). */
  static async start(spec: FleetSpec): Promise<Fleet> {
    const loads = workerLoads(spec.connections, spec.processes, spec.urls);
    const processes = loads.length;
    const addresses = loopbackAddresses(Math.max(processes, spec.addresses));
    const addressShares = shares(addresses.length, processes);
    const forks = await Promise.allSettled(
      Array.from({ length: processes }, (_, i) =>
        ChildChannel.fork<WorkerApi, { pid: number }>(WORKER, { name: `client worker ${i + 1}`, execArgv: ['--max-old-space-size=2048'] }),
      ),
    );
    const workers = forks.flatMap((result) => (result.status === 'fulfilled' ? [result.value.channel] : []));
    const failure = forks.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) {
      await Promise.all(workers.map((worker) => worker.close()));
      throw failure.reason;
    }
    let nextAddress = 0;
    const opens = workers.map((worker, i) => {
      const localAddresses = addresses.slice(nextAddress, (nextAddress += addressShares[i] as number));
      const { connections: _c, processes: _p, addresses: _a, urls: _u, ...rest } = spec;
      const { url, count } = loads[i] as { url: string; count: number };
      // Opening is paced by the worker; the timeout allows for the whole ramp and a slow machine.
      const rampMs = (count / (spec.ratePerSecond / processes)) * 1000;
      return worker.request('open', { ...rest, url, count, ratePerSecond: spec.ratePerSecond / processes, localAddresses }, rampMs + 120_000);
    });
    return new Fleet(workers, spec.connections, Promise.all(opens).then(() => undefined));
  }

  async status(): Promise<WorkerStatus> {
    const all = await Promise.all(this.workers.map((worker) => worker.request('status', {})));
    const sum = (pick: (s: WorkerStatus) => number) => all.reduce((total, s) => total + pick(s), 0);
    const reachedAll = all.every((s) => s.allReachedAt !== null);
    return {
      total: sum((s) => s.total),
      started: sum((s) => s.started),
      connected: sum((s) => s.connected),
      subscribed: sum((s) => s.subscribed),
      gaveUp: sum((s) => s.gaveUp),
      received: sum((s) => s.received),
      reachedExpected: sum((s) => s.reachedExpected),
      allReachedAt: reachedAll ? Math.max(...all.map((s) => s.allReachedAt as number)) : null,
      failedHandshakes: sum((s) => s.failedHandshakes),
      lastError: all.find((s) => s.lastError !== null)?.lastError ?? null,
      cpuMicros: sum((s) => s.cpuMicros),
    };
  }

  /**
   * Polls the status until `done` says so or `timeoutMs` passes; `onTick` sees every status (for a
   * progress line). Resolves with the last status and whether `done` was reached.
   */
  async waitFor(done: (status: WorkerStatus) => boolean, timeoutMs: number, onTick?: (status: WorkerStatus) => void, everyMs = 100): Promise<{ ok: boolean; status: WorkerStatus }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.status();
      onTick?.(status);
      if (done(status)) return { ok: true, status };
      if (Date.now() >= deadline) return { ok: false, status };
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }

  async mark(expect?: number): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.request('mark', expect === undefined ? {} : { expect })));
  }

  /** Cuts `count` connections, spread over the workers from a random one on (one cut at a time must not always hit the first). */
  async cut(count: number): Promise<number> {
    const offset = Math.floor(Math.random() * this.workers.length);
    const done = await Promise.all(
      shares(count, this.workers.length).map((share, i) => (this.workers[(i + offset) % this.workers.length] as ChildChannel<WorkerApi>).request('cut', { count: share })),
    );
    return done.reduce((total, result) => total + result.cut, 0);
  }

  async report(): Promise<FleetReport> {
    const all = await Promise.all(this.workers.map((worker) => worker.request('report', {}, 120_000)));
    const streams: StreamTotals = { delivered: 0, lost: 0, duplicates: 0, gaps: 0, silentEpochChanges: 0 };
    for (const { streams: s } of all) for (const key of Object.keys(streams) as (keyof StreamTotals)[]) streams[key] += s[key];
    return {
      clients: all.flatMap((r) => r.clients),
      streams,
      latencyMs: all.flatMap((r) => r.latencyMs),
      failedAttempts: all.flatMap((r) => r.failedAttempts),
    };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(async (worker) => {
        await worker.request('close', {}, 10_000).catch(() => undefined);
        await worker.close();
      }),
    );
  }
}
