import {
  HeartbeatSendError,
  STATUS_OF_PHASE,
  type HeartbeatClientApi,
  type HeartbeatClientEventMap,
  type HeartbeatClientEventName,
  type HeartbeatClientOptions,
  type HeartbeatClientState,
  type HeartbeatRequestOptions,
  type PresenceMember,
  type ServerMessage,
  type TopicEvent,
} from '@heartbeat/client';
import { initialClientState } from '@heartbeat/client/testing';
import { BehaviorSubject, Observable, ReplaySubject, Subject, filter, map } from 'rxjs';

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
  /** Calls of request(), in order; each stays pending until `answerRequest()` or `rejectRequest()`. */
  readonly requests: { topic: string; data: unknown; options: HeartbeatRequestOptions | undefined }[] = [];
  readonly state$: Observable<HeartbeatClientState>;
  readonly messages$: Observable<ServerMessage>;
  destroyed = false;

  readonly #state: BehaviorSubject<HeartbeatClientState>;
  readonly #events = new Subject<AnyEvent>();
  readonly #topics = new Subject<TopicEvent>();
  readonly #seq = new Map<string, number>();
  readonly #subscribers = new Map<string, number>();
  /** Settlers of the sends still pending, by index in `sent`. */
  readonly #pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  /** Settlers of the requests still pending, by index in `requests`. */
  readonly #pendingRequests = new Map<number, { resolve: (data: unknown) => void; reject: (error: Error) => void }>();
  readonly #messages = new Subject<ServerMessage>();
  readonly #presence = new Map<string, ReplaySubject<readonly PresenceMember[]>>();

  constructor(
    readonly options?: HeartbeatClientOptions,
    initial: Partial<HeartbeatClientState> = {},
  ) {
    const base = initialClientState(options?.maxReconnectAttempts ?? 5, options?.autoReconnect ?? true, true);
    this.#state = new BehaviorSubject(withStatus(base, initial));
    this.state$ = this.#state.asObservable();
    this.messages$ = this.#messages.asObservable();
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

  /** Delivers a message from the server on `messages$`. */
  serverMessage(data: unknown, topic?: string): void {
    this.#messages.next({ topic, data, timestamp: new Date().toISOString() });
  }

  /** Sets the members `presence$(topic)` delivers (the server's snapshot, or the list after a join or leave). */
  setPresence(topic: string, members: readonly PresenceMember[]): void {
    this.#presenceOf(topic).next(members);
  }

  /** Ends `presence$(topic)` with `error`, as a refused topic or presence does. */
  refusePresence(topic: string, error: Error): void {
    this.#presenceOf(topic).error(error);
    this.#presence.delete(topic);
  }

  /** Resolves the pending request at `index` in `requests` with `data`, as the server's `result` does. */
  answerRequest(index: number, data: unknown): void {
    this.#takeRequest(index)?.resolve(data);
  }

  /** Rejects the pending request at `index` in `requests` with `error` (a HeartbeatRequestError, say). */
  rejectRequest(index: number, error: Error): void {
    this.#takeRequest(index)?.reject(error);
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

  presence$(topic: string): Observable<readonly PresenceMember[]> {
    return new Observable<readonly PresenceMember[]>((subscriber) => {
      this.#subscribers.set(topic, this.subscriberCount(topic) + 1);
      const subscription = this.#presenceOf(topic).subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        this.#subscribers.set(topic, this.subscriberCount(topic) - 1);
      };
    });
  }

  request<T = unknown>(topic: string, data: unknown, options?: HeartbeatRequestOptions): Promise<T> {
    const index = this.requests.push({ topic, data, options }) - 1;
    return new Promise<T>((resolve, reject) => this.#pendingRequests.set(index, { resolve: resolve as (data: unknown) => void, reject }));
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

  #presenceOf(topic: string): ReplaySubject<readonly PresenceMember[]> {
    let lists = this.#presence.get(topic);
    if (!lists) {
      lists = new ReplaySubject(1);
      this.#presence.set(topic, lists);
    }
    return lists;
  }

  #takeRequest(index: number): { resolve: (data: unknown) => void; reject: (error: Error) => void } | undefined {
    const settler = this.#pendingRequests.get(index);
    this.#pendingRequests.delete(index);
    return settler;
  }

  destroy(): void {
    this.calls.push('destroy');
    this.#rejectPending(new HeartbeatSendError('destroyed', 'The message was not acknowledged before the client was destroyed.'));
    this.destroyed = true;
    this.#state.complete();
    this.#events.complete();
    this.#topics.complete();
    this.#messages.complete();
    for (const lists of this.#presence.values()) lists.complete();
  }
}

function withStatus(state: HeartbeatClientState, patch: Partial<HeartbeatClientState>): HeartbeatClientState {
  const next = { ...state, ...patch };
  return patch.phase !== undefined && patch.status === undefined ? { ...next, status: STATUS_OF_PHASE[patch.phase] } : next;
}
