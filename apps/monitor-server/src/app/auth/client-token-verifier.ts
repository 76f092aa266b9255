import type { TokenVerdict, VerifyToken } from '@heartbeat/nest';
import type { ClientToken } from '../config/monitor-config.js';

/**
 * The monitor server's `verifyToken`: a token of `CLIENT_TOKENS` is accepted, for its user when the
 * entry is `user:token` (docs/server.md#who-may-read-what), anonymous when it is a bare token. With
 * `CLIENT_TOKEN_TTL_MS` each acceptance (in `hello` or `auth`) lasts that long, so a client must send
 * `auth` with its token again before `token_expires_at`.
 */
export function clientTokenVerifier(tokens: readonly ClientToken[], ttlMs: number | undefined, now: () => number = Date.now): VerifyToken {
  const accepted = new Map(tokens.map((entry) => [entry.token, entry.userId]));
  return (token: string | undefined): TokenVerdict => {
    if (token === undefined || !accepted.has(token)) return false;
    const userId = accepted.get(token);
    const expiry = ttlMs === undefined ? {} : { expiresAt: now() + ttlMs };
    if (userId !== undefined) return { userId, ...expiry };
    return ttlMs === undefined ? true : expiry;
  };
}
