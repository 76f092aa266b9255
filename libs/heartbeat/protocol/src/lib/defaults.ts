/**
 * The defaults of docs/protocol.md#13-defaults, times in milliseconds: the heartbeat and backoff
 * numbers plus the production settings (handshake, payload, replay, drain, jitter, ...). Every option
 * of the server module and the client falls back to one of these.
 */

/** Server: a ping to every connection every 25 s. */
export const DEFAULT_PING_INTERVAL_MS = 25_000;
/** Server: the dead-connection sweep runs every 30 s. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 30_000;
/** Server: a connection with no inbound frame for 90 s is dead. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 90_000;
/** Server: a connection that leaves 3 pings in a row unanswered is dead. */
export const DEFAULT_MAX_MISSED_PINGS = 3;

export const DEFAULT_WS_PATH = '/ws';
/** Server: a socket must send a valid `hello` within this time or is closed with 4008. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Server: frames above this size close the connection with 1009. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;
/** Server: invalid frames tolerated (each answered with an `error`) before closing with 4400. */
export const DEFAULT_MAX_PROTOCOL_VIOLATIONS = 5;
/** Server: events kept per topic for resume. */
export const DEFAULT_REPLAY_MAX_EVENTS = 1_000;
export const DEFAULT_REPLAY_MAX_AGE_MS = 5 * 60_000;
/** Server: graceful shutdown spreads the 1012 closes over this window. */
export const DEFAULT_DRAIN_WINDOW_MS = 10_000;

/** Client: fast reconnect attempts before giving up (or slowing down). */
export const DEFAULT_MAX_RECONNECT_ATTEMPTS = 5;
export const DEFAULT_RECONNECT_INTERVAL_MS = 5_000;
export const DEFAULT_BACKOFF_MULTIPLIER = 1.5;
export const DEFAULT_MAX_RECONNECT_INTERVAL_MS = 30_000;
/** Client: the client's own ping every 30 s. */
export const DEFAULT_CLIENT_PING_INTERVAL_MS = 30_000;
export const DEFAULT_PONG_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_MISSED_PONGS = 3;
/**
 * Client: fraction of each backoff delay that is randomised, so clients dropped together do not
 * come back together. 0 gives the exact default schedule 5000, 7500, 11250, 16875, 25312.5 ms
 * (docs/protocol.md#backoff).
 */
export const DEFAULT_RECONNECT_JITTER = 0.3;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Client: after the fast attempts, one slow attempt per minute (0 stops for good, docs/protocol.md#backoff). */
export const DEFAULT_SUSPENDED_RETRY_INTERVAL_MS = 60_000;

/**
 * The server's heartbeat settings as one object, in the shape the module options use. Marked pure,
 * as is CLIENT_DEFAULTS: a bundle that does not read it leaves it out (docs/benchmarks.md#browser-bundle-esbuild).
 */
export const SERVER_HEARTBEAT_DEFAULTS = /* @__PURE__ */ Object.freeze({
  pingInterval: DEFAULT_PING_INTERVAL_MS,
  heartbeatInterval: DEFAULT_HEARTBEAT_INTERVAL_MS,
  heartbeatTimeout: DEFAULT_HEARTBEAT_TIMEOUT_MS,
  maxMissedPings: DEFAULT_MAX_MISSED_PINGS,
});

/** The client's reconnect and heartbeat settings as one object, in the shape the client options use. */
export const CLIENT_DEFAULTS = /* @__PURE__ */ Object.freeze({
  maxReconnectAttempts: DEFAULT_MAX_RECONNECT_ATTEMPTS,
  reconnectInterval: DEFAULT_RECONNECT_INTERVAL_MS,
  backoffMultiplier: DEFAULT_BACKOFF_MULTIPLIER,
  maxReconnectInterval: DEFAULT_MAX_RECONNECT_INTERVAL_MS,
  pingInterval: DEFAULT_CLIENT_PING_INTERVAL_MS,
  pongTimeout: DEFAULT_PONG_TIMEOUT_MS,
  maxMissedPongs: DEFAULT_MAX_MISSED_PONGS,
  jitter: DEFAULT_RECONNECT_JITTER,
  connectTimeout: DEFAULT_CONNECT_TIMEOUT_MS,
  suspendedRetryInterval: DEFAULT_SUSPENDED_RETRY_INTERVAL_MS,
});
