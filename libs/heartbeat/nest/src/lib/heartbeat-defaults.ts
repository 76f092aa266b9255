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
