import type { MonitorServerExit, MonitorServerProcess } from '@heartbeat/testing';
import { startServer, waitFor } from './server.js';

/** Several monitor servers in Redis mode on one Redis, as nodes behind a load balancer run. */
export async function startNodes(count: number, redisUrl: string, env: Record<string, string>): Promise<MonitorServerProcess[]> {
  const nodes: MonitorServerProcess[] = [];
  try {
    for (let i = 1; i <= count; i++) nodes.push(await startServer({ ...env, REDIS_URL: redisUrl, NODE_ID: `node-${i}` }));
  } catch (error) {
    await Promise.all(nodes.map((node) => node.kill('SIGKILL')));
    throw error;
  }
  return nodes;
}

/** `redis.status` on the node's /health, or null when it does not answer. */
export async function redisStatus(node: { url: string }): Promise<'up' | 'down' | null> {
  try {
    const response = await fetch(`${node.url}/health`, { signal: AbortSignal.timeout(2_000) });
    return ((await response.json()) as { redis?: { status: 'up' | 'down' } }).redis?.status ?? null;
  } catch {
    return null;
  }
}

/** Waits until every node says on /health that its link to Redis is up; false after `timeoutMs`. */
export function allLinked(nodes: readonly { url: string }[], timeoutMs: number): Promise<boolean> {
  return waitFor(async () => (await Promise.all(nodes.map(redisStatus))).every((status) => status === 'up'), timeoutMs, 50);
}

export interface Termination {
  exit: MonitorServerExit;
  /** ms from SIGTERM to the exit (to the SIGKILL when it outlived the bound). */
  ms: number;
  withinBound: boolean;
}

/** SIGTERM, and SIGKILL if the node has not exited within `boundMs`: how it ended and how long it took. */
export async function terminate(node: MonitorServerProcess, boundMs: number): Promise<Termination> {
  const at = Date.now();
  const exited = node.kill('SIGTERM');
  const timer = new Promise<null>((resolve) => setTimeout(() => resolve(null), boundMs).unref());
  const exit = await Promise.race([exited, timer]);
  if (exit) return { exit, ms: Date.now() - at, withinBound: true };
  const elapsed = Date.now() - at;
  if (node.pid !== null) process.kill(node.pid, 'SIGKILL');
  return { exit: await exited, ms: elapsed, withinBound: false };
}
