import type { HelloFrame, PresenceMember, ServerFrame, WelcomeFrame } from '@heartbeat/protocol';
import { BehaviorSubject, Observable, Subject, Subscription, throwError } from 'rxjs';
import type { ClientClock, TimerHandle } from './client-clock.js';
import { ClientHeartbeat } from './client-heartbeat.js';
import type { HeartbeatClientEventMap, HeartbeatClientEventName, ServerMessage, TopicEvent } from './client-events.js';
import type { HeartbeatClientOptions, HeartbeatRequestOptions } from './client-options.js';
import { CONNECTION_ENDED, initialClientState, NEW_CONNECTION, STATUS_OF_PHASE, type HeartbeatClientState, type HeartbeatCounters } from './client-state.js';
import { FEATURE_ORDER, type ClientFeature, type ClientFeatureHost, type ClientFeatureKind, type HeartbeatClientFeature } from './client-feature.js';
import * as ClientMessages from './client.messages.js';
import { ClockSync } from './clock-sync.js';
import { ConnectionFailure, type FailureDiagnosis } from './connection-failure.js';
import { EventHub } from './event-hub.js';
import type { HeartbeatClientApi } from './heartbeat-client-api.js';
import { livenessFromWelcome } from './liveness-timing.js';
import { phaseAfter, WAITING_PHASES, type Hint, type LoopState, type Waiter } from './loop-state.js';
import { HeartbeatClientOptionsError, resolveClientOptions, type ResolvedClientOptions } from './resolve-client-options.js';
import { decideRetry, type RetryDecision } from './retry-policy.js';
import { SocketConnection } from './socket-connection.js';
import { endTopic, refuseTopic } from './topic-refusals.js';
import { TopicRegistry } from './topic-registry.js';
import type { OutboxFeature } from './outbox.feature.js';
import type { PresenceFeature } from './presence.feature.js';
import type { RequestsFeature } from './requests.feature.js';

/** The page's origin, which a browser sends as the upgrade's Origin header; null outside a page. */
function pageOrigin(): string | null {
  const { location } = globalThis as { location?: { origin?: string } };
  return typeof location?.origin === 'string' && location.origin !== 'null' ? location.origin : null;
}

/**
 * A WebSocket client for Heartbeat servers (docs/client.md): connects, keeps the link proven with its
 * own heartbeat, reconnects with exponential backoff (docs/protocol.md#backoff), and resumes its
 * server session and topic positions across reconnects. The reconnect loop is one state machine:
 * every input (a method, the network, the socket, a timer) runs as a step through #input(); a step
 * that arrives while one runs (a method called from an event handler) waits for it to finish, so no
 * step ever sees another half done. What
 * not every app uses comes in `options.features` (docs/client.md#features); this module imports none.
 */
export class HeartbeatClient implements HeartbeatClientApi {
  readonly state$: Observable<HeartbeatClientState>;
  /** Messages the server sent to this connection alone (`sendToConnection`): not numbered, not replayed. */
  readonly messages$: Observable<ServerMessage>;

  readonly #options: ResolvedClientOptions;
  /**
   * The options' clock, read once: every frame reads the time, and reading it through the options
   * object went through V8's generic property lookup each time (about 4 % of the CPU of 3,000 clients
   * answering pings, docs/benchmarks.md#sixth-pass-the-other-end-of-the-heartbeat-2026-12-06).
   */
  readonly #clock: ClientClock;
  /**
   * The last snapshot. The class reads its fields here rather than through `state`, which would make
   * a snapshot of the counters #count() kept back first: those it reads through #counter().
   */
  readonly #store: BehaviorSubject<HeartbeatClientState>;
  /** Heartbeat counters not in a snapshot yet, changed while nobody subscribed to state$ (see #count()). */
  #uncounted: Partial<HeartbeatCounters> | null = null;
  readonly #hub: EventHub<HeartbeatClientEventMap>;
  readonly #topics: TopicRegistry;
  readonly #serverMessages = new Subject<ServerMessage>();
  /** Round-trip time and server clock offset from this connection's pongs. */
  readonly #clockSync = new ClockSync();
  /** The installed features (options.features), in FEATURE_ORDER: their hooks run in this order. */
  readonly #features: ClientFeature[] = [];
  readonly #outbox: OutboxFeature | undefined;
  readonly #requests: RequestsFeature | undefined;
  readonly #presence: PresenceFeature | undefined;
  readonly #hints: Subscription;
  /** Steps to run; the first is the one running (see #input()). */
  readonly #inbox: (() => void)[] = [];

