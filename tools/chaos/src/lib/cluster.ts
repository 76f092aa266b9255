import type { MonitorServerExit, MonitorServerProcess } from '@heartbeat/testing';
import { ClientFleet, type FleetOptions, RESTART_CLIENT_TIMING } from './client-fleet.js';
import { startServer, topicHead, waitFor } from './server.js';

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

/**
 * The start of a cluster scenario: every node linked to Redis, then clients spread over the nodes
 * on the restart timing with their frames checked on the wire, all connected within
 * `connectTimeoutMs` and level with `alerts`. Returns the fleet and the head they are level with;
 * throws (the fleet stopped) when a step does not come about.
 */
export async function linkedFleet(
  nodes: readonly MonitorServerProcess[],
  options: Omit<FleetOptions, 'wsUrl' | 'options' | 'wire'>,
  connectTimeoutMs: number,
): Promise<{ fleet: ClientFleet; head: { epoch: string; seq: number } }> {
  if (!(await allLinked(nodes, 10_000))) throw new Error('not every node linked to Redis within 10 s');
  const fleet = await ClientFleet.start({ ...options, wsUrl: nodes.map((node) => node.wsUrl), options: RESTART_CLIENT_TIMING, wire: true });
  try {
    const clients = options.processes * options.clientsPerProcess;
    if (!(await fleet.allConnected(connectTimeoutMs))) {
      throw new Error(`not all ${clients} clients connected within ${connectTimeoutMs / 1_000} s: ${JSON.stringify(await fleet.status())}`);
    }
    const head = await topicHead(nodes[0] as MonitorServerProcess, 'alerts');
    if (!(await fleet.caughtUp(head.epoch, head.seq, 10_000))) throw new Error(`the clients did not catch up with ${head.epoch}:${head.seq} within 10 s`);
    return { fleet, head };
  } catch (error) {
    await fleet.stop();
    throw error;
  }
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
