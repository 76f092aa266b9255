import {
  HeartbeatSendError,
  STATUS_OF_PHASE,
  type HeartbeatClientApi,
  type HeartbeatClientEventMap,
  type HeartbeatClientEventName,
  type HeartbeatClientOptions,
  type HeartbeatClientState,
  type TopicEvent,
} from '@heartbeat/client';
import { initialClientState } from '@heartbeat/client/testing';
import { BehaviorSubject, Observable, Subject, filter, map } from 'rxjs';

type AnyEvent = { [K in HeartbeatClientEventName]: { name: K; payload: HeartbeatClientEventMap[K] } }[HeartbeatClientEventName];

/** The API methods a test may expect in `FakeHeartbeatClient.calls`. */
export type FakeHeartbeatClientCall =
  | 'connect'
  | 'disconnect'
  | 'enableAutoReconnect'
  | 'disableAutoReconnect'
  | 'resetReconnectState'
  | 'sendPing'
  | 'destroy';

/**
 * A `HeartbeatClientApi` without a socket, for tests of components that use `WebSocketStore`:
 * set any state with `setState()`, emit events with `emit()` and topic events with `publish()`.
 * Its methods change the state the way the real client would in the simple case (connect() connects
 * at once), and every call is recorded in `calls`.
 */
export class FakeHeartbeatClient implements HeartbeatClientApi {
  /** API calls in the order they were made. */
  readonly calls: FakeHeartbeatClientCall[] = [];
  /** Messages passed to send(), in order. */
  readonly sent: { topic: string | undefined; data: unknown }[] = [];
  /**
   * True (the default): send() resolves at once, as if the server acknowledged it. False: its
   * promise stays pending (counted in `pendingMessages`) until `ackSent()` or `rejectSent()`.
   */
  autoAck = true;
  readonly state$: Observable<HeartbeatClientState>;
  destroyed = false;

  readonly #state: BehaviorSubject<HeartbeatClientState>;
  readonly #events = new Subject<AnyEvent>();
  readonly #topics = new Subject<TopicEvent>();
  readonly #seq = new Map<string, number>();
  readonly #subscribers = new Map<string, number>();
  /** Settlers of the sends still pending, by index in `sent`. */
  readonly #pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();

  constructor(
    readonly options?: HeartbeatClientOptions,
    initial: Partial<HeartbeatClientState> = {},
  ) {
    const base = initialClientState(options?.maxReconnectAttempts ?? 5, options?.autoReconnect ?? true, true);
    this.#state = new BehaviorSubject(withStatus(base, initial));
    this.state$ = this.#state.asObservable();
  }

  get state(): HeartbeatClientState {
    return this.#state.value;
  }

  /** Applies `patch`; when only `phase` is given, `status` follows it as in the real client. */
  setState(patch: Partial<HeartbeatClientState>): void {
    this.#state.next(withStatus(this.#state.value, patch));
  }

  emit<K extends HeartbeatClientEventName>(name: K, payload: HeartbeatClientEventMap[K]): void {
    this.#events.next({ name, payload } as AnyEvent);
  }

