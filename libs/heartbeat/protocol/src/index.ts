export { backoffDelay, longestBackoffDelay } from './lib/backoff.js';
export type { BackoffOptions } from './lib/backoff.js';
export { CLOSE_CODE_TABLE, CloseCode, closeCodeInfo, formatRetryHint, parseRetryHint } from './lib/close-codes.js';
export type { CloseCodeInfo, CloseReaction } from './lib/close-codes.js';
export {
  CLIENT_DEFAULTS,
  DEFAULT_BACKOFF_MULTIPLIER,
  DEFAULT_CLIENT_PING_INTERVAL_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_DRAIN_WINDOW_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  DEFAULT_MAX_MISSED_PINGS,
  DEFAULT_MAX_MISSED_PONGS,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_MAX_PROTOCOL_VIOLATIONS,
  DEFAULT_MAX_RECONNECT_ATTEMPTS,
  DEFAULT_MAX_RECONNECT_INTERVAL_MS,
  DEFAULT_PING_INTERVAL_MS,
  DEFAULT_PONG_TIMEOUT_MS,
  DEFAULT_RECONNECT_INTERVAL_MS,
  DEFAULT_RECONNECT_JITTER,
  DEFAULT_REPLAY_MAX_AGE_MS,
  DEFAULT_REPLAY_MAX_EVENTS,
  DEFAULT_SUSPENDED_RETRY_INTERVAL_MS,
  DEFAULT_WS_PATH,
  SERVER_HEARTBEAT_DEFAULTS,
} from './lib/defaults.js';
export { eventFrameParts, joinEventFrame } from './lib/event-frame.js';
export type { EventFrameParts } from './lib/event-frame.js';
export { MAX_ID_LENGTH, MAX_TIMESTAMP_LENGTH, MAX_TOKEN_LENGTH, MAX_TOPIC_LENGTH } from './lib/frame-limits.js';
export { parseClientFrame } from './lib/frame-codec.js';
export { readPongBytes } from './lib/pong-bytes.js';
export type { PongReading } from './lib/pong-bytes.js';
export { encodeFrame } from './lib/frame-envelope.js';
export type { ParseResult } from './lib/frame-envelope.js';
export { parseServerFrame } from './lib/server-frame-codec.js';
export { isCounter, isEpochMs, isText } from './lib/value-tests.js';
export { clientFrameSchemas, serverFrameSchemas } from './lib/frame-schemas.js';
export type {
  AckFrame,
  AuthenticatedFrame,
  AuthFrame,
  ClientFrame,
  ClientFrameOf,
  ClientFrameType,
  ClientPingFrame,
  ClientPongFrame,
  ErrorFrame,
  EventFrame,
  HelloFrame,
  JoinFrame,
  LeaveFrame,
  MessageFrame,
  PresenceFrame,
  PresenceMember,
  RequestFrame,
  ResultFrame,
  ServerFrame,
  ServerFrameOf,
  ServerFrameType,
  ServerMessageFrame,
  ServerPingFrame,
  ServerPongFrame,
  SubscribeFrame,
  SubscribedFrame,
  UnsubscribedFrame,
  UnsubscribeFrame,
  WelcomeFrame,
} from './lib/frames.js';
export { ProtocolErrorCode } from './lib/protocol-error.js';
export { isValidTopicName, topicNameProblem, topicUser, USER_TOPIC_SEPARATOR, userTopic } from './lib/topic-name.js';
export type { FrameError } from './lib/protocol-error.js';
export type { ConnectionDetails, HeartbeatStats, HeartbeatTotals, NodeStats } from './lib/stats.js';
