import {
  DestroyRef,
  Injectable,
  NgZone,
  assertInInjectionContext,
  computed,
  inject,
  signal,
  type Injector,
  type Signal,
  type WritableSignal,
} from '@angular/core';
import type {
  ConnectionPhase,
  ConnectionStatus,
  HeartbeatClientApi,
  HeartbeatClientEventMap,
  HeartbeatClientEventName,
  HeartbeatClientState,
  HeartbeatRequestOptions,
  LastErrorKind,
  PresenceMember,
  ServerMessage,
  TopicEvent,
} from '@heartbeat/client';
import { Observable } from 'rxjs';
import { HeartbeatMessages } from './heartbeat.messages.js';
import { HEARTBEAT_CLIENT_FACTORY, HEARTBEAT_CLIENT_OPTIONS } from './heartbeat.tokens.js';

/**
 * The app's one connection: the `useWebSocketStore()` connection store as an Angular service
 * (docs/angular.md#websocketstore). Every state field is a signal; the API is the client's. Provided
 * by `provideHeartbeat()`.
 *
 * The client (socket, timers, browser listeners) lives outside Angular's zone, so heartbeat traffic
 * never triggers change detection by itself; signals schedule it when something shown changes, and
 * Observables and handlers of this store deliver inside the zone again.
 */
// The root-level factory only exists to replace Angular's "No provider for WebSocketStore" with a
// message that says what to add; provideHeartbeat() provides the real store.
@Injectable({ providedIn: 'root', useFactory: throwStoreNotProvided })
export class WebSocketStore {
  readonly #zone = inject(NgZone);
  readonly #client: HeartbeatClientApi;
  readonly #state: WritableSignal<HeartbeatClientState>;

  /** The whole state; the per-field signals below change only when their field does. */
  readonly state: Signal<HeartbeatClientState>;
  /** Every state change (the current state first), delivered inside Angular's zone. */
  readonly state$: Observable<HeartbeatClientState>;
  /** Messages the server sent to this connection alone (`sendToConnection`), delivered inside Angular's zone. */
  readonly messages$: Observable<ServerMessage>;

  // Set in the constructor, one per state field.
  declare readonly status: Signal<ConnectionStatus>;
  declare readonly phase: Signal<ConnectionPhase>;
  declare readonly isReconnecting: Signal<boolean>;
  declare readonly reconnectAttempts: Signal<number>;
  declare readonly maxReconnectAttempts: Signal<number>;
  declare readonly nextReconnectAt: Signal<number | null>;
  declare readonly reconnectCount: Signal<number>;
  declare readonly autoReconnect: Signal<boolean>;
  declare readonly connectedAt: Signal<number | null>;
  declare readonly sessionId: Signal<string | null>;
  /** The user the server says this connection is (`welcome.user_id`); null when anonymous or before the first welcome. */
  declare readonly userId: Signal<string | null>;
  /** The server resumed the session named in `hello`: messages resent after the reconnect are processed once. */
  declare readonly sessionResumed: Signal<boolean>;
  /** `send()` messages not yet acknowledged: waiting for a connection, or in flight. */
  declare readonly pendingMessages: Signal<number>;
  /** When the server stops accepting the connection's token, if it said so. */
  declare readonly tokenExpiresAt: Signal<number | null>;
  declare readonly pingCount: Signal<number>;
  declare readonly pongCount: Signal<number>;
  declare readonly missedPongs: Signal<number>;
  declare readonly serverPingCount: Signal<number>;
  declare readonly lastPingAt: Signal<number | null>;
  declare readonly lastPongAt: Signal<number | null>;
  declare readonly rttMs: Signal<number | null>;
  declare readonly rttSmoothedMs: Signal<number | null>;
  declare readonly clockOffsetMs: Signal<number | null>;
  /** Why the last attempt or connection ended, as a sentence that says what to check; kept after the attempts run out. */
  declare readonly lastError: Signal<string | null>;
  /** The same as a code to branch on: `connection-refused`, `not-found`, `origin-refused`, `upgrade-failed`, `no-welcome`, `unauthorized`, … */
  declare readonly lastErrorKind: Signal<LastErrorKind | null>;
  declare readonly lastCloseCode: Signal<number | null>;
  declare readonly lastCloseReason: Signal<string | null>;
  declare readonly online: Signal<boolean>;
  /** Shorthand for `status() === 'connected'`. */
  readonly isConnected: Signal<boolean>;

