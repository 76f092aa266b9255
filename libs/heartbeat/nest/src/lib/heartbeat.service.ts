import { CloseCode, type HeartbeatStats, type HeartbeatTotals, type PresenceMember, topicNameProblem, userTopic } from '@heartbeat/protocol';
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
import { isUserId } from './core/token-verdict.js';
import { TopicPresence } from './core/topic-presence.js';

/** The module's public API: publish to topics and users, read stats, close connections, watch what happens. */
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

  /**
   * Publishes `data` to one user (docs/server.md#targeted-delivery): on their user topic
   * `<topic>#<userId>`, after joining every live connection of theirs, on every node, that is not
   * subscribed to it yet (each gets an unasked `subscribed`, then the event). The event has a seq and
   * is replayed like any topic's: a client resumes it by its position. Resolves as `publish` does.
   * Rejects with a RangeError for a bad user id or a topic that, with it, is not a topic name, and a
   * TypeError for data JSON cannot encode, joining nobody.
   */
  async publishToUser<T>(userId: string, topic: string, data: T): Promise<PublishResult> {
    if (!isUserId(userId)) throw new RangeError(HeartbeatMessages.invalidUserId('publishToUser', userId));
    this.assertTopic('publishToUser', topic);
    this.assertTopic('publishToUser', userTopic(topic, userId));
    return this.cluster.publishToUser(userId, topic, data);
  }

  /**
   * Sends a server `message {topic, data, timestamp}` frame to one connection, on whichever node
   * holds it; resolves false when no node holds it open. Not numbered and not replayed: a client
   * away at that moment never gets it. Rejects with a RangeError for a bad id or topic name, and a
   * TypeError for data JSON cannot encode.
   */
  async sendToConnection<T>(connectionId: string, topic: string, data: T): Promise<boolean> {
    this.assertConnectionId('sendToConnection', connectionId);
    this.assertTopic('sendToConnection', topic);
    return this.cluster.sendToConnection(connectionId, topic, data);
  }

  /**
   * Subscribes a connection to a topic from the server, on whichever node holds it (`authorize` is
   * not asked): the client gets an unasked `subscribed`, then the topic's events. Resolves false when
   * no node holds it open; rejects with a RangeError for a bad id or topic name.
   */
  async join(connectionId: string, topic: string): Promise<boolean> {
    this.assertConnectionId('join', connectionId);
    this.assertTopic('join', topic);
    return this.cluster.join(connectionId, topic);
  }

  /**
   * Unsubscribes a connection from a topic from the server, told to the client as
   * `unsubscribed {topic, reason: "removed"}`. Resolves false when no node holds it open; rejects
   * with a RangeError for a bad id or topic name.
   */
  async leave(connectionId: string, topic: string): Promise<boolean> {
    this.assertConnectionId('leave', connectionId);
    this.assertTopic('leave', topic);
    return this.cluster.leave(connectionId, topic);
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

  private assertTopic(method: string, topic: unknown): void {
    const problem = topicNameProblem(topic);
    if (problem) throw new RangeError(HeartbeatMessages.invalidTopicArgument(method, problem));
  }

  private assertConnectionId(method: string, id: unknown): void {
    if (typeof id !== 'string' || id.length === 0) throw new RangeError(HeartbeatMessages.invalidConnectionId(method, id));
  }
}
