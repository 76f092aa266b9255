import type { PresenceMember } from '@heartbeat/protocol';
import type { Observable } from 'rxjs';
import type { HeartbeatClientEventMap, HeartbeatClientEventName, ServerMessage, TopicEvent } from './client-events.js';
import type { HeartbeatRequestOptions } from './client-options.js';
import type { HeartbeatClientState } from './client-state.js';

/**
 * The public surface of `HeartbeatClient`: the connection-store API plus topics and state$
 * (docs/client.md#api).
 * Every method is safe to call in any state and twice.
 */
export interface HeartbeatClientApi {
  /** Current state; `state$` emits every change (and the current value on subscribe). */
  readonly state: HeartbeatClientState;
  readonly state$: Observable<HeartbeatClientState>;
  /** Messages the server sent to this connection alone (`sendToConnection`): not numbered, not replayed. */
  readonly messages$: Observable<ServerMessage>;

  /**
   * Connects now (skipping a scheduled wait). Resolves when `welcome` arrives; rejects with the
   * reason if this attempt fails; auto-reconnect, if on, keeps trying in the background.
   */
  connect(): Promise<void>;
  /** Closes with 1000 and stops reconnecting; topic subscriptions stay registered for the next connect(). */
  disconnect(): void;
  enableAutoReconnect(): void;
  /** Also cancels a scheduled attempt. */
  disableAutoReconnect(): void;
  /** Forgets past attempts and the last error; a scheduled retry starts over from the first delay. */
  resetReconnectState(): void;
  /** Sends a ping now; false when not connected. */
  sendPing(): boolean;

  /** Calls `handler` for each such event until the returned function is called. */
  on<K extends HeartbeatClientEventName>(event: K, handler: (payload: HeartbeatClientEventMap[K]) => void): () => void;
  /** The same events as an Observable. */
  events<K extends HeartbeatClientEventName>(event: K): Observable<HeartbeatClientEventMap[K]>;

  /**
   * Events of `topic`, in order and without duplicates, across reconnects (the client resubscribes
   * with its last seq). The topic is unsubscribed on the server when the last subscriber leaves.
   * Errors with a HeartbeatTopicError when the name breaks the rules or the server refuses the topic;
   * completes when the server removes the connection from it.
   */
  subscribe<T = unknown>(topic: string): Observable<TopicEvent<T>>;
  /**
   * The members of `topic` (a topic with presence on the server): the list after each `presence`,
   * `join` and `leave`. Shares the topic's server subscription with `subscribe(topic)`.
   */
  presence$(topic: string): Observable<readonly PresenceMember[]>;
  /** Sends a `message`; resolves when the server's `ack` arrives. */
  send(topic: string | undefined, data: unknown): Promise<void>;
  /**
   * Calls the server handler of `topic` (`@HeartbeatHandler(topic)`): resolves with its return
   * value, rejects with a HeartbeatRequestError. Waits for a connection when there is none, within
   * the timeout (default: withRequests()' `timeout`).
   */
  request<T = unknown>(topic: string, data: unknown, options?: HeartbeatRequestOptions): Promise<T>;

  /** disconnect() and complete every stream; the client cannot be used afterwards. */
  destroy(): void;
}
