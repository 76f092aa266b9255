import type { ConnectionFailureKind } from './connection-failure.js';

/** Payloads of the events `HeartbeatClient.on()` and `HeartbeatClient.events()` deliver. */
export interface HeartbeatClientEventMap {
  /** `welcome` received: the connection is usable. */
  connection_established: {
    readonly sessionId: string;
    readonly resumed: boolean;
    /** False for the first connection, true for every reconnection. */
    readonly reconnect: boolean;
    readonly at: number;
  };
  /** An established connection closed or was found dead. */
  connection_lost: {
    readonly code: number;
    readonly reason: string;
    readonly wasClean: boolean;
    readonly willReconnect: boolean;
    readonly at: number;
  };
  /** A reconnect attempt is scheduled. */
  reconnecting: {
    /** Number of the reconnect attempt that will run (1-based; 0 for the immediate retry after a 4001 on a first connect). */
    readonly attempt: number;
    readonly delayMs: number;
    readonly at: number;
    /** True for the slow retries after the fast attempts ran out. */
    readonly suspended: boolean;
  };
  /** The fast attempts ran out. */
  reconnect_failed: {
    readonly attempts: number;
    readonly lastError: string;
    /** `lastError` as a code to branch on. */
    readonly kind: ConnectionFailureKind;
    /** Slow retries continue every `suspendedRetryInterval` (false: the client stopped). */
    readonly willRetry: boolean;
  };
  /** The server answered one of this client's pings. */
  pong: {
    readonly sequence: number;
    readonly rttMs: number;
    readonly clockOffsetMs: number;
    readonly at: number;
  };
  /** Something went wrong: a failed attempt, an `error` frame from the server, a bad frame. */
  error: {
    readonly message: string;
    /** The server's error code, or the close code as text. */
    readonly code: string | null;
    /** For a failed attempt or a lost connection, why (a code to branch on); null for other errors. */
    readonly kind: ConnectionFailureKind | null;
    readonly at: number;
  };
  /** A topic's missed events were replayed after a reconnect: nothing was lost. */
  resumed: {
    readonly topic: string;
    readonly replayed: number;
    readonly epoch: string;
    readonly seq: number;
  };
  /**
   * A topic's missed events could not be replayed (evicted from the server's buffer, or the server
   * lost it and started a new epoch): the app should resync that topic.
   */
  gap: {
    readonly topic: string;
    readonly reason: 'evicted' | 'new-epoch';
    /** The last seq this client had seen (in `previousEpoch`), or null if none. */
    readonly lastSeq: number | null;
    readonly previousEpoch: string | null;
    readonly epoch: string;
    /** The server's head seq in `epoch` when the topic was resubscribed. */
    readonly seq: number;
  };
  /**
   * The server ended a subscription (`unsubscribed` frame): `forbidden` (a fresh token no longer
   * allows the topic: its Observables error with a HeartbeatTopicError) or `removed` (the server
   * removed the connection from it: its Observables complete). Either way it is not resubscribed.
   */
  unsubscribed: {
    readonly topic: string;
    readonly reason: string;
  };
  /**
   * The server subscribed this connection to a topic it had not asked for (`join()`, a user
   * topic): its events are kept in position from now on; `subscribe(topic)` delivers the following
   * ones (docs/client.md#server-side-joins).
   */
  joined: {
    readonly topic: string;
  };
}

export type HeartbeatClientEventName = keyof HeartbeatClientEventMap;

/** One event of a topic, as `subscribe(topic)` delivers it: in order, never twice. */
export interface TopicEvent<T = unknown> {
  readonly topic: string;
  readonly seq: number;
  readonly epoch: string;
  readonly data: T;
  readonly timestamp: string;
}

/** A message the server sent to this connection alone (`sendToConnection`), as `messages$` delivers it: not numbered, not replayed. */
export interface ServerMessage<T = unknown> {
  /** The topic the server named, if any. */
  readonly topic: string | undefined;
  readonly data: T;
  readonly timestamp: string;
}
