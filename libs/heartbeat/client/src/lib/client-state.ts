import type { ConnectionFailureKind } from './connection-failure.js';

/**
 * The four statuses the connection indicator shows (docs/client.md#state): 🟢 connected,
 * 🟡 connecting, 🔴 error, ⚪ disconnected.
 */
export type ConnectionStatus = 'connecting' | 'connected' | 'disconnected' | 'error';

/**
 * The client's state machine. Each phase maps to one status; the phase says why:
 * - `idle`: not connected and not trying (never connected, `disconnect()`, a stay-closed code, or
 *   auto-reconnect off when the link dropped);
 * - `connecting`: a socket is opening or waiting for `welcome`;
 * - `connected`: `welcome` received, heartbeat running;
 * - `backoff`: waiting for the next fast reconnect attempt (`nextReconnectAt`);
 * - `suspended`: the fast attempts ran out; waiting `suspendedRetryInterval` for a slow attempt;
 * - `offline`: the browser reports no network; attempts wait for `online` instead of failing;
 * - `failed`: given up (4003, 4400, a second 4001, or attempts exhausted with no slow retry).
 */
export type ConnectionPhase = 'idle' | 'connecting' | 'connected' | 'backoff' | 'suspended' | 'offline' | 'failed';

/** What `lastErrorKind` can hold. */
export type LastErrorKind = ConnectionFailureKind | 'offline' | 'internal';

export const STATUS_OF_PHASE: Readonly<Record<ConnectionPhase, ConnectionStatus>> = Object.freeze({
  idle: 'disconnected',
  connecting: 'connecting',
  connected: 'connected',
  backoff: 'connecting',
  suspended: 'error',
  offline: 'disconnected',
  failed: 'error',
});

/** Everything the status component and the app can show. Times are epoch milliseconds. */
export interface HeartbeatClientState {
  readonly status: ConnectionStatus;
  readonly phase: ConnectionPhase;
  /** A reconnect attempt is running or scheduled. */
  readonly isReconnecting: boolean;
  /**
   * Number of the reconnect attempt running or scheduled since the last successful connection
   * ("attempt 2 of 5, in 7 s"); 0 while connected and for a first or manual connect.
   */
  readonly reconnectAttempts: number;
  readonly maxReconnectAttempts: number;
  /** When the next attempt starts, while one is scheduled. */
  readonly nextReconnectAt: number | null;
  /** Successful reconnections since the client was created (the first connection is not one). */
  readonly reconnectCount: number;
  readonly autoReconnect: boolean;
  readonly connectedAt: number | null;
  readonly sessionId: string | null;
  /** The user the server says this connection is (`welcome.user_id`); null on an anonymous connection and before the first welcome. */
  readonly userId: string | null;
  /**
   * The server resumed the session named in `hello` (`welcome.resumed`) on the current or last
   * connection: messages resent after the reconnect are processed once. False for a new session.
   */
  readonly sessionResumed: boolean;
  /** `send()` messages not yet acknowledged by the server: waiting for a connection, or in flight. */
  readonly pendingMessages: number;
  /** When the server stops accepting the connection's token (client clock), if it said so. */
  readonly tokenExpiresAt: number | null;
  /** Pings this client sent on the current connection. */
  readonly pingCount: number;
  /** Pongs the server sent back on the current connection. */
  readonly pongCount: number;
  /** Consecutive client pings left unanswered (reset by any inbound frame). */
  readonly missedPongs: number;
  /** Pings the server sent on the current connection. */
  readonly serverPingCount: number;
  readonly lastPingAt: number | null;
  readonly lastPongAt: number | null;
  /** Round-trip time of the last ping/pong exchange. */
  readonly rttMs: number | null;
  /** Smoothed round-trip time (exponentially weighted, as TCP's SRTT). */
  readonly rttSmoothedMs: number | null;
  /** Server clock minus client clock, estimated NTP-style with the RTT taken out. */
  readonly clockOffsetMs: number | null;
  /** Why the last attempt or connection ended, as a sentence that says what to check; kept after the attempts run out. */
  readonly lastError: string | null;
  /**
   * The same as a code to branch on (see ConnectionFailureKind); `offline` while the browser reports
   * no network, `internal` if the reconnect loop itself failed. Null exactly when `lastError` is.
   */
  readonly lastErrorKind: LastErrorKind | null;
  readonly lastCloseCode: number | null;
  readonly lastCloseReason: string | null;
  /** The browser's network hint (always true where there is none, e.g. Node). */
  readonly online: boolean;
}

/** The state's heartbeat counters: what every ping and pong changes. */
export type HeartbeatCounters = Pick<
  HeartbeatClientState,
  'pingCount' | 'pongCount' | 'serverPingCount' | 'lastPingAt' | 'lastPongAt' | 'rttMs' | 'rttSmoothedMs' | 'clockOffsetMs'
>;

export function initialClientState(maxReconnectAttempts: number, autoReconnect: boolean, online: boolean): HeartbeatClientState {
  return {
    status: STATUS_OF_PHASE.idle,
    phase: 'idle',
    isReconnecting: false,
    maxReconnectAttempts,
    reconnectCount: 0,
    autoReconnect,
    connectedAt: null,
    sessionId: null,
    userId: null,
    sessionResumed: false,
    pendingMessages: 0,
    tokenExpiresAt: null,
    lastPingAt: null,
    lastPongAt: null,
    clockOffsetMs: null,
    lastCloseCode: null,
    lastCloseReason: null,
    online,
    ...NEW_CONNECTION,
  };
}

/**
 * What a new connection starts afresh (`welcome` arrived): its counters and samples, and the
 * attempts and error that led to it. The client starts with these too.
 */
export const NEW_CONNECTION = {
  reconnectAttempts: 0,
  nextReconnectAt: null,
  lastError: null,
  lastErrorKind: null,
  pingCount: 0,
  pongCount: 0,
  missedPongs: 0,
  serverPingCount: 0,
  rttMs: null,
  rttSmoothedMs: null,
} as const satisfies Partial<HeartbeatClientState>;

/** What the end of a connection, or of an attempt, clears: nothing is scheduled or open any more. */
export const CONNECTION_ENDED = {
  nextReconnectAt: null,
  connectedAt: null,
  missedPongs: 0,
  tokenExpiresAt: null,
} as const satisfies Partial<HeartbeatClientState>;
