import type { HeartbeatStats, NodeStats } from '@heartbeat/protocol';
import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Clock } from './clock.js';
import { ConnectionRegistry } from './core/connection-registry.js';
import { Backplane, type ClusterStatus, type ControlReply, type ControlRequest } from './core/backplane.js';
import { assertCloseFrame } from './core/heartbeat-connection.js';
import { PresenceManager } from './core/presence-manager.js';
import { TopicPresence } from './core/topic-presence.js';
import { LocalStats } from './local-stats.js';
import { sumTotals } from './redis/sum-totals.js';

export type { ClusterStatus } from './core/backplane.js';

/**
 * The operations that reach beyond this process, over the module's {@link Backplane}: cluster-wide
 * stats and disconnecting a connection wherever it is (docs/scaling.md#cluster-stats). In memory
 * mode the cluster is this process alone: the same code finds no other node to ask.
 */
@Injectable()
export class HeartbeatCluster implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly backplane: Backplane,
    private readonly local: LocalStats,
    private readonly registry: ConnectionRegistry,
    private readonly clock: Clock,
    private readonly presenceManager: PresenceManager,
    private readonly presence: TopicPresence,
  ) {}

  get nodeId(): string {
    return this.backplane.nodeId;
  }

  /**
   * Links this node to the others, then starts presence over the same link (the cluster owns the
   * backplane and the presence manager: they must outlive the cluster's own shutdown work).
   */
  async onModuleInit(): Promise<void> {
    await this.backplane.start({ totals: () => this.local.totals(), answer: (request) => this.answer(request) });
    await this.presenceManager.start();
  }

  /** After the drain: removes what is left of this node's presence, leaves the cluster, then closes the link. */
  async onApplicationShutdown(): Promise<void> {
    await this.presenceManager.stop();
    this.presence.close();
    await this.backplane.stop();
  }

  /**
   * Every node's connections, totals summed over the nodes that answered, and the node list: a node
   * whose report is stale, or that did not answer in time, is marked and left out of the totals.
   */
  async stats(): Promise<HeartbeatStats> {
    const own = this.local.stats(this.nodeId);
    const self: NodeStats = { node_id: this.nodeId, stale: false, reported_at: this.clock.now(), heartbeat_stats: own.heartbeat_stats };
    const { peers, replies } = await this.backplane.request({ kind: 'stats' });
    const nodes: NodeStats[] = [self];
    const details = [...own.connection_details];
    for (const report of peers) {
      const reply = replies.get(report.node_id);
      if (reply?.kind === 'stats') {
        nodes.push({ node_id: report.node_id, stale: false, reported_at: reply.at, heartbeat_stats: reply.stats.heartbeat_stats });
        details.push(...reply.stats.connection_details);
      } else {
        nodes.push({ ...report, stale: true });
      }
    }
    const live = nodes.filter((node) => !node.stale).map((node) => node.heartbeat_stats);
    return { heartbeat_stats: sumTotals(live), connection_details: details, nodes };
  }

  /** Closes the connection on the node that holds it; false when no node does. */
  async disconnect(id: string, code: number, reason: string): Promise<boolean> {
    assertCloseFrame(code, reason);
    if (this.registry.disconnect(id, code, reason)) return true;
    const { replies } = await this.backplane.request({ kind: 'disconnect', id, code, reason }, (reply) => reply.kind === 'disconnect' && reply.closed);
    return [...replies.values()].some((reply) => reply.kind === 'disconnect' && reply.closed);
  }

  status(): ClusterStatus {
    return this.backplane.status();
  }

  /** This node's answer to another node's request. */
  private answer(request: ControlRequest): ControlReply {
    if (request.kind === 'stats') return { kind: 'stats', stats: this.local.stats(this.nodeId), at: this.clock.now() };
    return { kind: 'disconnect', closed: this.closeLocal(request.id, request.code, request.reason) };
  }

  private closeLocal(id: string, code: number, reason: string): boolean {
    try {
      return this.registry.disconnect(id, code, reason);
    } catch {
      return false; // the requester validated code and reason; a newer node may accept codes this one does not
    }
  }
}
