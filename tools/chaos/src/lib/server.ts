import { MonitorServerProcess } from '@heartbeat/testing';
import { WebSocket } from 'ws';

export const CLIENT_TOKEN = 'chaos-client';
export const ADMIN_TOKEN = 'chaos-admin';

/** Environment every scenario's server gets; scenarios add their own on top. */
export const BASE_ENV: Readonly<Record<string, string>> = {
  CLIENT_TOKENS: CLIENT_TOKEN,
  ADMIN_TOKEN,
  // LOG_LEVEL stays at its default: MonitorServerProcess waits for the "Listening on" log line.
  // Thousands of loopback clients: the per-address limit is lifted (0) except where it is tested.
  MAX_CONNECTIONS_PER_ADDRESS: '0',
};

const servers = new Set<MonitorServerProcess>();

export async function startServer(env: Record<string, string>, port?: number): Promise<MonitorServerProcess> {
  const server = await MonitorServerProcess.start({ ...BASE_ENV, ...env }, port);
  servers.add(server);
  return server;
}

/** Kills every server this run started (on SIGINT/SIGTERM, so that none outlives an interrupted run). */
export function killAllServers(): void {
  for (const server of servers) {
    const pid = server.pid;
    if (pid !== null) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}

/** Parses the Prometheus text of /metrics into `name{labels}` → value. */
export async function scrapeMetrics(server: { url: string }): Promise<Map<string, number>> {
  const response = await fetch(`${server.url}/metrics`);
  const text = await response.text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

/** Sum of a metric over all its label sets matching `labelFilter` (e.g. `code="4009"`). */
export function metricSum(metrics: Map<string, number>, name: string, labelFilter?: string): number {
  let total = 0;
  for (const [key, value] of metrics) {
    const bare = key.split('{')[0];
    if (bare !== name) continue;
    if (labelFilter && !key.includes(labelFilter)) continue;
    total += value;
  }
  return total;
}

/** Closes by code from `heartbeat_disconnections_total{code}`. */
export function disconnectionsByCode(metrics: Map<string, number>): Record<string, number> {
  const byCode: Record<string, number> = {};
  for (const [key, value] of metrics) {
    const match = /^heartbeat_disconnections_total\{.*code="(\d+)".*\}$/.exec(key);
    if (match && value > 0) byCode[match[1] as string] = value;
  }
  return byCode;
}

export async function adminStats<T = unknown>(server: { url: string }): Promise<T> {
  const response = await fetch(`${server.url}/api/heartbeat/stats`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  if (!response.ok) throw new Error(`GET /api/heartbeat/stats answered ${response.status}`);
  return (await response.json()) as T;
}

export async function health(server: { url: string }): Promise<boolean> {
  try {
    const response = await fetch(`${server.url}/health`);
    return response.ok;
  } catch {
    return false;
  }
}

/** The topic's current epoch and head seq, as a fresh subscriber is told in `subscribed`. */
export function topicHead(server: { wsUrl: string }, topic: string): Promise<{ epoch: string; seq: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(server.wsUrl);
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no "subscribed" for ${topic} within 5 s`));
    }, 5_000);
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('open', () => socket.send(JSON.stringify({ type: 'hello', token: CLIENT_TOKEN })));
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; epoch?: string; seq?: number };
      if (frame.type === 'welcome') socket.send(JSON.stringify({ type: 'subscribe', topic }));
      if (frame.type === 'subscribed') {
        clearTimeout(timer);
        socket.close(1000);
        resolve({ epoch: frame.epoch as string, seq: frame.seq as number });
      }
    });
  });
}

/** Loopback source addresses 127.<block>.<1..count>.1: each worker gets its own block. */
export function loopbackAddresses(block: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.${block}.${i + 1}.1`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns true; false after `timeoutMs`. */
export async function waitFor(probe: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}
