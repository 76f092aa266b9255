import type { HeartbeatIdentity } from './heartbeat-identity.js';
import type { TokenVerdict } from './heartbeat-options.interface.js';

/** What a `verifyToken` result means for the connection. */
export type TokenDecision =
  | { accepted: true; expiresAt: number | undefined; identity: HeartbeatIdentity | undefined }
  /** `malformed`: the result was neither a boolean nor `{ expiresAt: <finite number> }` (a bug to log). */
  | { accepted: false; malformed: boolean };

/**
 * Reads a `verifyToken` result: `true` accepts without expiry, `{ expiresAt }` accepts until then
 * (a deadline already passed refuses the token), anything else refuses it.
 */
export function decideToken(verdict: TokenVerdict | unknown, now: number): TokenDecision {
  if (verdict === true) return { accepted: true, expiresAt: undefined, identity: undefined };
  if (verdict === false || typeof verdict !== 'object' || verdict === null) return { accepted: false, malformed: verdict !== false };
  const { userId, claims, expiresAt } = verdict as { userId?: unknown; claims?: unknown; expiresAt?: unknown };
  // Stands in for the identity work of issue 13 (docs/server.md#identity): a user id names the connection's user.
  if (userId !== undefined && (typeof userId !== 'string' || userId === '')) return { accepted: false, malformed: true };
  const identity = userId === undefined ? undefined : { userId, claims: typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {} };
  if (expiresAt === undefined && identity) return { accepted: true, expiresAt: undefined, identity };
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return { accepted: false, malformed: true };
  return expiresAt > now ? { accepted: true, expiresAt, identity } : { accepted: false, malformed: false };
}
