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
 *   current backoff delay so that a drained fleet does not return at once;
 * - `reconnect-after-longest-backoff`: the server is overloaded; wait the longest backoff delay, or
 *   the delay the close reason's `retry after <n> ms` asks for if longer;
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

/**
 * The contract of docs/protocol.md, Close codes: every code the server sends, what it means and how
 * a client reacts to it. Keyed by the number (the type holds it to listing every CloseCode), not by
 * CloseCode's names: a client bundle then carries no CloseCode object (docs/benchmarks.md#browser-bundle-esbuild).
 */
const CLOSE_CODES: Readonly<Record<CloseCode, readonly [meaning: string, reaction: CloseReaction]>> = {
  1000: ['normal closure (the client called disconnect())', 'stay-closed'],
  1001: ['the server is going away', 'reconnect-jittered'],
  1006: ['the connection dropped without a close frame', 'reconnect'],
  1009: ["a frame exceeded the server's maxPayload", 'reconnect'],
  1011: ['the server hit an internal error', 'reconnect'],
  1012: ['the server is restarting (drain)', 'reconnect-jittered'],
  1013: ['the server is overloaded', 'reconnect-after-longest-backoff'],
  4000: ['the heartbeat timed out', 'reconnect'],
  4001: ['the token was missing, invalid or expired', 'refresh-token'],
  4003: ['an administrator closed the connection', 'stay-closed-error'],
  4008: ['no valid hello arrived in time', 'reconnect'],
  4009: ["the client read too slowly and the server's send buffer for it overflowed", 'reconnect'],
  4400: ['the client broke the protocol repeatedly', 'stay-closed-error'],
  4429: ['the client sent too many messages', 'reconnect-after-longest-backoff'],
};

/** CLOSE_CODES as entries by code. */
export const CLOSE_CODE_TABLE: ReadonlyMap<number, CloseCodeInfo> = new Map(
  Object.entries(CLOSE_CODES).map(([code, [meaning, reaction]]) => [Number(code), info(Number(code), meaning, reaction)]),
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
