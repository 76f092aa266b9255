import type { Observable } from 'rxjs';
import type { HeartbeatClientEventMap, HeartbeatClientEventName, TopicEvent } from './client-events.js';
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
   */
  subscribe<T = unknown>(topic: string): Observable<TopicEvent<T>>;
  /** Sends a `message`; resolves when the server's `ack` arrives. */
  send(topic: string | undefined, data: unknown): Promise<void>;

  /** disconnect() and complete every stream; the client cannot be used afterwards. */
  destroy(): void;
}