  constructor() {
    const factory = inject(HEARTBEAT_CLIENT_FACTORY);
    const options = inject(HEARTBEAT_CLIENT_OPTIONS);
    this.#client = this.#zone.runOutsideAngular(() => factory(options));
    this.#state = signal(this.#client.state);
    this.state = this.#state.asReadonly();
    this.state$ = this.#insideZone(() => this.#client.state$);
    this.messages$ = this.#insideZone(() => this.#client.messages$);

    // One computed signal per field of the state, under the field's name (the fields declared above):
    // written as a loop, the 28 names are not in the bundle twice more (docs/benchmarks.md#browser-bundle-esbuild).
    const fields = this as unknown as Record<keyof HeartbeatClientState, Signal<unknown>>;
    for (const key of Object.keys(this.#client.state) as (keyof HeartbeatClientState)[]) {
      fields[key] = computed(() => this.#state()[key]);
    }
    this.isConnected = computed(() => this.status() === 'connected');

    // Writing a signal needs no zone: Angular schedules change detection for views that read it,
    // with zones and without.
    const subscription = this.#zone.runOutsideAngular(() =>
      this.#client.state$.subscribe((state) => this.#state.set(state)),
    );
    inject(DestroyRef).onDestroy(() => {
      subscription.unsubscribe();
      this.#client.destroy();
    });
  }

  /** The wrapped client, for what the store does not expose. Calls on it run in the caller's zone. */
  get client(): HeartbeatClientApi {
    return this.#client;
  }

  /** Connects now; resolves on `welcome`, rejects if this attempt fails (auto-reconnect keeps trying). */
  connect(): Promise<void> {
    return this.#outside(() => this.#client.connect());
  }

  /** Closes with 1000 and stops reconnecting. */
  disconnect(): void {
    this.#outside(() => this.#client.disconnect());
  }

  enableAutoReconnect(): void {
    this.#outside(() => this.#client.enableAutoReconnect());
  }

  /** Also cancels a scheduled attempt. */
  disableAutoReconnect(): void {
    this.#outside(() => this.#client.disableAutoReconnect());
  }

  /** Forgets past attempts and the last error; a scheduled retry starts over from the first delay. */
  resetReconnectState(): void {
    this.#outside(() => this.#client.resetReconnectState());
  }

  /** Sends a ping now; false when not connected. */
  sendPing(): boolean {
    return this.#outside(() => this.#client.sendPing());
  }

  /** Calls `handler` (inside Angular's zone) for each such event until the returned function is called. */
  on<K extends HeartbeatClientEventName>(event: K, handler: (payload: HeartbeatClientEventMap[K]) => void): () => void {
    return this.#outside(() => this.#client.on(event, (payload) => this.#zone.run(() => handler(payload))));
  }

  /** The same events as an Observable. */
  events<K extends HeartbeatClientEventName>(event: K): Observable<HeartbeatClientEventMap[K]> {
    return this.#insideZone(() => this.#client.events(event));
  }

  /** Events of `topic`, in order and without duplicates across reconnects. */
  subscribe<T = unknown>(topic: string): Observable<TopicEvent<T>> {
    return this.#insideZone(() => this.#client.subscribe<T>(topic));
  }

  /**
   * Sends a `message`; resolves when the server acknowledges it. While not connected it waits in
   * the client's outbox and goes out after the next welcome; a full outbox, `disconnect()` or
   * `destroy()` reject it with a `HeartbeatSendError`.
   */
  send(topic: string | undefined, data: unknown): Promise<void> {
    return this.#outside(() => this.#client.send(topic, data));
  }

  /**
   * Calls the server handler of `topic` (`@HeartbeatHandler(topic)`, docs/angular.md#requests):
   * resolves with its return value, rejects with a `HeartbeatRequestError`. Waits for a connection
   * when there is none, within the timeout (default: withRequests()' `timeout`, 10 s).
   */
  request<T = unknown>(topic: string, data: unknown, options?: HeartbeatRequestOptions): Promise<T> {
    return this.#outside(() => this.#client.request<T>(topic, data, options));
  }

  /**
   * The members of `topic` as a signal (docs/angular.md#presence): empty until the server's first
   * snapshot, then updated by every join and leave. The topic is observed with presence until the
   * caller's injector (the component's, in a field initializer) is destroyed. Call it in an
   * injection context or pass `injector`. As with `toSignal`, reading the signal throws the
   * `HeartbeatTopicError` once the server refused the topic or its presence.
   */
  presence(topic: string, options: { readonly injector?: Injector } = {}): Signal<readonly PresenceMember[]> {
    if (!options.injector) assertInInjectionContext(this.presence);
    const destroyRef = options.injector?.get(DestroyRef) ?? inject(DestroyRef);
    // What toSignal does, without its import: a store method stays light for apps that never call it.
    const latest = signal<{ readonly members: readonly PresenceMember[] } | { readonly error: unknown }>({ members: [] });
    const subscription = this.#outside(() =>
      this.#client.presence$(topic).subscribe({ next: (members) => latest.set({ members }), error: (error: unknown) => latest.set({ error }) }),
    );
    destroyRef.onDestroy(() => subscription.unsubscribe());
    return computed(() => {
      const value = latest();
      if ('error' in value) throw value.error;
      return value.members;
    });
  }

  #outside<T>(work: () => T): T {
    return this.#zone.runOutsideAngular(work);
  }

  /** Creates and subscribes `source` outside the zone (socket work) on each subscribe, and delivers inside it (app code). */
  #insideZone<T>(source: () => Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) =>
      this.#outside(() =>
        source().subscribe({
          next: (value) => this.#zone.run(() => subscriber.next(value)),
          error: (error: unknown) => this.#zone.run(() => subscriber.error(error)),
          complete: () => this.#zone.run(() => subscriber.complete()),
        }),
      ),
    );
  }
}

function throwStoreNotProvided(): never {
  throw new Error(HeartbeatMessages.storeNotProvided());
}

/**
 * `connect()` for a button of `<hb-websocket-status>`: the outcome shows in the status and the error
 * text, so the rejection itself has no reader and is kept out of the unhandled rejections.
 */
export function reconnectQuietly(store: WebSocketStore): void {
  store.connect().catch(() => undefined);
}
