import type { HeartbeatStats } from '@heartbeat/protocol';
import { Clock } from './clock.js';
import { ConnectionRegistry } from './core/connection-registry.js';
import { LocalStats } from './local-stats.js';

/** How this node is linked to its peers, for `/health` and `/metrics`. */
export interface ClusterStatus {
  /** `memory`: one process; `redis`: topics, stats and disconnects span every node on the same Redis. */
  mode: 'memory' | 'redis';
  nodeId: string;
  /** Redis mode only. */
  redis?: {
    up: boolean;
    /** Since when (epoch ms) Redis has been reachable, or unreachable. */
    since: number;
    /** Times the link to Redis was lost since the node started. */
    outages: number;
    lastError: string | undefined;
    /** Publishes waiting for Redis to take them. */
    pendingPublishes: number;
  };
}

/**
 * The operations that reach beyond this process: cluster-wide stats and disconnecting a
 * connection wherever it is. {@link LocalCluster} in memory mode, RedisCluster in Redis mode.
 */
export abstract class HeartbeatCluster {
  abstract readonly nodeId: string;
  abstract stats(): Promise<HeartbeatStats>;
  /** Closes the connection on the node that holds it; false when no node does. */
  abstract disconnect(id: string, code: number, reason: string): Promise<boolean>;
  abstract status(): ClusterStatus;
}

/** A cluster of one: this process. */
export class LocalCluster extends HeartbeatCluster {
  constructor(
    readonly nodeId: string,
    private readonly local: LocalStats,
    private readonly registry: ConnectionRegistry,
    private readonly clock: Clock,
  ) {
    super();
  }

  async stats(): Promise<HeartbeatStats> {
    const stats = this.local.stats();
    return { ...stats, nodes: [{ node_id: this.nodeId, stale: false, reported_at: this.clock.now(), heartbeat_stats: stats.heartbeat_stats }] };
  }

  async disconnect(id: string, code: number, reason: string): Promise<boolean> {
    return this.registry.disconnect(id, code, reason);
  }

  status(): ClusterStatus {
    return { mode: 'memory', nodeId: this.nodeId };
  }
}
