import type { ErrorFrame, UnsubscribedFrame } from '@heartbeat/protocol';
import type { HeartbeatClientEventMap } from './client-events.js';
import * as ClientMessages from './client.messages.js';
import { HeartbeatTopicError } from './heartbeat-topic-error.js';
import type { TopicRegistry } from './topic-registry.js';

/*
 * The server's no to a topic (docs/client.md#refusals-and-unsubscribed): an `error` naming the topic in `ref`
 * refuses the topic (forbidden, invalid_topic, too_many_topics) or else its presence alone; an `unsubscribed` ends
 * a subscription the client did not end itself. Two functions of the client's topics rather than
 * a class holding them: a minifier shortens a function's name, not a method's. The codes are
 * written as the wire's strings, not read from ProtocolErrorCode, so that its object stays out of a
 * browser bundle (docs/benchmarks.md#browser-bundle-esbuild).
 */

/**
 * An `error` whose `ref` may name a topic; true when it refused a topic of this client's. Other
 * codes naming a topic refuse its presence alone, which withPresence() tells (presence.feature.ts).
 */
export function refuseTopic(topics: TopicRegistry, { code, ref, message }: ErrorFrame): boolean {
  if (ref === undefined || !refusesTopic(code)) return false;
  return topics.refuse(ref, new HeartbeatTopicError(code, ref, ClientMessages.topicRefused(ref, code, message)));
}

/** Whether an `error` with this code naming a topic refuses the topic itself (else its presence alone). */
export function refusesTopic(code: string): boolean {
  return code === 'forbidden' || code === 'invalid_topic' || code === 'too_many_topics';
}

/** `forbidden` errors the topic's Observables; any other reason (`removed`) completes them. Told as an `unsubscribed` event. */
export function endTopic(
  topics: TopicRegistry,
  { topic, reason }: UnsubscribedFrame,
  unsubscribed: (payload: HeartbeatClientEventMap['unsubscribed']) => void,
): void {
  if (reason === 'forbidden') topics.refuse(topic, new HeartbeatTopicError(reason, topic, ClientMessages.topicEnded(topic, reason)));
  else topics.end(topic);
  unsubscribed({ topic, reason });
}
