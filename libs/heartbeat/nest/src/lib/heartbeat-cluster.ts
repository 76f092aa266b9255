import { encodeFrame, type HeartbeatStats, type NodeStats, userTopic } from '@heartbeat/protocol';
import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Clock } from './clock.js';
import { ConnectionRegistry } from './core/connection-registry.js';
import { Backplane, type ClusterStatus, type ControlReply, type ControlRequest } from './core/backplane.js';
import { assertCloseFrame, type HeartbeatConnection } from './core/heartbeat-connection.js';
import { PresenceManager } from './core/presence-manager.js';
import { SessionStore } from './core/session-store.js';
import { TopicGate } from './core/topic-gate.js';
import { type PublishResult, TopicHub } from './core/topic-hub.js';
import { TopicPresence } from './core/topic-presence.js';
import { LocalStats } from './local-stats.js';
import { sumTotals } from './redis/sum-totals.js';

export type { ClusterStatus } from './core/backplane.js';

/** A request about one connection, answered by whichever node holds it. */
type ConnectionRequest = Extract<ControlRequest, { kind: 'send' | 'join' | 'leave' }>;

/**
 * The operations that reach beyond this process, over the module's {@link Backplane}: cluster-wide
 * stats, disconnecting a connection wherever it is (docs/scaling.md#cluster-stats), and targeted
 * delivery (docs/server.md#targeted-delivery). In memory mode the cluster is this process alone:
 * the same code finds no other node to ask. Arguments are validated by HeartbeatService.
 */
@Injectable()
export class HeartbeatCluster implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly backplane: Backplane,
    private readonly local: LocalStats,
    private readonly registry: ConnectionRegistry,
    private readonly clock: Clock,
    private readonly gate: TopicGate,
    private readonly hub: TopicHub,
    private readonly presenceManager: PresenceManager,
    private readonly presence: TopicPresence,
    private readonly sessions: SessionStore,
  ) {}

  get nodeId(): string {
    return this.backplane.nodeId;
  }

  /**
   * Links this node to the others, then starts presence and sessions over the same link (the
   * cluster owns the backplane, the presence manager and the session store: they must outlive the
   * cluster's own shutdown work).
   */
  async onModuleInit(): Promise<void> {
    await this.backplane.start({ totals: () => this.local.totals(), answer: (request) => this.answer(request) });
    await this.presenceManager.start();
    await this.sessions.start();
  }

  /** After the drain: removes what is left of this node's presence, leaves the cluster, then closes the link. */
  async onApplicationShutdown(): Promise<void> {
    await this.sessions.stop();
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

  /**
   * Joins every live connection of the user, on every node, to the user topic from the head read
   * now, then publishes on it: a connection joined after the head was read still gets the event.
   */
  async publishToUser(userId: string, topic: string, data: unknown): Promise<PublishResult> {
    const name = userTopic(topic, userId);
    // Data JSON cannot encode (a BigInt, a cycle) throws here, before anyone is joined; the hub's publish would refuse it after.
    JSON.stringify(data);
    const head = await this.backplane.readSince(name, undefined);
    const request: ControlRequest = { kind: 'join-user', userId, topic: name, since: head.seq };
    this.apply(request);
    await this.backplane.request(request);
    return this.hub.publish(name, data);
  }

  /** A server `message` frame to one connection, wherever it is; false when no node holds it open. */
  sendToConnection(id: string, topic: string, data: unknown): Promise<boolean> {
    // Encoded here first: data JSON cannot encode throws before any node is asked.
    const timestamp = new Date(this.clock.now()).toISOString();
    encodeFrame({ type: 'message', topic, data, timestamp });
    return this.onConnection({ kind: 'send', id, topic, data, timestamp });
  }

  /** Server-side subscribe of one connection, wherever it is; false when no node holds it open. */
  join(id: string, topic: string): Promise<boolean> {
    return this.onConnection({ kind: 'join', id, topic });
  }

  /** Server-side unsubscribe of one connection, wherever it is; false when no node holds it open. */
  leave(id: string, topic: string): Promise<boolean> {
    return this.onConnection({ kind: 'leave', id, topic });
  }

  status(): ClusterStatus {
    return this.backplane.status();
  }

  /** Done here when this node holds the connection, else asked of the others until one did it. */
  private async onConnection(request: ConnectionRequest): Promise<boolean> {
    if (this.apply(request)) return true;
    const applied = (reply: ControlReply) => reply.kind === 'applied' && reply.applied;
    const { replies } = await this.backplane.request(request, applied);
    return [...replies.values()].some(applied);
  }

  /** This node's answer to another node's request. */
  private answer(request: ControlRequest): ControlReply {
    if (request.kind === 'stats') return { kind: 'stats', stats: this.local.stats(this.nodeId), at: this.clock.now() };
    if (request.kind === 'disconnect') return { kind: 'disconnect', closed: this.closeLocal(request.id, request.code, request.reason) };
    return { kind: 'applied', applied: this.apply(request) };
  }

  /** Targeted delivery on this node; true when it held the connection (a connection of the user). */
  private apply(request: Exclude<ControlRequest, { kind: 'stats' | 'disconnect' }>): boolean {
    if (request.kind === 'join-user') {
      let joined = false;
      for (const connection of this.registry.values()) {
        if (!connection.isOpen || connection.userId !== request.userId) continue;
        joined = true;
        if (!connection.hasTopic(request.topic)) this.gate.join(connection, request.topic, request.since);
      }
      return joined;
    }
    const connection = this.openConnection(request.id);
    if (!connection) return false;
    if (request.kind === 'send') return connection.send({ type: 'message', topic: request.topic, data: request.data, timestamp: request.timestamp });
    if (request.kind === 'join') this.gate.join(connection, request.topic, undefined);
    else this.gate.leave(connection, request.topic);
    return true;
  }

  private openConnection(id: string): HeartbeatConnection | undefined {
    const connection = this.registry.getById(id);
    return connection?.isOpen ? connection : undefined;
  }

  private closeLocal(id: string, code: number, reason: string): boolean {
    try {
      return this.registry.disconnect(id, code, reason);
    } catch {
      return false; // the requester validated code and reason; a newer node may accept codes this one does not
    }
  }
}
