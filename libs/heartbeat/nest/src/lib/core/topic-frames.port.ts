import type { TopicSubscriber } from './topic-subscriber.js';

/**
 * What the core hands `subscribe` and `unsubscribe` frames (and `hello.positions`) to: the
 * TopicHub (docs/server.md#topics-sequence-numbers-and-replay).
 */
export interface TopicFrames {
  /** `presence`: the frame's `subscribe.presence`, a `presence` snapshot and the topic's joins and leaves (docs/server.md#presence). */
  subscribe(subscriber: TopicSubscriber, topic: string, since: number | undefined, presence?: boolean): void;
  unsubscribe(subscriber: TopicSubscriber, topic: string): void;
}
