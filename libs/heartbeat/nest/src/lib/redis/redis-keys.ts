/**
 * Names of everything Heartbeat keeps in Redis, under one prefix. Topic names go into keys as they
 * are: Redis keys are binary-safe, and the prefix keeps them apart from other applications.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** Hash `{seq, epoch, ms}` of a topic: its head, its epoch, the time of its last entry. */
  topic(topic: string): string {
    return `${this.prefix}topic:${topic}`;
  }

  /** Stream of a topic's recent events (the replay buffer), trimmed by count and age. */
  stream(topic: string): string {
    return `${this.prefix}stream:${topic}`;
  }

  /** Pub/Sub channel of a topic's live events. */
  events(topic: string): string {
    return `${this.prefix}events:${topic}`;
  }

  /** The last publish a node applied, so that a publish resent after a lost reply is not applied twice. */
  publisher(nodeId: string): string {
    return `${this.prefix}publisher:${nodeId}`;
  }

  /** Sorted set of node ids, scored by the time of their last stats report. */
  nodes(): string {
    return `${this.prefix}nodes`;
  }

  /** A node's last stats report (JSON). */
  node(nodeId: string): string {
    return `${this.prefix}node:${nodeId}`;
  }

  /** Requests every node listens to (stats, disconnect). */
  control(): string {
    return `${this.prefix}control`;
  }

  /** Answers to the requests of one node. */
  replies(nodeId: string): string {
    return `${this.prefix}replies:${nodeId}`;
  }

  /** Hash `user id → "<connections> <since>"` of a topic's members (redis-scripts.ts, presence). */
  presenceMembers(topic: string): string {
    return `${this.prefix}presence-members:${topic}`;
  }

  /** Pub/Sub channel of every topic's joins and leaves. */
  presenceChanges(): string {
    return `${this.prefix}presence`;
  }

  /** The part of an events channel name after the prefix: the topic. */
  topicOfEvents(channel: string): string | undefined {
    const head = `${this.prefix}events:`;
    return channel.startsWith(head) ? channel.slice(head.length) : undefined;
  }
}
