/** The `code` of an `error` frame. */
export const ProtocolErrorCode = {
  /** A binary frame; the protocol uses JSON text frames only. */
  BinaryFrame: 'binary_frame',
  /** The text is not valid JSON. */
  InvalidJson: 'invalid_json',
  /** JSON, but not an object with a string `type`, or a field has the wrong type. */
  InvalidFrame: 'invalid_frame',
  /** A `type` the receiver does not know. */
  UnknownType: 'unknown_type',
  /** A frame other than `hello` before the handshake completed. */
  HandshakeRequired: 'handshake_required',
  /** A second `hello` on a connection that already completed its handshake. */
  AlreadyAuthenticated: 'already_authenticated',
  /** The server could not process a valid frame (a bug or a failing dependency on its side). */
  InternalError: 'internal_error',
  /** A topic name outside the rules of docs/protocol.md#topic-names (length, characters); `ref` is the frame's type. */
  InvalidTopic: 'invalid_topic',
  /** The connection's user may not subscribe to (or publish on) the topic; `ref` is the topic. Nothing is delivered. */
  Forbidden: 'forbidden',
  /** A `subscribe` (or a topic of `hello`) beyond the server's `maxTopicsPerConnection`; `ref` is the topic. The connection stays open. */
  TooManyTopics: 'too_many_topics',
  /** No handler answers requests on the topic; `ref` is the request's id. */
  NoHandler: 'no_handler',
  /** The handler refused the request's data (a pipe such as ValidationPipe); `ref` is the request's id, `details` says why. */
  InvalidRequest: 'invalid_request',
  /** The handler threw (a WsException, an HttpException): `ref` is the request's id, `message`/`details` are the exception's. */
  RequestFailed: 'request_failed',
  /** A `subscribe` asked for presence on a topic the server keeps none for; `ref` is the topic. The subscription itself went ahead. */
  PresenceDisabled: 'presence_disabled',
} as const;

export type ProtocolErrorCode = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode];

/** Why a frame was rejected: the `code` and `message` of the `error` frame to answer it with. */
export interface FrameError {
  code: ProtocolErrorCode;
  message: string;
  /** The frame's `type`, when it had one. */
  ref?: string;
}
