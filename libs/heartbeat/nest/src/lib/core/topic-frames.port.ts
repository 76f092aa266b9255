import type { TopicSubscriber } from './topic-subscriber.js';

/**
 * What `subscribe` and `unsubscribe` frames, a hello's topics and server-side joins are handed to:
 * the TopicGate, which checks the clients' topics (docs/server.md#topic-authorization) and hands the
 * allowed ones, and the joins, on to the TopicHub (docs/server.md#topics-sequence-numbers-and-replay)
 * through this same port.
 */
export interface TopicFrames {
  /** `presence`: the frame's `subscribe.presence`, a `presence` snapshot and the topic's joins and leaves (docs/server.md#presence). */
  subscribe(subscriber: TopicSubscriber, topic: string, since: number | undefined, presence?: boolean): void;
  /** A server-side join (`HeartbeatService.join`, `publishToUser`): its `subscribed` answer says `joined`. */
  join(subscriber: TopicSubscriber, topic: string, since: number | undefined): void;
  unsubscribe(subscriber: TopicSubscriber, topic: string): void;
}
