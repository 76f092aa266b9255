/**
 * Defaults of the server-only options that the wire protocol does not name (the protocol's own
 * defaults are `DEFAULT_*` in `@heartbeat/protocol`).
 */

/** Sessions kept for resume after their connection closed; the oldest detached is forgotten first. */
export const DEFAULT_MAX_RETAINED_SESSIONS = 10_000;
/** `message` ids remembered per session to drop duplicates (a resend after a reconnect). */
export const DEFAULT_MESSAGE_DEDUPE_WINDOW = 1_000;
/** Send-buffer high-water mark per connection: above it, the connection is closed with 4009. */
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
/**
 * Client frames per connection (all types, invalid ones included): 100 per second sustained, bursts
 * of 200. A heartbeat client sends about one frame per ping interval; resubscribing many topics or
 * flushing an outbox after a reconnect stays within the burst.
 */
export const DEFAULT_RATE_LIMIT = Object.freeze({ messagesPerSecond: 100, burst: 200 });
/**
 * Topics one connection may hold (docs/server.md#topics-per-connection). It bounds what one
 * connection costs the server, a `hello` naming thousands of topics included; an app whose clients
 * need more raises it.
 */
export const DEFAULT_MAX_TOPICS_PER_CONNECTION = 1_000;
/** Retry hint of a close 1013 for a remote address over `maxConnectionsPerAddress`. */
export const ADDRESS_LIMIT_RETRY_AFTER_MS = 30_000;
/**
 * Refused upgrades (an origin not in `allowedOrigins`, a path no gateway serves) are logged at most
 * once per cause in this window: the first at once, so that a first run shows it, the rest counted.
 */
export const REFUSED_UPGRADE_LOG_INTERVAL_MS = 10_000;

/** Redis mode: defaults of `redis` (the node id is derived per process). */
export const DEFAULT_REDIS = Object.freeze({
  url: 'redis://127.0.0.1:6379',
  keyPrefix: 'heartbeat:',
  statsInterval: 2_000,
  requestTimeout: 1_000,
  healthCheckInterval: 1_000,
  maxPendingPublishes: 10_000,
});
