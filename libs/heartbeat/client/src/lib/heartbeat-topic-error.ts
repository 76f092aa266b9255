/**
 * Why a topic's Observables ended with an error (docs/client.md#refusals-and-unsubscribed):
 * - `invalid_topic`: the name breaks the topic name rules (docs/protocol.md#topic-names), told before anything is sent;
 * - `forbidden`: the server refused the subscription, or ended it (`unsubscribed`) when a fresh token no longer allowed it;
 * - `too_many_topics`: the connection already holds as many topics as the server allows (its `maxTopicsPerConnection`);
 * - any other server `error` code about the topic (`presence_disabled` for `presence$()`, say).
 */
export type HeartbeatTopicErrorCode = 'invalid_topic' | 'forbidden' | 'too_many_topics' | (string & {});

/** The error of a topic's Observables: `code` says why, `message` what to do; the topic is no longer subscribed. */
export class HeartbeatTopicError extends Error {
  override readonly name = 'HeartbeatTopicError';

  constructor(
    readonly code: HeartbeatTopicErrorCode,
    readonly topic: string,
    message: string,
  ) {
    super(message);
  }
}
