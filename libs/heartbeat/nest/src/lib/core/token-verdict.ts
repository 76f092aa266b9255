import type { HeartbeatIdentity } from './heartbeat-identity.js';
import type { TokenVerdict } from './heartbeat-options.interface.js';

/** The longest user id a verdict may name: it travels in `welcome`, topic names and stats rows. */
export const MAX_USER_ID_LENGTH = 128;

/** What a `verifyToken` result means for the connection. */
export type TokenDecision =
  /** `identity`: whose the connection is; undefined for an anonymous one (docs/server.md#identity). */
  | { accepted: true; expiresAt: number | undefined; identity: HeartbeatIdentity | undefined }
  /** `malformed`: the result was none of the shapes a TokenVerdict may have (a bug to log). */
  | { accepted: false; malformed: boolean };

const REFUSED: TokenDecision = Object.freeze({ accepted: false, malformed: false });
const MALFORMED: TokenDecision = Object.freeze({ accepted: false, malformed: true });

/**
 * Reads a `verifyToken` result: `true` accepts an anonymous connection without expiry, an object
 * accepts until its `expiresAt` (a deadline already passed refuses the token; none: no expiry) for
 * the user its `userId` names (none: anonymous), with its `claims`; anything else refuses it. An
 * object that names neither `expiresAt` nor `userId`, or names them badly, is malformed.
 */
export function decideToken(verdict: TokenVerdict | unknown, now: number): TokenDecision {
  if (verdict === true) return { accepted: true, expiresAt: undefined, identity: undefined };
  if (verdict === false) return REFUSED;
  if (typeof verdict !== 'object' || verdict === null || Array.isArray(verdict)) return MALFORMED;
  const { expiresAt, userId, claims } = verdict as { expiresAt?: unknown; userId?: unknown; claims?: unknown };
  if (expiresAt === undefined && userId === undefined) return MALFORMED;
  if (expiresAt !== undefined && (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt))) return MALFORMED;
  if (userId !== undefined && !isUserId(userId)) return MALFORMED;
  if (claims !== undefined && (userId === undefined || !isPlainObject(claims))) return MALFORMED;
  if (expiresAt !== undefined && expiresAt <= now) return REFUSED;
  const identity = userId === undefined ? undefined : { userId, claims: Object.freeze({ ...(claims as Record<string, unknown> | undefined) }) };
  return { accepted: true, expiresAt, identity };
}

/** A user id a verdict may name: a non-empty string of at most {@link MAX_USER_ID_LENGTH} characters. */
export function isUserId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_USER_ID_LENGTH;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
