/** Close codes used by the protocol. 1xxx are RFC 6455 codes, 4xxx are Heartbeat's own. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  Abnormal: 1006,
  MessageTooBig: 1009,
  InternalError: 1011,
  ServiceRestart: 1012,
  TryAgainLater: 1013,
  HeartbeatTimeout: 4000,
  Unauthorized: 4001,
  Kicked: 4003,
  HandshakeTimeout: 4008,
  SlowConsumer: 4009,
  ProtocolViolation: 4400,
  RateLimited: 4429,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * What a client does after the server (or the network) closed the connection with a code:
 * - `stay-closed`: do not reconnect, status `disconnected`;
 * - `stay-closed-error`: do not reconnect, status `error`;
 * - `reconnect`: reconnect on the backoff schedule;
 * - `reconnect-jittered`: the server is restarting; reconnect soon, after a random share of the
 *   first backoff delay so that a drained fleet does not return at once;
 * - `reconnect-after-longest-backoff`: the server is overloaded; wait the longest backoff delay;
 * - `refresh-token`: ask the token provider for a new token and retry once; a second 4001 is an error.
 */
export type CloseReaction =
  | 'stay-closed'
  | 'stay-closed-error'
  | 'reconnect'
  | 'reconnect-jittered'
  | 'reconnect-after-longest-backoff'
  | 'refresh-token';

export interface CloseCodeInfo {
  readonly code: number;
  readonly meaning: string;
  readonly reaction: CloseReaction;
}

const info = (code: number, meaning: string, reaction: CloseReaction): CloseCodeInfo => ({ code, meaning, reaction });

/** The contract of docs/protocol.md, Close codes: every code the server sends and how a client reacts to it. */
export const CLOSE_CODE_TABLE: ReadonlyMap<number, CloseCodeInfo> = new Map(
  [
    info(CloseCode.Normal, 'normal closure (the client called disconnect())', 'stay-closed'),
    info(CloseCode.GoingAway, 'the server is going away', 'reconnect-jittered'),
    info(CloseCode.ServiceRestart, 'the server is restarting (drain)', 'reconnect-jittered'),
    info(CloseCode.Abnormal, 'the connection dropped without a close frame', 'reconnect'),
    info(CloseCode.InternalError, 'the server hit an internal error', 'reconnect'),
    info(CloseCode.HeartbeatTimeout, 'the heartbeat timed out', 'reconnect'),
    info(CloseCode.MessageTooBig, 'a frame exceeded the server\'s maxPayload', 'reconnect'),
    info(CloseCode.TryAgainLater, 'the server is overloaded', 'reconnect-after-longest-backoff'),
    info(CloseCode.RateLimited, 'the client sent too many messages', 'reconnect-after-longest-backoff'),
    info(CloseCode.Unauthorized, 'the token was missing, invalid or expired', 'refresh-token'),
    info(CloseCode.Kicked, 'an administrator closed the connection', 'stay-closed-error'),
    info(CloseCode.HandshakeTimeout, 'no valid hello arrived in time', 'reconnect'),
    info(CloseCode.SlowConsumer, 'the client read too slowly and the server\'s send buffer for it overflowed', 'reconnect'),
    info(CloseCode.ProtocolViolation, 'the client broke the protocol repeatedly', 'stay-closed-error'),
  ].map((entry) => [entry.code, entry] as const),
);

/** The documented reaction to a close code; codes outside the table are treated as abnormal. */
export function closeCodeInfo(code: number): CloseCodeInfo {
  return CLOSE_CODE_TABLE.get(code) ?? info(code, `unexpected close code ${code}`, 'reconnect');
}

/**
 * The retry hint of a 4429 (or 1013) close reason: "… retry after 5000 ms". Close reasons are free
 * text (at most 123 bytes), so the hint has one fixed wording that both sides share.
 */
export function formatRetryHint(reason: string, retryAfterMs: number): string {
  return `${reason}; retry after ${Math.max(0, Math.ceil(retryAfterMs))} ms`;
}

/** The delay a close reason asks for, or null when it carries no hint. */
export function parseRetryHint(reason: string): number | null {
  const match = /retry after (\d+) ms/.exec(reason);
  return match ? Number(match[1]) : null;
}
