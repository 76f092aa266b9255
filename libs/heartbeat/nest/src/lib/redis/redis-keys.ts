/**
 * Names of everything Heartbeat keeps in Redis, under one prefix. Topic names go into keys as they
 * are: Redis keys are binary-safe, topic names have no braces (docs/protocol.md#topic-names), and
 * the prefix keeps them apart from other applications.
 *
 * The part of a key in braces (its hash tag) is what Redis Cluster hashes to place it: a topic's
 * hash, stream, resend guards and events channel share the topic's tag, so that the one script of a
 * publish reads and writes a single shard; the node reports share `{nodes}` and every presence key
 * `{presence}`, for the commands and scripts that use several of them at once.
 */
export class RedisKeys {
  /** The prefix of every presence key and channel: what the presence scripts build their keys from. */
  readonly presencePrefix: string;
  /** The key a presence script is sent with: it names the presence keys' shard (the scripts build the others from the prefix). */
  readonly presenceRoute: string;
  /** What every presence script takes first: its one key (the route) and the prefix it builds the others from. */
  readonly presenceScript: readonly [route: string, prefix: string];

  constructor(readonly prefix: string) {
    this.presencePrefix = `${prefix}{presence}:`;
    this.presenceRoute = `${this.presencePrefix}presence-nodes`;
    this.presenceScript = [this.presenceRoute, this.presencePrefix];
  }

  /** Hash `{seq, epoch, ms, server}` of a topic: its head, its epoch, the time of its last entry, the Redis server that wrote it. */
  topic(topic: string): string {
    return `${this.prefix}topic:{${topic}}`;
  }

  /** Stream of a topic's recent events (the replay buffer), trimmed by count and age. */
  stream(topic: string): string {
    return `${this.prefix}stream:{${topic}}`;
  }

  /** Pub/Sub channel of a topic's live events. */
  events(topic: string): string {
    return `${this.prefix}events:{${topic}}`;
  }

  /** The last publish of one node process to a topic, so that a publish resent after a lost reply is not applied twice. */
  publisher(instance: string, topic: string): string {
    return `${this.prefix}publisher:{${topic}}:${instance}`;
  }

  /** Hash `{user?, node, conn, n}` of a session (redis-scripts.ts, sessions); its id is its hash tag. */
  session(sessionId: string): string {
    return `${this.prefix}session:{${sessionId}}`;
  }

  /** Sorted set of a session's recent `message` ids, in the session's slot. */
  sessionMessages(sessionId: string): string {
    return `${this.prefix}messages:{${sessionId}}`;
  }

  /** Sorted set of node ids, scored by the time of their last stats report. */
  nodes(): string {
    return `${this.prefix}{nodes}`;
  }

  /** A node's last stats report (JSON). */
  node(nodeId: string): string {
    return `${this.prefix}{nodes}:${nodeId}`;
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
    return `${this.presencePrefix}presence-members:${topic}`;
  }

  /** Pub/Sub channel of every topic's joins and leaves. */
  presenceChanges(): string {
    return `${this.presencePrefix}presence`;
  }

  /** The topic an events channel is for, undefined for any other channel. */
  topicOfEvents(channel: string): string | undefined {
    const head = `${this.prefix}events:{`;
    return channel.startsWith(head) && channel.endsWith('}') ? channel.slice(head.length, -1) : undefined;
  }
}
