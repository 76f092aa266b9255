import type { HeartbeatTimingOptions } from '@heartbeat/client';
import type { ClientReport, ClientsSpec, ClientsStatus, CutKind } from './ipc.js';
import { CLIENT_TOKEN, loopbackAddresses, waitFor } from './server.js';
import { type WorkerHandle, spawnWorkers, stopAll } from './workers.js';

/**
 * Client timings of the scenarios where servers or Redis go away and come back: a dead link is seen
 * within 1.9 s, and a client retries from 500 ms up to every 3 s, 20 times.
 */
export const RESTART_CLIENT_TIMING = {
  pingInterval: 1_000,
  pongTimeout: 300,
  maxMissedPongs: 3,
  reconnectInterval: 500,
  backoffMultiplier: 1.5,
  maxReconnectInterval: 3_000,
  maxReconnectAttempts: 20,
  jitter: 0.3,
  connectTimeout: 3_000,
};

export interface FleetOptions {
  name: string;
  /** One server, or several: the clients of each process are spread over them in turn. */
  wsUrl: string | readonly string[];
  processes: number;
  clientsPerProcess: number;
  options: Partial<HeartbeatTimingOptions>;
  topic?: string;
  /** Clients connect through a chaos proxy in their process. */
  proxy?: boolean;
  /** First loopback block of this fleet's source addresses (127.<block>.x.1); each process takes two. */
  addressBlock: number;
  addressesPerProcess?: number;
  connectSpreadMs?: number;
  /** Check what reaches each client's socket too (ClientReport.wire). */
  wire?: boolean;
}

/** HeartbeatClients spread over several worker processes and loopback source addresses. */
export class ClientFleet {
  private constructor(
    readonly workers: WorkerHandle[],
    readonly total: number,
  ) {}

  static async start(options: FleetOptions): Promise<ClientFleet> {
    const workers = await spawnWorkers(options.name, options.processes);
    const fleet = new ClientFleet(workers, options.processes * options.clientsPerProcess);
    try {
      const perProcess = options.addressesPerProcess ?? 8;
      await Promise.all(
        workers.map((worker, i) => {
          const spec: ClientsSpec = {
            urls: typeof options.wsUrl === 'string' ? [options.wsUrl] : [...options.wsUrl],
            token: CLIENT_TOKEN,
            count: options.clientsPerProcess,
            localAddresses: loopbackAddresses(options.addressBlock + 2 * i, perProcess),
            topic: options.topic ?? 'alerts',
            options: options.options,
            ...(options.proxy ? { proxy: { upstreamAddresses: loopbackAddresses(options.addressBlock + 2 * i + 1, perProcess) } } : {}),
            ...(options.connectSpreadMs ? { connectSpreadMs: options.connectSpreadMs } : {}),
            ...(options.wire ? { wire: true } : {}),
          };
          return worker.request('start', spec, 60_000);
        }),
      );
    } catch (error) {
      await stopAll(workers);
      throw error;
    }
    return fleet;
  }

  async status(epoch = ''): Promise<ClientsStatus> {
    const all = await Promise.all(this.workers.map((worker) => worker.request('status', { epoch })));
    return {
      total: all.reduce((n, s) => n + s.total, 0),
      connected: all.reduce((n, s) => n + s.connected, 0),
      minLast: Math.min(...all.map((s) => s.minLast)),
    };
  }

  /** Waits until every client is connected; false after `timeoutMs`. */
  allConnected(timeoutMs: number): Promise<boolean> {
    return waitFor(async () => (await this.status()).connected === this.total, timeoutMs, 100);
  }

  /** Waits until every client is connected and has delivered `seq` of `epoch`. */
  caughtUp(epoch: string, seq: number, timeoutMs: number): Promise<boolean> {
    return waitFor(
      async () => {
        const status = await this.status(epoch);
        return status.connected === this.total && status.minLast >= seq;
      },
      timeoutMs,
      200,
    );
  }

  /** Cuts one random connected client's connection in a random process; false if none could be cut. */
  async cut(kind: CutKind): Promise<boolean> {
    const order = [...this.workers].sort(() => Math.random() - 0.5);
    for (const worker of order) {
      if ((await worker.request('cut', { kind })).applied) return true;
    }
    return false;
  }

  async reports(): Promise<ClientReport[]> {
    const all = await Promise.all(this.workers.map((worker) => worker.request('report', {}, 120_000)));
    return all.flatMap((report, w) => report.clients.map((client) => ({ ...client, index: w * 1_000_000 + client.index })));
  }

  async proxyStats(): Promise<{ accepted: number; rst: number; blackholed: number }> {
    const all = await Promise.all(this.workers.map((worker) => worker.request('report', {}, 120_000)));
    return all.reduce(
      (total, report) => ({
        accepted: total.accepted + (report.proxy?.accepted ?? 0),
        rst: total.rst + (report.proxy?.rst ?? 0),
        blackholed: total.blackholed + (report.proxy?.blackholed ?? 0),
      }),
      { accepted: 0, rst: 0, blackholed: 0 },
    );
  }

  stop(): Promise<void> {
    return stopAll(this.workers);
  }
}
