/**
 * Fan-out across two monitor servers on Redis: on one Redis (`monitor-redis`), or on a three-shard
 * Redis Cluster (`monitor-cluster`, started by the caller: `clusterNodes`). The clients are split
 * half and half over the two nodes and the burst is published on the first, so every event reaches
 * half of its subscribers through Redis Pub/Sub on the other node. Only the fan-out is measured.
 */
import { deleteRedisKeys, freePort, requireRedis, sleep } from '@heartbeat/testing';
import { randomBytes } from 'node:crypto';
import type { Fleet } from '../lib/fleet.js';
import type { ProgressLine } from '../lib/progress.js';
import type { BenchSettings, TwoNodeKind } from './bench-options.js';
import { connectClients, type ClientSettings, type FanoutFigures, measureFanout, type RampFigures, runLabel } from './bench-run.js';
import { BenchServer } from './bench-server.js';

export interface TwoNodeSettings extends ClientSettings, Pick<BenchSettings, 'pingIntervalMs' | 'settleMs' | 'redisUrl'> {
  kind: TwoNodeKind;
  /** `monitor-cluster`: the cluster's servers, comma-separated host:port. */
  clusterNodes?: string;
}

export interface TwoNodeResult {
  kind: TwoNodeKind;
  connections: number;
  /** The connections each node held once all clients were connected. */
  nodeConnections: number[];
  ramp: RampFigures;
  fanout: FanoutFigures;
}

/** Throws a sentence saying what to do when the Redis at `url` does not answer a PING. */
export async function requireBenchRedis(url: string): Promise<void> {
  try {
    await requireRedis(url);
  } catch (error) {
    // The check's own sentence speaks of the Redis test suites; the benchmark says what it needs instead.
    throw new Error(
      `monitor-redis needs a Redis at ${url}, and it did not answer. ` +
        'Start it (for the default URL: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no), name another with --redis, or leave monitor-redis out of --servers.',
      { cause: error },
    );
  }
}

export async function benchTwoNodes(settings: TwoNodeSettings, progress: ProgressLine): Promise<TwoNodeResult> {
  const { connections, kind } = settings;
  // A cluster of its own: nodes on one Redis share topics only under one prefix.
  const keyPrefix = `bench:${randomBytes(4).toString('hex')}:`;
  const redis = kind === 'monitor-cluster' ? { clusterNodes: settings.clusterNodes ?? '' } : { url: settings.redisUrl };
  const started = await Promise.allSettled(
    ['bench-node-1', 'bench-node-2'].map(async (nodeId) =>
      BenchServer.start({ kind: 'monitor', port: await freePort(), pingIntervalMs: settings.pingIntervalMs, redis: { ...redis, keyPrefix, nodeId } }),
    ),
  );
  const nodes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  let fleet: Fleet | null = null;
  try {
    const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) throw failure.reason;
    const clients = await connectClients(kind, nodes.map((node) => node.url), settings, progress);
    fleet = clients.fleet;
    // As for the single server, whose fan-out comes after its settle and memory reading: the burst
    // must not pay for the garbage of the ramp.
    progress.update(`${runLabel(kind, connections)}: settling`);
    await sleep(settings.settleMs);
    const nodeConnections = await Promise.all(nodes.map(async (node) => (await node.api.request('sample', { gc: true })).connections));
    const fanout = await measureFanout(kind, fleet, nodes[0] as BenchServer, settings, progress);
    progress.done(`${runLabel(kind, connections)}: done (${nodeConnections.join(' + ')} clients)`);
    return { kind, connections, nodeConnections, ramp: clients.ramp, fanout };
  } finally {
    await fleet?.close();
    // Killed first: a live node would write its report again after the keys are gone.
    await Promise.all(nodes.map((node) => node.kill('SIGKILL')));
    // A benchmark's cluster goes with its keys when the benchmark stops it.
    if (kind === 'monitor-redis') {
      await deleteRedisKeys(keyPrefix, settings.redisUrl).catch((error: unknown) =>
        console.error(
          `The run's keys are still in Redis (${error instanceof Error ? error.message : String(error)}): ` +
            `delete them with redis-cli -u ${settings.redisUrl} --scan --pattern '${keyPrefix}*' | xargs redis-cli -u ${settings.redisUrl} del`,
        ),
      );
    }
  }
}