  #loop: LoopState = { kind: 'stopped', restartOn: 'connect' };
  /** connect() promises waiting for the outcome of the attempt under way. */
  #waiters: Waiter[] = [];
  /** The server session to name in the next `hello`: the last welcome's, or one saved by an earlier page. */
  #sessionToResume: string | null = null;

  constructor(options: HeartbeatClientOptions) {
    this.#options = resolveClientOptions(options);
    this.#clock = this.#options.clock;
    const { connectivity } = this.#options;
    this.#store = new BehaviorSubject(
      initialClientState(this.#options.maxReconnectAttempts, this.#options.autoReconnect, connectivity.isOnline()),
    );
    // A subscriber gets the state with every counter in it (#count() may have left some out).
    this.state$ = new Observable<HeartbeatClientState>((subscriber) => {
      this.#settleCounters();
      return this.#store.subscribe(subscriber);
    });
    this.#hub = new EventHub((event, error) => this.#log(ClientMessages.handlerThrew(String(event)), error));
    this.#topics = new TopicRegistry({
      send: (frame) => this.#openSocket()?.send(frame) ?? false,
      gap: (payload) => this.#emit('gap', payload),
      resumed: (payload) => this.#emit('resumed', payload),
      // Once per topic event: a plain loop, no closure per call.
      positionsChanged: () => {
        for (const feature of this.#features) feature.positionsChanged?.();
      },
      joined: (payload) => this.#emit('joined', payload),
    });
    this.messages$ = this.#serverMessages.asObservable();
    const installed = this.#installFeatures(options.features ?? []);
    this.#outbox = installed.outbox as OutboxFeature | undefined;
    this.#requests = installed.requests as RequestsFeature | undefined;
    this.#presence = installed.presence as PresenceFeature | undefined;
    this.#hints = new Subscription();
    for (const [signal, hint] of [[connectivity.online$, 'online'], [connectivity.offline$, 'offline'], [connectivity.resumed$, 'resumed']] as const) {
      this.#hints.add(signal.subscribe(() => this.#input(() => this.#onHint(hint))));
    }
  }

  get state(): HeartbeatClientState {
    this.#settleCounters();
    return this.#store.value;
  }

  connect(): Promise<void> {
    if (this.#loop.kind === 'destroyed') return Promise.reject(new Error(ClientMessages.destroyed()));
    if (this.#loop.kind === 'open') return Promise.resolve();
    const promise = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    this.#input(() => {
      if (this.#loop.kind === 'stopped') this.#startAttempt(0, 0);
      else if (this.#loop.kind === 'open') this.#settleWaiters(null);
      else this.#endWait();
    });
    return promise;
  }

  disconnect(): void {
    this.#input(() => this.#stopByClient());
  }

  enableAutoReconnect(): void {
    this.#input(() => this.#setAutoReconnect(true));
  }

  disableAutoReconnect(): void {
    this.#input(() => this.#setAutoReconnect(false));
  }

  resetReconnectState(): void {
    this.#input(() => this.#reset());
  }

  sendPing(): boolean {
    return this.#loop.kind === 'open' && this.#loop.heartbeat.pingNow();
  }

  on<K extends HeartbeatClientEventName>(event: K, handler: (payload: HeartbeatClientEventMap[K]) => void): () => void {
    return this.#hub.on(event, handler);
  }

  events<K extends HeartbeatClientEventName>(event: K): Observable<HeartbeatClientEventMap[K]> {
    return this.#hub.events(event);
  }

  subscribe<T = unknown>(topic: string): Observable<TopicEvent<T>> {
    return this.#loop.kind === 'destroyed' ? this.#destroyedStream() : this.#topics.subscribe<T>(topic);
  }

  /** Needs withPresence() (docs/client.md#presence). */
  presence$(topic: string): Observable<readonly PresenceMember[]> {
    if (!this.#presence) return throwError(() => new HeartbeatClientOptionsError(ClientMessages.featureMissing('presence$()', 'withPresence()')));
    return this.#loop.kind === 'destroyed' ? this.#destroyedStream() : this.#presence.observe(topic);
  }

  /** Needs withRequests() (docs/client.md#requests-request). */
  request<T = unknown>(topic: string, data: unknown, options?: HeartbeatRequestOptions): Promise<T> {
    if (!this.#requests) return Promise.reject(new HeartbeatClientOptionsError(ClientMessages.featureMissing('request()', 'withRequests()')));
    return this.#requests.call(topic, data, options) as Promise<T>;
  }

  /** Needs withOutbox() (docs/client.md#messages-send-and-acknowledgements). */
  send(topic: string | undefined, data: unknown): Promise<void> {
    if (!this.#outbox) return Promise.reject(new HeartbeatClientOptionsError(ClientMessages.featureMissing('send()', 'withOutbox()')));
    return this.#outbox.send(topic, data);
  }

  destroy(): void {
    this.#input(() => this.#destroyNow());
  }

  /**
   * Runs `step` now, or after the step under way when called from inside one (an event or state$
   * handler calling a method): each step completes, its events emitted, before the next. Every change
   * of `loop` happens in a step; none runs once the client is destroyed.
   */
  #input(step: () => void): void {
    this.#inbox.push(step);
    if (this.#inbox.length > 1) return;
    while (this.#inbox.length > 0) {
      try {
        if (this.#loop.kind !== 'destroyed') this.#inbox[0]();
      } catch (error) {
        this.#failedUnexpectedly(error);
      }
      this.#inbox.shift();
    }
  }

  /**
   * The attempt or connection that `from` names (by its socket or its deadline) failed; a late
   * report of an earlier one is dropped.
   */
  #report(failure: ConnectionFailure, from: { readonly socket?: SocketConnection; readonly deadline?: TimerHandle } = {}): void {
    this.#input(() => {
      const loop = this.#loop;
      if (loop.kind !== 'connecting' && loop.kind !== 'handshaking' && loop.kind !== 'open') return;
      if (from.socket && from.socket !== loop.socket) return;
      if (from.deadline && (loop.kind === 'open' || from.deadline !== loop.deadline)) return;
      this.#failed(loop, failure);
    });
  }

  /** The wait after a failure is over (its timer, or connect()): the next attempt starts now. */
  #endWait(): void {
    const loop = this.#loop;
    if (loop.kind === 'waiting') this.#startAttempt(loop.attempt, loop.unauthorizedInARow);
  }

  /**
   * Releases what the current state holds (timers, socket, heartbeat): the one place that does. The
   * socket closes with the failure's own code when it is one of the protocol's (4000 and up), and a
   * peer known to be dead (4000) gets no closing handshake to wait for.
   */
  #release(failure: ConnectionFailure | null): void {
    const loop = this.#loop;
    const closeSocket = (socket: SocketConnection | null) =>
      socket?.close(failure && failure.code >= 3000 ? failure.code : 1000, failure?.reason ?? '', failure?.code === 4000);
    switch (loop.kind) {
      case 'connecting':
      case 'handshaking':
        this.#clock.clearTimeout(loop.deadline);
        closeSocket(loop.socket);
        return;
      case 'open':
        loop.heartbeat.stop();
        closeSocket(loop.socket);
        this.#features.forEach((feature) => feature.connectionEnded?.());
        return;
      case 'waiting':
        if (loop.timer !== null) this.#clock.clearTimeout(loop.timer);
        return;
    }
  }

  /** One connection: token, socket, hello, welcome; `attempt` is the reconnect attempt number. */
  #startAttempt(attempt: number, unauthorizedInARow: number): void {
    this.#release(null);
    const { connectTimeout, url } = this.#options;
    const deadline = this.#clock.setTimeout(() => this.#report(this.#connectTimedOut()), connectTimeout);
    this.#loop = { kind: 'connecting', attempt, unauthorizedInARow, deadline, socket: null, token: undefined };
    this.#patch({ phase: 'connecting', reconnectAttempts: attempt, nextReconnectAt: null });
    this.#log(`connecting to ${url}` + (attempt > 0 ? ` (attempt ${attempt})` : ''));
    this.#resolveToken().then(
      (token) =>
        this.#input(() => {
          const loop = this.#loop;
          if (loop.kind === 'connecting' && loop.socket === null && loop.deadline === deadline) this.#createSocket(loop, token);
        }),
      (error: unknown) => this.#report(ConnectionFailure.tokenProvider(error), { deadline }),
    );
  }

  #connectTimedOut(): ConnectionFailure {
    const loop = this.#loop;
    const socket = loop.kind === 'connecting' || loop.kind === 'handshaking' ? loop.socket : null;
    const stage = socket === null ? 'token' : socket.opened ? 'welcome' : 'opening';
    return ConnectionFailure.connectTimeout(this.#options.connectTimeout, stage, this.#options.url);
  }

  #createSocket(loop: Extract<LoopState, { kind: 'connecting' }>, token: string | undefined): void {
    const { webSocket, url } = this.#options;
    let socket: SocketConnection;
    try {
      socket = new SocketConnection(webSocket, url, {
        open: () =>
          this.#input(() => {
            const loop = this.#loop;
            if (loop.kind === 'connecting' && loop.socket === socket) this.#sendHello(loop, socket);
          }),
        frame: (frame) => this.#onFrame(socket, frame),
        invalidFrame: (detail) => {
          if (this.#loop.kind === 'open') this.#loop.heartbeat.frameReceived();
          this.#emit('error', { message: ClientMessages.invalidFrame(detail), code: null, kind: null, at: this.#now() });
        },
        closed: (code, reason, wasClean, opening) => {
          const failure = opening.opened
            ? ConnectionFailure.closed(code, reason, wasClean, this.#loop.kind === 'open')
            : ConnectionFailure.beforeOpen(opening.errorEvent, url, pageOrigin(), this.#diagnose(opening.errorEvent));
          this.#report(failure, { socket });
        },
      });
    } catch (error) {
      this.#failed(loop, error instanceof ConnectionFailure ? error : ConnectionFailure.socketCreate(error));
      return;
    }
    this.#loop = { ...loop, socket, token };
  }

  /**
   * The socket opened: `hello` names the server session to resume, the position in each wanted topic
   * that has one, and the other wanted topics, to subscribe from their head.
   */
  #sendHello(loop: Extract<LoopState, { kind: 'connecting' }>, socket: SocketConnection): void {
    const positions = this.#topics.helloPositions();
    const subscribe = this.#topics.helloSubscribe();
    const sessionId = this.#sessionToResume;
    // A field left undefined is left out of the frame: JSON has no undefined.
    const hello: HelloFrame = {
      type: 'hello',
      token: loop.token,
      session_id: sessionId || undefined,
      positions: Object.keys(positions).length > 0 ? positions : undefined,
      subscribe: subscribe.length > 0 ? subscribe : undefined,
      client: this.#options.clientInfo || undefined,
    };
    socket.send(hello);
    const { attempt, unauthorizedInARow, deadline } = loop;
    this.#loop = { kind: 'handshaking', attempt, unauthorizedInARow, deadline, socket, positions, subscribe };
  }

  /** Frames of an open connection; before `welcome` only `welcome` and `error` mean anything. */
  #onFrame(socket: SocketConnection, frame: ServerFrame): void {
    const loop = this.#loop;
    if (loop.kind === 'open' && loop.socket === socket) {
      loop.heartbeat.frameReceived();
      this.#dispatch(frame, socket);
    } else if (frame.type === 'welcome') {
      this.#input(() => {
        const current = this.#loop;
        if (current.kind === 'handshaking' && current.socket === socket) this.#established(current, frame);
      });
    } else if (frame.type === 'error') {
      this.#emit('error', { message: ClientMessages.serverError(frame.code, frame.message), code: frame.code, kind: null, at: this.#now() });
    }
  }

  /**
   * `welcome` arrived. Everything this connection needs is set up before the state says connected:
   * the heartbeat runs on the bounds the server announced (unless the app set its own), the server
   * session is remembered, the topics the hello did not subscribe subscribed, and only then the
   * features told (token refresh planned, outbox and requests flushed), so that messages follow
   * the subscriptions.
   */
  #established(loop: Extract<LoopState, { kind: 'handshaking' }>, welcome: WelcomeFrame): void {
    this.#clock.clearTimeout(loop.deadline);
    const { socket, positions, subscribe } = loop;
    const timing = livenessFromWelcome(this.#options, this.#options.ownLiveness, welcome.heartbeat);
    const heartbeat = new ClientHeartbeat(timing, {
      sendPing: (sequence, clientTime) => this.#sendClientPing(socket, sequence, clientTime),
      missedChanged: (missed) => this.#patch({ missedPongs: missed }),
      dead: (failure) => this.#report(failure, { socket }),
      wokeUp: (gapMs) => this.#log(`clock jumped ${Math.round(gapMs)} ms (sleep or frozen tab): checking the link`),
    }, this.#clock);
    const at = this.#now();
    this.#loop = { kind: 'open', socket, heartbeat, serverClockAhead: welcome.server_time - at };
    heartbeat.start();
    const reconnect = this.#store.value.sessionId !== null; // only a welcome sets it
    this.#clockSync.reset();
    this.#sessionToResume = welcome.session_id;
    const tokenExpiresAt = this.#clientTime(welcome.token_expires_at);
    // A server that does not read hello.subscribe (docs/protocol.md#welcome-sc) gets a subscribe per topic.
    this.#topics.afterWelcome(positions, welcome.hello_subscribe === true ? subscribe : []);
    this.#features.forEach((feature) => feature.established?.(welcome, socket, tokenExpiresAt));
    this.#patch({
      ...NEW_CONNECTION,
      phase: 'connected',
      connectedAt: at,
      sessionId: welcome.session_id,
      userId: welcome.user_id ?? null,
      sessionResumed: welcome.resumed,
      tokenExpiresAt,
      reconnectCount: this.#store.value.reconnectCount + (reconnect ? 1 : 0),
    });
    this.#log(`connected, session ${welcome.session_id}${welcome.resumed ? ' (resumed)' : ''}, heartbeat ${JSON.stringify(timing)}`);
    this.#settleWaiters(null);
    this.#emit('connection_established', { sessionId: welcome.session_id, resumed: welcome.resumed, reconnect, at });
  }

  #dispatch(frame: ServerFrame, socket: SocketConnection): void {
    const now = this.#now();
    switch (frame.type) {
      case 'ping': {
        const pingCount = this.#counter('serverPingCount') + 1;
        socket.send({ type: 'pong', timestamp: new Date(now).toISOString(), client_time: now, sequence: frame.sequence, ping_count: pingCount });
        this.#count({ serverPingCount: pingCount });
        return;
      }
      case 'pong': {
        const sample = this.#clockSync.record(frame.client_time, frame.server_time, now);
        this.#count({ pongCount: this.#counter('pongCount') + 1, lastPongAt: now, ...sample });
        this.#emit('pong', { sequence: frame.sequence, rttMs: sample.rttMs, clockOffsetMs: sample.clockOffsetMs, at: now });
        return;
      }
      case 'subscribed':
        this.#topics.onSubscribed(frame);
        return;
      case 'event':
        this.#topics.onEvent(frame);
        return;
      case 'unsubscribed':
        return endTopic(this.#topics, frame, (payload) => this.#emit('unsubscribed', payload));
      case 'message':
        this.#serverMessages.next({ topic: frame.topic, data: frame.data, timestamp: frame.timestamp });
        return;
      case 'result':
      case 'ack':
      case 'authenticated':
      case 'presence':
      case 'join':
      case 'leave':
        // Answers to what a feature sent: without that feature installed, none arrive.
        this.#features.some((feature) => feature.frame?.(frame));
        return;
      case 'error':
        if (this.#features.some((feature) => feature.frame?.(frame))) return;
        refuseTopic(this.#topics, frame);
        this.#emit('error', { message: ClientMessages.serverError(frame.code, frame.message), code: frame.code, kind: null, at: now });
        return;
      case 'welcome':
        return;
    }
  }

  #sendClientPing(socket: SocketConnection, sequence: number, clientTime: number): boolean {
    const sent = socket.send({ type: 'ping', timestamp: new Date(clientTime).toISOString(), client_time: clientTime, sequence });
    if (sent) this.#count({ pingCount: this.#counter('pingCount') + 1, lastPingAt: clientTime });
    return sent;
  }

  /**
   * An attempt failed or the connection ended: how it ended (docs/protocol.md#11-close-codes) decides,
   * once, what comes next. The whole transition (state, waiters) is done before any event is emitted.
   */
  #failed(loop: Extract<LoopState, { kind: 'connecting' | 'handshaking' | 'open' }>, failure: ConnectionFailure): void {
    const wasConnected = loop.kind === 'open';
    const unauthorizedInARow = failure.code === 4001 ? (wasConnected ? 0 : loop.unauthorizedInARow) + 1 : 0;
    const decision = this.#decide(failure, wasConnected ? 0 : loop.attempt, unauthorizedInARow);
    this.#log(`attempt ended: ${failure.message} → ${decision.kind}`);
    this.#release(failure);
    const stayClosed = failure.reaction === 'stay-closed';
    this.#patch({
      ...CONNECTION_ENDED,
      phase: phaseAfter(decision),
      lastCloseCode: failure.code,
      lastCloseReason: failure.reason,
      lastError: stayClosed ? this.#store.value.lastError : failure.message,
      lastErrorKind: stayClosed ? this.#store.value.lastErrorKind : failure.kind,
    });
    const announce = this.#follow(decision, failure, unauthorizedInARow);
    // The one retry after a 4001 is part of the same connect(): its outcome settles the promise.
    if (!(failure.reaction === 'refresh-token' && decision.kind === 'retry')) this.#settleWaiters(failure);
    if (wasConnected) {
      const { code, reason, wasClean } = failure;
      this.#emit('connection_lost', { code, reason, wasClean, willReconnect: decision.kind !== 'stop', at: this.#now() });
    }
    if (!stayClosed) {
      this.#emit('error', { message: failure.message, code: String(failure.code), kind: failure.kind, at: this.#now() });
    }
    if (decision.kind === 'stop' ? decision.exhausted : decision.kind === 'retry' && decision.exhaustedNow) {
      const willRetry = decision.kind === 'retry';
      this.#emit('reconnect_failed', { attempts: this.#options.maxReconnectAttempts, lastError: failure.message, kind: failure.kind, willRetry });
    }
    announce();
  }

  /** What the close-code table and the backoff schedule say to do after `failure` (docs/client.md#close-codes). */
  #decide(failure: ConnectionFailure, attemptsMade: number, unauthorizedInARow: number): RetryDecision {
    return decideRetry({
      failure,
      attemptsMade,
      unauthorizedInARow,
      autoReconnect: this.#store.value.autoReconnect,
      online: this.#options.connectivity.isOnline(),
      timing: this.#options,
      random: this.#options.random,
    });
  }

  /**
   * Puts a retry decision into effect: stop, wait for the network, or wait `delayMs` for the next
   * attempt. Returns the announcement (`reconnecting`) to emit once the caller's other events are out.
   */
  #follow(decision: RetryDecision, failure: ConnectionFailure, unauthorizedInARow: number): () => void {
    const nothing = () => undefined;
    if (decision.kind === 'stop') {
      const restartOn = decision.exhausted ? 'hint' : decision.phase === 'idle' && failure.reaction !== 'stay-closed' ? 'enable' : 'connect';
      this.#loop = { kind: 'stopped', restartOn };
      this.#patch({ phase: decision.phase, nextReconnectAt: null, lastError: decision.error ?? this.#store.value.lastError });
      return nothing;
    }
    if (decision.kind === 'wait-online') {
      this.#loop = { kind: 'waiting', attempt: decision.attempt, unauthorizedInARow, failure, timer: null };
      this.#patch({ phase: 'offline', nextReconnectAt: null, lastError: ClientMessages.offline(), lastErrorKind: 'offline' });
      return nothing;
    }
    const { attempt, delayMs, suspended } = decision;
    const at = this.#now() + delayMs;
    const timer = this.#clock.setTimeout(() => this.#input(() => this.#endWait()), delayMs);
    this.#loop = { kind: 'waiting', attempt, unauthorizedInARow, failure, timer };
    this.#patch({ phase: phaseAfter(decision), nextReconnectAt: at, reconnectAttempts: attempt });
    return () => this.#emit('reconnecting', { attempt, delayMs, at, suspended });
  }

  /** disconnect(): closes with 1000, stops the loop, and cancels what waits for a connection. */
  #stopByClient(): void {
    const loop = this.#loop;
    const wasConnected = loop.kind === 'open';
    this.#release(null);
    this.#loop = { kind: 'stopped', restartOn: 'connect' };
    this.#settleWaiters(new Error(ClientMessages.disconnectedByClient()));
    this.#features.forEach((feature) => feature.stopped?.());
    if (loop.kind === 'stopped' && this.#store.value.phase === 'idle') return;
    this.#log('disconnect() called');
    this.#patch({
      ...CONNECTION_ENDED,
      phase: 'idle',
      ...(wasConnected ? { lastCloseCode: 1000, lastCloseReason: 'client disconnect' } : {}),
    });
    if (wasConnected) {
      this.#emit('connection_lost', { code: 1000, reason: 'client disconnect', wasClean: true, willReconnect: false, at: this.#now() });
    }
  }

  #setAutoReconnect(on: boolean): void {
    if (this.#store.value.autoReconnect === on) return;
    this.#patch({ autoReconnect: on });
    const loop = this.#loop;
    if (on && loop.kind === 'stopped' && loop.restartOn === 'enable') {
      this.#startAttempt(1, 0);
    } else if (!on && loop.kind === 'waiting') {
      this.#release(null);
      this.#loop = { kind: 'stopped', restartOn: 'enable' };
      this.#patch({ phase: 'idle', nextReconnectAt: null });
    }
  }

  /** resetReconnectState(): forgets past attempts; a scheduled retry starts over from the first delay. */
  #reset(): void {
    const loop = this.#loop;
    if (loop.kind === 'stopped' && loop.restartOn === 'hint') this.#loop = { kind: 'stopped', restartOn: 'connect' };
    // The attempt under way now counts as a first one: its failure is decided from the first delay.
    if (loop.kind === 'connecting' || loop.kind === 'handshaking') this.#loop = { ...loop, attempt: 0, unauthorizedInARow: 0 };
    const { phase } = this.#store.value;
    if (loop.kind === 'waiting' && loop.timer !== null) {
      this.#patch({ lastError: null, lastErrorKind: null });
      // Rescheduled from the first delay, unless that is what is scheduled already.
      if (phase === 'suspended' || loop.attempt > 1) {
        this.#release(null);
        this.#follow(this.#decide(loop.failure, 0, 0), loop.failure, 0)();
      }
      return;
    }
    // Waiting without a timer (offline): the next attempt, whenever it comes, is a first reconnect again.
    if (loop.kind === 'waiting') this.#loop = { ...loop, attempt: 1, unauthorizedInARow: 0 };
    this.#patch({ phase: phase === 'failed' ? 'idle' : phase, reconnectAttempts: 0, lastError: null, lastErrorKind: null });
  }

  /** `online`, `offline`, page visible again: check a live link at once, or end a wait with the backoff reset. */
  #onHint(hint: Hint): void {
    if (hint !== 'resumed') this.#patch({ online: hint === 'online' });
    this.#log(`browser hint: ${hint}`);
    const loop = this.#loop;
    if (loop.kind === 'open') {
      loop.heartbeat.pingNow();
    } else if (hint === 'offline') {
      if (loop.kind === 'waiting' && loop.timer !== null) {
        this.#release(null);
        this.#loop = { ...loop, timer: null };
        this.#patch({ phase: 'offline', nextReconnectAt: null, lastError: ClientMessages.offline(), lastErrorKind: 'offline' });
      }
    } else if (loop.kind === 'waiting') {
      this.#startAttempt(1, loop.unauthorizedInARow);
    } else if (loop.kind === 'stopped' && loop.restartOn === 'hint' && this.#store.value.autoReconnect) {
      this.#startAttempt(1, 0);
    }
  }

  #destroyNow(): void {
    this.#features.forEach((feature) => feature.destroyed?.());
    this.#stopByClient();
    this.#loop = { kind: 'destroyed' };
    this.#hints.unsubscribe();
    this.#topics.complete();
    this.#serverMessages.complete();
    this.#hub.complete();
    this.#store.complete();
  }

  /** A transition threw (a bug, not a closed connection): say so instead of hanging. */
  #failedUnexpectedly(error: unknown): void {
    this.#log('reconnect loop ended unexpectedly', error);
    if (this.#loop.kind === 'destroyed') return;
    try {
      this.#release(null);
    } finally {
      this.#loop = { kind: 'stopped', restartOn: 'connect' };
    }
    this.#settleWaiters(error instanceof Error ? error : new Error(String(error)));
    this.#patch({ phase: 'failed', nextReconnectAt: null, lastError: String(error), lastErrorKind: 'internal' });
  }

  /** The socket of the open connection (welcome received), or null. */
  #openSocket(): SocketConnection | null {
    return this.#loop.kind === 'open' ? this.#loop.socket : null;
  }

  async #resolveToken(): Promise<string | undefined> {
    const { token } = this.#options;
    const value = typeof token === 'function' ? await token() : token;
    return value ?? undefined;
  }

  /** What the installed features name as the cause of a failure before the socket opened. */
  #diagnose(errorEvent: unknown): FailureDiagnosis | null {
    for (const feature of this.#features) {
      const diagnosis = feature.diagnose?.(errorEvent, this.#options.url);
      if (diagnosis) return diagnosis;
    }
    return null;
  }

  /** Installs `given` in FEATURE_ORDER; each kind at most once. */
  #installFeatures(given: readonly HeartbeatClientFeature[]): Partial<Record<ClientFeatureKind, ClientFeature>> {
    const host: ClientFeatureHost = {
      options: this.#options,
      topics: this.#topics,
      openSocket: () => this.#openSocket(),
      patch: (changes) => this.#patch(changes),
      emit: (event, payload) => this.#emit(event, payload),
      resolveToken: () => this.#resolveToken(),
      clientTime: (serverTime) => this.#clientTime(serverTime),
      sessionToResume: () => this.#sessionToResume,
      setSessionToResume: (sessionId) => {
        this.#sessionToResume = sessionId;
      },
    };
    const installed: Partial<Record<ClientFeatureKind, ClientFeature>> = {};
    for (const kind of FEATURE_ORDER) {
      const matching = given.filter((feature) => feature.kind === kind);
      if (matching.length > 1) throw new HeartbeatClientOptionsError(ClientMessages.featureTwice(kind));
      if (matching.length === 0) continue;
      installed[kind] = matching[0].install(host);
      this.#features.push(installed[kind]);
    }
    return installed;
  }

  /** A time on the server's clock (token expiry) on this client's clock, per this connection's welcome. */
  #clientTime(serverTime: number | undefined): number | null {
    if (serverTime === undefined) return null;
    return serverTime - (this.#loop.kind === 'open' ? this.#loop.serverClockAhead : 0);
  }

  #settleWaiters(failure: Error | null): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) {
      if (failure) waiter.reject(failure);
      else waiter.resolve();
    }
  }

  #patch(changes: Partial<HeartbeatClientState>): void {
    if (this.#loop.kind === 'destroyed') return;
    // One copy per change, with the counters #count() kept back, its derived fields set on it before
    // anyone sees it (docs/client.md#state).
    const next: { -readonly [K in keyof HeartbeatClientState]: HeartbeatClientState[K] } = { ...this.#store.value, ...this.#uncounted, ...changes };
    this.#uncounted = null;
    const waiting = WAITING_PHASES.has(next.phase);
    next.status = STATUS_OF_PHASE[next.phase];
    next.isReconnecting = waiting || (next.phase === 'connecting' && next.reconnectAttempts > 0);
    if (!waiting) next.nextReconnectAt = null;
    this.#store.next(next);
  }

  /**
   * The heartbeat's counters change on every ping and pong. While state$ has a subscriber each change
   * is a snapshot of its own, emitted at once, as any other change. Without one (a client in Node
   * that only reads its topics) they wait for the next snapshot: the next other change, a read of
   * `state` or a subscription. A copy of the whole state per ping that nobody sees cost about a
   * ninth of such a client's CPU per ping (docs/benchmarks.md#sixteenth-pass-the-state-nobody-reads-2026-12-07).
   */
  #count(changes: Partial<HeartbeatCounters>): void {
    if (this.#store.observed) this.#patch(changes);
    else Object.assign((this.#uncounted ??= {}), changes);
  }

  #counter(name: Extract<keyof HeartbeatCounters, `${string}Count`>): number {
    return this.#uncounted?.[name] ?? this.#store.value[name];
  }

  #settleCounters(): void {
    if (this.#uncounted) this.#patch({});
  }

  /** A stream asked of a destroyed client: it errs at once with a sentence, where one that never ended would say nothing. */
  #destroyedStream(): Observable<never> {
    return throwError(() => new Error(ClientMessages.destroyed()));
  }

  #emit<K extends HeartbeatClientEventName>(event: K, payload: HeartbeatClientEventMap[K]): void {
    this.#hub.emit(event, payload);
  }

  #now(): number {
    return this.#clock.now();
  }

  #log(message: string, ...details: unknown[]): void {
    this.#options.log(message, ...details);
  }
}
