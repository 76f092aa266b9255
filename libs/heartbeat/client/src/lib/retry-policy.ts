import { backoffDelay, longestBackoffDelay, parseRetryHint } from '@heartbeat/protocol';
import * as ClientMessages from './client.messages.js';
import type { HeartbeatTimingOptions } from './client-options.js';
import type { ConnectionFailure } from './connection-failure.js';

/**
 * The longest wait a server's retry hint ("…; retry after <n> ms" in a 4429 or 1013 close reason)
 * can impose: 5 minutes. A larger hint (a bug, or a hostile proxy) is cut to it.
 */
export const MAX_RETRY_HINT_MS = 300_000;

export interface RetryContext {
  /** How the attempt ended; `reason` (the close reason) may carry the server's retry hint. */
  readonly failure: Pick<ConnectionFailure, 'reaction' | 'message'> & { readonly reason?: string };
  /** Reconnect attempts already made since the last successful connection. */
  readonly attemptsMade: number;
  /** 4001 closes in a row, this one included. */
  readonly unauthorizedInARow: number;
  readonly autoReconnect: boolean;
  readonly online: boolean;
  readonly timing: HeartbeatTimingOptions;
  readonly random: () => number;
}

export type RetryDecision =
  /** Do not reconnect. `failed` shows status error; `idle` shows disconnected. */
  | { readonly kind: 'stop'; readonly phase: 'idle' | 'failed'; readonly error: string | null; readonly exhausted: boolean }
  /** Run attempt number `attempt` after `delayMs`; `suspended` marks the slow retries. */
  | {
      readonly kind: 'retry';
      readonly attempt: number;
      readonly delayMs: number;
      readonly suspended: boolean;
      /** This decision is the one that ran out of fast attempts (fire `reconnect_failed` once). */
      readonly exhaustedNow: boolean;
    }
  /** The network is down: wait for `online` without burning attempts. */
  | { readonly kind: 'wait-online'; readonly attempt: number };

/**
 * What to do after a failed attempt or a lost connection: the close-code reactions of the
 * protocol (docs/protocol.md, Close codes) applied to the exponential backoff schedule
 * (docs/protocol.md#backoff). Pure, so every branch is tested with exact numbers.
 */
export function decideRetry(context: RetryContext): RetryDecision {
  const { failure, timing, attemptsMade, random } = context;
  const attempt = attemptsMade + 1;
  switch (failure.reaction) {
    case 'stay-closed':
      return stop('idle', null);
    case 'stay-closed-error':
      return stop('failed', failure.message);
    case 'refresh-token':
      // The provider is asked again on the next attempt; a second rejection in a row is final.
      // That one retry is part of the 4001 contract, so it runs even with auto-reconnect off.
      if (context.unauthorizedInARow >= 2) return stop('failed', ClientMessages.unauthorizedTwice());
      return retry(attemptsMade, 0);
  }
  if (!context.autoReconnect) return stop('idle', failure.message);
  if (!context.online) return { kind: 'wait-online', attempt };
  if (attempt > timing.maxReconnectAttempts) {
    const willRetry = timing.suspendedRetryInterval > 0;
    const exhaustedNow = attemptsMade === timing.maxReconnectAttempts;
    // The cause stays in the message: "ran out of attempts" alone would hide what to fix.
    if (!willRetry) return stop('failed', ClientMessages.attemptsExhausted(timing.maxReconnectAttempts, failure.message), true);
    return retry(attempt, Math.max(timing.suspendedRetryInterval, retryHint(failure)), true, exhaustedNow);
  }
  switch (failure.reaction) {
    case 'reconnect-jittered':
      // A draining server closed everyone at once: come back after a random share of this delay.
      return retry(attempt, random() * backoffDelay(attemptsMade, { ...timing, jitter: 0 }));
    case 'reconnect-after-longest-backoff':
      // An overloaded or rate-limiting server may say how long to stay away: never come back sooner.
      return retry(attempt, Math.max(longestBackoffDelay(timing, random), retryHint(failure)));
    default:
      return retry(attempt, backoffDelay(attemptsMade, timing, random));
  }
}

/** The server's retry hint in the close reason, capped at MAX_RETRY_HINT_MS; 0 without one. */
function retryHint(failure: RetryContext['failure']): number {
  const hint = failure.reaction === 'reconnect-after-longest-backoff' && failure.reason ? parseRetryHint(failure.reason) : null;
  return hint === null ? 0 : Math.min(hint, MAX_RETRY_HINT_MS);
}

function stop(phase: 'idle' | 'failed', error: string | null, exhausted = false): RetryDecision {
  return { kind: 'stop', phase, error, exhausted };
}

function retry(attempt: number, delayMs: number, suspended = false, exhaustedNow = false): RetryDecision {
  return { kind: 'retry', attempt, delayMs, suspended, exhaustedNow };
}
