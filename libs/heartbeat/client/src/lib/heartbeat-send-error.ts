/**
 * Why a `send()` did not end with the server's acknowledgement:
 * - `outbox-full`: the outbox already holds withOutbox()'s `maxMessages` messages or `maxBytes` bytes;
 * - `too-large`: this one message is larger than withOutbox()'s `maxBytes`;
 * - `invalid-data`: `data` cannot be sent as JSON (undefined, a BigInt, a cycle);
 * - `disconnected`: `disconnect()` was called before the ack arrived;
 * - `destroyed`: the client was destroyed (or already was at `send()`);
 * - `refused`: the server answered the message with an `error` frame instead of an `ack`;
 * - `invalid-topic`: the topic name breaks the rules of docs/protocol.md#topic-names; nothing was sent.
 */
export type HeartbeatSendErrorCode = 'outbox-full' | 'too-large' | 'invalid-data' | 'disconnected' | 'destroyed' | 'refused' | 'invalid-topic';

/** The rejection of a `send()` promise: `code` says why, `message` says what to do. */
export class HeartbeatSendError extends Error {
  override readonly name = 'HeartbeatSendError';

  constructor(
    readonly code: HeartbeatSendErrorCode,
    message: string,
  ) {
    super(message);
  }
}
