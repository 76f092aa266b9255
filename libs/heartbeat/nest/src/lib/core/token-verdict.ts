import type { TokenVerdict } from './heartbeat-options.interface.js';

/** What a `verifyToken` result means for the connection. */
export type TokenDecision =
  | { accepted: true; expiresAt: number | undefined }
  /** `malformed`: the result was neither a boolean nor `{ expiresAt: <finite number> }` (a bug to log). */
  | { accepted: false; malformed: boolean };

/**
 * Reads a `verifyToken` result: `true` accepts without expiry, `{ expiresAt }` accepts until then
 * (a deadline already passed refuses the token), anything else refuses it.
 */
export function decideToken(verdict: TokenVerdict | unknown, now: number): TokenDecision {
  if (verdict === true) return { accepted: true, expiresAt: undefined };
  if (verdict === false) return { accepted: false, malformed: false };
  const expiresAt = typeof verdict === 'object' && verdict !== null ? (verdict as { expiresAt?: unknown }).expiresAt : undefined;
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return { accepted: false, malformed: true };
  return expiresAt > now ? { accepted: true, expiresAt } : { accepted: false, malformed: false };
}
