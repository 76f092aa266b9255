/**
 * Why a `request()` did not resolve (docs/client.md#requests). The server's codes of an `error`
 * answering the request: `forbidden`, `invalid_request` (the handler's pipes refused the data;
 * `details` says why), `request_failed` (the handler threw), `no_handler`, `internal_error`, …
 * The client's own:
 * - `timeout`: no answer within the request's timeout (sent or not: see the message);
 * - `connection_lost`: sent, then the connection ended before the answer: the handler may or may not have run;
 * - `destroyed`: the client was destroyed (or already was);
 * - `invalid_topic`: the topic name breaks the rules of docs/protocol.md#topic-names, nothing was sent;
 * - `invalid_data`: `data` cannot be sent as JSON, nothing was sent.
 */
export type HeartbeatRequestErrorCode =
  | 'timeout'
  | 'connection_lost'
  | 'destroyed'
  | 'invalid_topic'
  | 'invalid_data'
  | 'forbidden'
  | 'invalid_request'
  | 'request_failed'
  | 'no_handler'
  | 'internal_error'
  | (string & {});

/** The rejection of a `request()` promise: `code` says why, `message` what to do, `details` what the server added. */
export class HeartbeatRequestError extends Error {
  override readonly name = 'HeartbeatRequestError';

  constructor(
    readonly code: HeartbeatRequestErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
