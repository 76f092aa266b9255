import type { SubscribedFrame } from '@heartbeat/protocol';
import type { OnApplicationShutdown } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import type { ConnectionRegistry } from './core/connection-registry.js';
import type { HeartbeatConnection } from './core/heartbeat-connection.js';

/** What `publish` assigned to the event. */
export interface PublishResult {
  topic: string;
  seq: number;
  epoch: string;
  /**
   * Connections the event was written to. Only known in memory mode: in Redis mode events reach
   * every node's subscribers through Redis, after `publish` resolved.
   */
  delivered?: number;
}

/** The part of a topic every broker keeps: its name and its subscribers on this node. */
export interface LocalTopic {
  /**
   * The one copy of the name its subscribers keep too: every `subscribe` frame brings its own copy,
   * which would otherwise stay with each connection.
   */
  readonly name: string;
  readonly subscribers: Set<HeartbeatConnection>;
}

/** A subscriber's catch-up: the head it subscribed at and the encoded events it missed, oldest first. */
export interface TopicSnapshot {
  epoch: string;
  seq: number;
  /** False when events after `since` were already dropped (by count or age): the gap cannot be filled. */
  recovered: boolean;
  events: readonly string[];
}

/**
 * Topics and their subscribers on this node. Subclasses decide where sequence numbers and replay
 * buffers live: {@link InMemoryTopicBroker} (one process) or RedisTopicBroker (a cluster).
 */
export abstract class TopicBroker<T extends LocalTopic = LocalTopic> implements OnApplicationShutdown {
  protected readonly topics = new Map<string, T>();
  private readonly removal: Subscription;

  protected constructor(registry: ConnectionRegistry) {
    this.removal = registry.removed$.subscribe((connection) => this.removeConnection(connection));
  }

  /** Not before: connections closed by the drain (beforeApplicationShutdown) must still leave their topics. */
  onApplicationShutdown(): void | Promise<void> {
    this.removal.unsubscribe();
  }

  /**
   * Adds a subscriber, answers `subscribed` and replays what it missed after `since`, before any
   * live event. Failures are answered on the connection, never thrown.
   */
  abstract subscribe(connection: HeartbeatConnection, topic: string, since: number | undefined): void;

  /** Assigns the topic's next `seq`, encodes the event once and sends it to every subscriber. */
  abstract publish<D>(topic: string, data: D): PublishResult | Promise<PublishResult>;

  unsubscribe(connection: HeartbeatConnection, topic: string): void {
    this.topics.get(topic)?.subscribers.delete(connection);
    connection.removeTopic(topic);
  }

  /** The `subscribed` answer, then the replayed events, oldest first. */
  protected sendSnapshot(connection: HeartbeatConnection, topic: string, snapshot: TopicSnapshot): void {
    const subscribed: SubscribedFrame = {
      type: 'subscribed',
      topic,
      epoch: snapshot.epoch,
      seq: snapshot.seq,
      recovered: snapshot.recovered,
      replayed: snapshot.events.length,
    };
    connection.send(subscribed);
    for (const text of snapshot.events) connection.sendText(text);
  }

  /**
   * Writes one encoded event to every subscriber; returns how many took it. The UTF-8 bytes are
   * made once: a string would be encoded again for each socket.
   */
  protected deliver(topic: T, text: string): number {
    if (topic.subscribers.size === 0) return 0;
    const bytes = Buffer.from(text);
    let delivered = 0;
    for (const subscriber of topic.subscribers) {
      if (subscriber.sendText(bytes)) delivered++;
    }
    return delivered;
  }

  protected removeConnection(connection: HeartbeatConnection): void {
    for (const topic of connection.topics) this.topics.get(topic)?.subscribers.delete(connection);
  }
}