  /** Delivers one event of `topic` to its subscribers, with the next seq. */
  publish<T>(topic: string, data: T): void {
    const seq = (this.#seq.get(topic) ?? 0) + 1;
    this.#seq.set(topic, seq);
    this.#topics.next({ topic, seq, epoch: 'fake-epoch', data, timestamp: new Date().toISOString() });
  }

  /** How many subscriptions to `topic` are open right now. */
  subscriberCount(topic: string): number {
    return this.#subscribers.get(topic) ?? 0;
  }

  connect(): Promise<void> {
    this.calls.push('connect');
    this.setState({
      phase: 'connected',
      isReconnecting: false,
      reconnectAttempts: 0,
      nextReconnectAt: null,
      connectedAt: Date.now(),
      sessionId: this.state.sessionId ?? 'fake-session',
      lastError: null,
      lastErrorKind: null,
    });
    return Promise.resolve();
  }

  disconnect(): void {
    this.calls.push('disconnect');
    this.#rejectPending(new HeartbeatSendError('disconnected', 'The message was not acknowledged before disconnect() was called.'));
    this.setState({ phase: 'idle', isReconnecting: false, nextReconnectAt: null, connectedAt: null, lastCloseCode: 1000 });
  }

  enableAutoReconnect(): void {
    this.calls.push('enableAutoReconnect');
    this.setState({ autoReconnect: true });
  }

  disableAutoReconnect(): void {
    this.calls.push('disableAutoReconnect');
    const waiting = this.state.phase === 'backoff' || this.state.phase === 'suspended';
    this.setState({ autoReconnect: false, nextReconnectAt: null, ...(waiting ? { phase: 'idle', isReconnecting: false } : {}) });
  }

  resetReconnectState(): void {
    this.calls.push('resetReconnectState');
    this.setState({ reconnectAttempts: 0, lastError: null, lastErrorKind: null });
  }

  sendPing(): boolean {
    this.calls.push('sendPing');
    if (this.state.status !== 'connected') return false;
    this.setState({ pingCount: this.state.pingCount + 1, lastPingAt: Date.now() });
    return true;
  }

  on<K extends HeartbeatClientEventName>(event: K, handler: (payload: HeartbeatClientEventMap[K]) => void): () => void {
    const subscription = this.events(event).subscribe(handler);
    return () => subscription.unsubscribe();
  }

  events<K extends HeartbeatClientEventName>(event: K): Observable<HeartbeatClientEventMap[K]> {
    return this.#events.pipe(
      filter((e) => e.name === event),
      map((e) => e.payload as HeartbeatClientEventMap[K]),
    );
  }

  subscribe<T = unknown>(topic: string): Observable<TopicEvent<T>> {
    return new Observable<TopicEvent<T>>((subscriber) => {
      this.#subscribers.set(topic, this.subscriberCount(topic) + 1);
      const subscription = this.#topics
        .pipe(filter((event): event is TopicEvent<T> => event.topic === topic))
        .subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        this.#subscribers.set(topic, this.subscriberCount(topic) - 1);
      };
    });
  }

  send(topic: string | undefined, data: unknown): Promise<void> {
    const index = this.sent.push({ topic, data }) - 1;
    if (this.autoAck) return Promise.resolve();
    const promise = new Promise<void>((resolve, reject) => this.#pending.set(index, { resolve, reject }));
    this.setState({ pendingMessages: this.#pending.size });
    return promise;
  }

  /** Acknowledges the pending message sent at `index` in `sent`, or every pending one. */
  ackSent(index?: number): void {
    for (const key of index === undefined ? [...this.#pending.keys()] : [index]) this.#settle(key)?.resolve();
  }

  /** Rejects the pending message sent at `index` in `sent` with `error`. */
  rejectSent(index: number, error: Error): void {
    this.#settle(index)?.reject(error);
  }

  /** As the real client: disconnect() and destroy() reject what was not acknowledged. */
  #rejectPending(error: HeartbeatSendError): void {
    for (const index of [...this.#pending.keys()]) this.#settle(index)?.reject(error);
  }

  #settle(index: number): { resolve: () => void; reject: (error: Error) => void } | undefined {
    const settler = this.#pending.get(index);
    if (!settler) return undefined;
    this.#pending.delete(index);
    this.setState({ pendingMessages: this.#pending.size });
    return settler;
  }

  destroy(): void {
    this.calls.push('destroy');
    this.#rejectPending(new HeartbeatSendError('destroyed', 'The message was not acknowledged before the client was destroyed.'));
    this.destroyed = true;
    this.#state.complete();
    this.#events.complete();
    this.#topics.complete();
  }
}

function withStatus(state: HeartbeatClientState, patch: Partial<HeartbeatClientState>): HeartbeatClientState {
  const next = { ...state, ...patch };
  return patch.phase !== undefined && patch.status === undefined ? { ...next, status: STATUS_OF_PHASE[patch.phase] } : next;
}
