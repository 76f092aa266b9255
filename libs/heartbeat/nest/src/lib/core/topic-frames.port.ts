import type { TopicSubscriber } from './topic-subscriber.js';

/**
 * What the core hands `subscribe` and `unsubscribe` frames (and `hello.positions`) to: the
 * TopicHub (docs/server.md#topics-sequence-numbers-and-replay).
 */
export interface TopicFrames {
  subscribe(subscriber: TopicSubscriber, topic: string, since: number | undefined): void;
  unsubscribe(subscriber: TopicSubscriber, topic: string): void;
}
