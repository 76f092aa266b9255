import type { ErrorFrame, ServerFrame } from '@heartbeat/protocol';

/**
 * What the topic hub needs of a connection: a way to write frames and the list of its topics.
 * HeartbeatConnection implements it; unit tests of the hub use plain objects.
 */
export interface TopicSubscriber {
  readonly id: string;
  /** The connection's user; undefined for an anonymous one (never a member of a topic's presence). */
  readonly userId: string | undefined;
  /** The topics this subscriber is subscribed to, in the order it subscribed. */
  readonly topics: readonly string[];
  /** True once the server decided to close the connection, or it closed: nothing more is written to it. */
  readonly isClosing: boolean;
  /** Writes an already encoded frame; false when it was not written (closed, or its send buffer is full). */
  sendText(text: string | Buffer): boolean;
  send(frame: ServerFrame): boolean;
  sendError(error: Omit<ErrorFrame, 'type'>): boolean;
  /** Whether it is subscribed to the topic (without copying its topic list). */
  hasTopic(topic: string): boolean;
  /** Adds a topic; false when the subscriber already had it. */
  addTopic(topic: string): boolean;
  removeTopic(topic: string): void;
}
