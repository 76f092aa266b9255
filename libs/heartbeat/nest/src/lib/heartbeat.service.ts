import { CloseCode, type HeartbeatStats, type HeartbeatTotals, type PresenceMember } from '@heartbeat/protocol';
import { Injectable } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { ConnectionDrainer } from './core/connection-drainer.js';
import { ConnectionRegistry } from './core/connection-registry.js';
import { LifecycleEvents } from './core/lifecycle-events.js';
import { type ClusterStatus, HeartbeatCluster } from './heartbeat-cluster.js';
import { HeartbeatMessages } from './core/heartbeat.messages.js';
import type { HeartbeatClientMessage, HeartbeatLifecycleEvent, HeartbeatSample } from './core/heartbeat-events.js';
import { LocalStats } from './local-stats.js';
import { MessageInbox } from './core/message-inbox.js';
import { PingScheduler } from './core/ping-scheduler.js';
import { type PublishResult, TopicHub } from './core/topic-hub.js';
import { TopicPresence } from './core/topic-presence.js';

/** The module's public API: publish to topics, read stats, close connections, watch what happens. */
@Injectable()
export class HeartbeatService {
  /** Connection lifecycle on this node: connected, authenticated, timed out, disconnected (with code and reason). */
  readonly events$: Observable<HeartbeatLifecycleEvent>;
  /** Every answered server ping on this node, with its RTT and clock offset. */
  readonly heartbeats$: Observable<HeartbeatSample>;
  /** Every `message` frame from a client of this node (already acknowledged). */
  readonly messages$: Observable<HeartbeatClientMessage>;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly topics: TopicHub,
    private readonly drainer: ConnectionDrainer,
    private readonly local: LocalStats,
    private readonly cluster: HeartbeatCluster,
    private readonly topicPresence: TopicPresence,
    pings: PingScheduler,
    inbox: MessageInbox,
    events: LifecycleEvents,
  ) {
    this.events$ = events.events$;
    this.heartbeats$ = pings.samples$;
    this.messages$ = inbox.messages$;
  }

  /** True once the application began to close: connections are being drained, new ones refused. */
  get isDraining(): boolean {
    return this.drainer.isDraining;
  }

  /** Live connections on this node, authenticated or not. */
  get connectionCount(): number {
    return this.registry.size;
  }

  /**
   * Sends `data` to every subscriber of `topic` (on every node in Redis mode) as the topic's next
   * event, encoded once. Resolves, in both modes, once the event is stored and written to this
   * node's subscribers, with its `seq`, `epoch` and `delivered` (this node's sockets it was written
   * to); while Redis is unreachable it waits, and rejects at once when `redis.maxPendingPublishes`
   * publishes already wait. Rejects for data JSON cannot encode (a BigInt, a cycle), using no `seq`.
   */
  async publish<T>(topic: string, data: T): Promise<PublishResult> {
    return this.topics.publish(topic, data);
  }

  /**
   * The topic's members (docs/server.md#presence): every user with at least one identified
   * connection subscribed to it, on every node in Redis mode, oldest first, each with their
   * connection count and since when they are present. A topic without presence (not in the module's
   * `presence` option), or without members, answers `[]`. While Redis is unreachable, this node's
   * own members. Rejects only when Redis fails the read.
   */
  presence(topic: string): Promise<PresenceMember[]> {
    return this.topicPresence.members(topic);
  }

  /**
   * Closes a connection (default: 4003, kicked by an administrator) on whichever node holds it.
   * Resolves false when no node does. Rejects with a RangeError, leaving the connection as it was,
   * for a code or reason a close frame cannot carry.
   */
  async disconnect(id: string, code: number = CloseCode.Kicked, reason: string = HeartbeatMessages.closeKicked()): Promise<boolean> {
    return this.cluster.disconnect(id, code, reason);
  }

  /** Bytes waiting in the send buffers of this node's connections, and in the fullest one (for metrics). */
  sendBuffers(): { totalBytes: number; maxBytes: number } {
    let totalBytes = 0;
    let maxBytes = 0;
    for (const connection of this.registry.values()) {
      const bytes = connection.bufferedBytes;
      totalBytes += bytes;
      if (bytes > maxBytes) maxBytes = bytes;
    }
    return { totalBytes, maxBytes };
  }

  /**
   * Stats of the whole service: every node's connections, totals summed over the nodes that
   * answered, and the node list (in Redis mode, nodes whose report is stale are marked and left out
   * of the totals).
   */
  getStats(): Promise<HeartbeatStats> {
    return this.cluster.stats();
  }

  /** Stats of this node only, at once. */
  getLocalStats(): HeartbeatStats {
    return this.local.stats();
  }

  /** This node's totals alone: cheap at any connection count (no per-connection details). */
  getTotals(): Required<HeartbeatTotals> {
    return this.local.totals();
  }

  /** Memory or Redis mode, this node's id and, in Redis mode, whether Redis is reachable. */
  getClusterStatus(): ClusterStatus {
    return this.cluster.status();
  }
}
