import { encodeFrame, type MessageFrame, type ServerFrame, type WelcomeFrame } from '@heartbeat/protocol';
import {
  BehaviorSubject,
  defer,
  EMPTY,
  map,
  merge,
  Observable,
  of,
  retry,
  Subject,
  Subscription,
  switchMap,
  take,
  timer,
} from 'rxjs';
import { ClientHeartbeat } from './client-heartbeat.js';
import type { HeartbeatClientEventMap, HeartbeatClientEventName, TopicEvent } from './client-events.js';
import type { HeartbeatClientOptions } from './client-options.js';
import { initialClientState, STATUS_OF_PHASE, type ConnectionPhase, type HeartbeatClientState } from './client-state.js';
import { ClientMessages } from './client.messages.js';
import { ClockSync } from './clock-sync.js';
import { ConnectionFailure } from './connection-failure.js';
import { EventHub } from './event-hub.js';
import type { HeartbeatClientApi } from './heartbeat-client-api.js';
import { HeartbeatSendError } from './heartbeat-send-error.js';
import { randomIdPrefix } from './message-id.js';
import { Outbox } from './outbox.js';
import { resolveClientOptions, type ResolvedClientOptions } from './resolve-client-options.js';
import { RESUME_KEY_PREFIX, ResumeStore } from './resume-store.js';
import { SessionClaims } from './session-claims.js';
import { decideRetry, type RetryDecision } from './retry-policy.js';
import { SocketSession } from './socket-session.js';
import { TokenRefresh } from './token-refresh.js';
import { TopicRegistry } from './topic-registry.js';

type StopDecision = Extract<RetryDecision, { kind: 'stop' }>;

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

function phaseAfter(decision: RetryDecision): ConnectionPhase {
  if (decision.kind === 'stop') return decision.phase;
  if (decision.kind === 'wait-online') return 'offline';
  return decision.suspended ? 'suspended' : 'backoff';
}

const WAITING_PHASES: ReadonlySet<ConnectionPhase> = new Set(['backoff', 'suspended', 'offline']);

/** The page's origin, which a browser sends as the upgrade's Origin header; null outside a page. */
function pageOrigin(): string | null {
  const { location } = globalThis as { location?: { origin?: string } };
  return typeof location?.origin === 'string' && location.origin !== 'null' ? location.origin : null;
}

/**
 * A WebSocket client for Heartbeat servers (docs/client.md): connects, keeps the link proven with its
 * own heartbeat, reconnects with exponential backoff (docs/protocol.md#backoff) through RxJS
 * `retry({ delay })`, and keeps topic subscriptions across reconnects. One attempt is one Observable
 * whose teardown releases its socket, listeners and timers, so every transition leaves nothing behind.
 */
export class HeartbeatClient implements HeartbeatClientApi {
  readonly state$: Observable<HeartbeatClientState>;

  private readonly options: ResolvedClientOptions;
  private readonly store: BehaviorSubject<HeartbeatClientState>;
  private readonly hub: EventHub<HeartbeatClientEventMap>;
  private readonly topics: TopicRegistry;
  private readonly clock = new ClockSync();
  /** `send()` messages until their ack; flushed after welcome and the resubscriptions. */
  private readonly outbox: Outbox;
  /** Session id and topic positions in storage, so that a reloaded page resumes. */
  private readonly resume: ResumeStore;
  private readonly tokenRefresh: TokenRefresh;
  /** Tells other tabs which session this one resumes, so that two tabs never share one. */
  private readonly claims: SessionClaims;
  /** Ends a scheduled wait at once (connect(), a network or page hint). */
  private readonly wake$ = new Subject<void>();
  /** Restarts a scheduled wait from the first delay (resetReconnectState()). */
  private readonly restartWait$ = new Subject<void>();
  private readonly hints: Subscription;
  private readonly idPrefix: string;

  private run: Subscription | null = null;
  private session: SocketSession | null = null;
  /** The session to name in the next `hello`: the last welcome's, or one saved by an earlier page. */
  private resumeSessionId: string | null = null;
  /** The current connection has its welcome and its resubscriptions out: messages may go. */
  private outboxOpen = false;
  /** Server clock minus client clock as seen in this connection's welcome, for token expiry times. */
  private serverClockAhead = 0;
  private heartbeat: ClientHeartbeat | null = null;
  private waiters: Waiter[] = [];
  /** Reconnect attempt number the next attempt carries (0: a first or manual connect). */
  private nextAttempt = 0;
  private unauthorizedInARow = 0;
  private everConnected = false;
  private messageCount = 0;
  /** The loop stopped because the fast attempts ran out: a network or page hint may restart it. */
  private stoppedExhausted = false;
  /** The link dropped while auto-reconnect was off: enabling it reconnects. */
  private reconnectOnEnable = false;
  /**
   * A wake asked for while no wait is listening yet (from a handler of the very events
   * that announce the wait): the wait honours it when it starts instead of losing it.
   */
  private wakeRequested = false;
  private restartFromFirstAttempt = false;
  private destroyed = false;

  constructor(options: HeartbeatClientOptions) {
    this.options = resolveClientOptions(options);
    const { connectivity } = this.options;
    this.store = new BehaviorSubject(
      initialClientState(this.options.maxReconnectAttempts, this.options.autoReconnect, connectivity.isOnline()),
    );
    this.state$ = this.store.asObservable();
    this.hub = new EventHub((event, error) => this.log(ClientMessages.handlerThrew(String(event)), error));
    this.topics = new TopicRegistry({
      send: (frame) => this.session?.send(frame) ?? false,
      gap: (payload) => this.emit('gap', payload),
      resumed: (payload) => this.emit('resumed', payload),
      positionsChanged: () => this.resume.changed(),
    });
    this.outbox = new Outbox(this.options.outbox);
    this.tokenRefresh = new TokenRefresh({
      fetchToken: () => this.resolveToken(),
      sendAuth: (token) => this.session?.send({ type: 'auth', token }) ?? false,
      failed: (message) => {
        this.log(message);
        this.emit('error', { message, code: 'token_refresh', kind: null, at: Date.now() });
      },
    });
    // Unique per client instance (not from `random`, which tests fix): a reloaded page reusing the
    // session must not repeat an id the server would drop as a duplicate.
    this.idPrefix = randomIdPrefix();
    const resumeKey = RESUME_KEY_PREFIX + this.options.url;
    this.resume = new ResumeStore(
      this.options.persistence,
      resumeKey,
      () => ({ sessionId: this.resumeSessionId, topics: this.topics.positions() }),
      (message) => this.log(message),
    );
    this.claims = new SessionClaims(this.options.broadcastChannel?.(resumeKey) ?? null, { id: this.idPrefix, createdAt: Date.now() }, {
      current: () => this.resumeSessionId,
      yieldSession: (sessionId) => this.yieldSession(sessionId),
    });
    const saved = this.resume.load();
    if (saved) {
      this.resumeSessionId = saved.sessionId;
      this.topics.restore(saved.topics);
      this.log(`resume state loaded: session ${saved.sessionId ?? '(none)'}, ${Object.keys(saved.topics).length} topic positions`);
      if (saved.sessionId) this.claims.claim(saved.sessionId);
    }
    this.hints = merge(
      connectivity.online$.pipe(map(() => 'online' as const)),
      connectivity.offline$.pipe(map(() => 'offline' as const)),
      connectivity.resumed$.pipe(map(() => 'resumed' as const)),
    ).subscribe((hint) => this.onHint(hint));
    if (connectivity.pageHidden$) this.hints.add(connectivity.pageHidden$.subscribe(() => this.resume.flush()));
  }

  get state(): HeartbeatClientState {
    return this.store.value;
  }

  connect(): Promise<void> {
    if (this.destroyed) return Promise.reject(new Error(ClientMessages.destroyed()));
    if (this.state.phase === 'connected') return Promise.resolve();
    const promise = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.run === null) {
      this.unauthorizedInARow = 0;
      this.nextAttempt = 0;
      this.startRun();
    } else if (this.state.phase !== 'connecting') {
      this.requestWake();
    }
    return promise;
  }

  disconnect(): void {
    const run = this.run;
    const wasConnected = this.state.phase === 'connected';
    this.run = null;
    this.stoppedExhausted = false;
    this.reconnectOnEnable = false;
    run?.unsubscribe();
    this.settleWaiters(new Error(ClientMessages.disconnectedByClient()));
    const hadPending = this.outbox.size > 0;
    this.outbox.rejectAll(new HeartbeatSendError('disconnected', ClientMessages.sendCancelledByDisconnect()));
    this.resume.flush();
    if (!run && this.state.phase === 'idle') {
      if (hadPending) this.patch({ pendingMessages: 0 });
      return;
    }
    this.log('disconnect() called');
    this.patch({
      phase: 'idle',
      nextReconnectAt: null,
      connectedAt: null,
      missedPongs: 0,
      pendingMessages: 0,
      tokenExpiresAt: null,
      ...(wasConnected ? { lastCloseCode: 1000, lastCloseReason: 'client disconnect' } : {}),
    });
    if (wasConnected) {
      this.emit('connection_lost', { code: 1000, reason: 'client disconnect', wasClean: true, willReconnect: false, at: Date.now() });
    }
  }

  enableAutoReconnect(): void {
    if (this.destroyed || this.state.autoReconnect) return;
    this.patch({ autoReconnect: true });
    if (this.reconnectOnEnable && this.run === null) {
      this.reconnectOnEnable = false;
      this.nextAttempt = 1;
      this.startRun();
    }
  }

  disableAutoReconnect(): void {
    if (this.destroyed || !this.state.autoReconnect) return;
    this.patch({ autoReconnect: false });
    if (!WAITING_PHASES.has(this.state.phase)) return;
    this.run?.unsubscribe();
    this.run = null;
    this.reconnectOnEnable = true;
    this.patch({ phase: 'idle', nextReconnectAt: null });
  }

  resetReconnectState(): void {
    if (this.destroyed) return;
    this.unauthorizedInARow = 0;
    this.stoppedExhausted = false;
    const { phase, reconnectAttempts } = this.state;
    if (phase === 'backoff' || phase === 'suspended') {
      this.patch({ lastError: null, lastErrorKind: null });
      // Rescheduled from the first delay, unless that is what is scheduled already.
      if (phase === 'suspended' || reconnectAttempts > 1) {
        this.restartFromFirstAttempt = true;
        this.restartWait$.next();
      }
      return;
    }
    this.patch({ phase: phase === 'failed' ? 'idle' : phase, reconnectAttempts: 0, lastError: null, lastErrorKind: null });
  }

  sendPing(): boolean {
    return this.heartbeat?.pingNow() ?? false;
  }

  on<K extends HeartbeatClientEventName>(event: K, handler: (payload: HeartbeatClientEventMap[K]) => void): () => void {
    return this.hub.on(event, handler);
  }

  events<K extends HeartbeatClientEventName>(event: K): Observable<HeartbeatClientEventMap[K]> {
    return this.hub.events(event);
  }

  subscribe<T = unknown>(topic: string): Observable<TopicEvent<T>> {
    return this.topics.subscribe<T>(topic);
  }

  send(topic: string | undefined, data: unknown): Promise<void> {
    if (this.destroyed) return Promise.reject(new HeartbeatSendError('destroyed', ClientMessages.destroyed()));
    if (data === undefined) return Promise.reject(new HeartbeatSendError('invalid-data', ClientMessages.sendDataMissing()));
    this.messageCount += 1;
    const id = `${this.idPrefix}-${this.messageCount}`;
    const frame: MessageFrame = topic === undefined ? { type: 'message', id, data } : { type: 'message', id, topic, data };
    let text: string;
    try {
      text = encodeFrame(frame);
    } catch (error) {
      return Promise.reject(new HeartbeatSendError('invalid-data', ClientMessages.sendDataNotJson(String(error))));
    }
    const before = this.outbox.size;
    const acked = this.outbox.add(id, text);
    if (this.outbox.size === before) return acked; // refused: the outbox is full
    this.flushOutbox();
    this.patch({ pendingMessages: this.outbox.size });
    return acked;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.outbox.rejectAll(new HeartbeatSendError('destroyed', ClientMessages.sendCancelledByDestroy()));
    this.disconnect();
    this.resume.flush();
    this.destroyed = true;
    this.hints.unsubscribe();
    this.claims.close();
    this.topics.complete();
    this.hub.complete();
    this.wake$.complete();
    this.restartWait$.complete();
    this.store.complete();
  }

  private startRun(): void {
    this.stoppedExhausted = false;
    this.reconnectOnEnable = false;
    // Registered before the first attempt starts: a state$ subscriber that reacts to that attempt
    // with disconnect() or connect() must find this run to stop, or to join.
    const run = new Subscription();
    this.run = run;
    run.add(
      defer(() => this.attempt())
        .pipe(retry({ delay: (error: unknown) => this.planRetry(error) }))
        .subscribe({ error: (error: unknown) => this.failedUnexpectedly(run, error) }),
    );
  }

  /** One connection: token, socket, hello, welcome, then frames until it closes or dies. */
  private attempt(): Observable<never> {
    return new Observable<never>((subscriber) => {
      const { connectTimeout, webSocket, url, pingInterval, pongTimeout, maxMissedPongs } = this.options;
      this.wakeRequested = false;
      this.patch({ phase: 'connecting', reconnectAttempts: this.nextAttempt, nextReconnectAt: null });
      this.log(`connecting to ${url}` + (this.nextAttempt > 0 ? ` (attempt ${this.nextAttempt})` : ''));
      let session: SocketSession | null = null;
      let heartbeat: ClientHeartbeat | null = null;
      let finished = false;

      const finish = (failure: ConnectionFailure | null) => {
        if (finished) return;
        finished = true;
        clearTimeout(connectTimer);
        heartbeat?.stop();
        const abandon = failure?.code === 4000;
        session?.close(failure && failure.code >= 3000 ? failure.code : 1000, failure?.reason ?? '', abandon);
        if (this.session === session) {
          this.session = null;
          this.heartbeat = null;
          this.closeOutbox();
        }
        if (failure) subscriber.error(failure);
      };
      const connectTimer = setTimeout(() => {
        const stage = session === null ? 'token' : session.opened ? 'welcome' : 'opening';
        finish(ConnectionFailure.connectTimeout(connectTimeout, stage, url));
      }, connectTimeout);

      const established = (welcome: WelcomeFrame, open: SocketSession) => {
        clearTimeout(connectTimer);
        heartbeat = new ClientHeartbeat({ pingInterval, pongTimeout, maxMissedPongs }, {
          sendPing: (sequence, clientTime) => this.sendClientPing(open, sequence, clientTime),
          missedChanged: (missed) => this.patch({ missedPongs: missed }),
          dead: (failure) => finish(failure),
          wokeUp: (gapMs) => this.log(`clock jumped ${Math.round(gapMs)} ms (sleep or frozen tab): checking the link`),
        });
        this.session = open;
        this.heartbeat = heartbeat;
        heartbeat.start();
        this.connected(welcome);
      };

      const opened = (token: string | undefined) => {
        if (finished) return;
        try {
          session = new SocketSession(webSocket, url, {
            open: () => session?.send({ type: 'hello', ...this.helloFields(token) }),
            frame: (frame) => {
              if (heartbeat) {
                heartbeat.frameReceived();
                this.dispatch(frame, session as SocketSession);
              } else if (frame.type === 'welcome') {
                established(frame, session as SocketSession);
              } else if (frame.type === 'error') {
                this.emit('error', { message: ClientMessages.serverError(frame.code, frame.message), code: frame.code, kind: null, at: Date.now() });
              }
            },
            invalidFrame: (detail) => {
              heartbeat?.frameReceived();
              this.emit('error', { message: ClientMessages.invalidFrame(detail), code: null, kind: null, at: Date.now() });
            },
            closed: (code, reason, wasClean, opening) =>
              finish(
                opening.opened
                  ? ConnectionFailure.closed(code, reason, wasClean, heartbeat !== null)
                  : ConnectionFailure.beforeOpen(opening.errorEvent, url, pageOrigin()),
              ),
          });
        } catch (error) {
          finish(error instanceof ConnectionFailure ? error : ConnectionFailure.socketCreate(error));
        }
      };

      this.resolveToken().then(opened, (error: unknown) => finish(ConnectionFailure.tokenProvider(error)));
      return () => finish(null);
    });
  }

  private async resolveToken(): Promise<string | undefined> {
    const { token } = this.options;
    const value = typeof token === 'function' ? await token() : token;
    return value ?? undefined;
  }

  private helloFields(token: string | undefined) {
    const sessionId = this.resumeSessionId;
    return {
      ...(token !== undefined ? { token } : {}),
      ...(sessionId ? { session_id: sessionId } : {}),
      ...(this.options.clientInfo ? { client: this.options.clientInfo } : {}),
    };
  }

  /**
   * `welcome` arrived. Everything this connection needs is set up before the state says connected:
   * the session is remembered, the token refresh planned, the topics subscribed again and only
   * then the outbox flushed, so that messages follow the resubscriptions.
   */
  private connected(welcome: WelcomeFrame): void {
    const reconnect = this.everConnected;
    this.everConnected = true;
    this.unauthorizedInARow = 0;
    this.nextAttempt = 0;
    this.clock.reset();
    const at = Date.now();
    this.resumeSessionId = welcome.session_id;
    this.resume.changed();
    this.claims.claim(welcome.session_id);
    this.serverClockAhead = welcome.server_time - at;
    const tokenExpiresAt = this.clientTime(welcome.token_expires_at);
    this.planTokenRefresh(tokenExpiresAt);
    this.topics.resubscribeAll();
    this.outboxOpen = true;
    this.flushOutbox();
    this.patch({
      phase: 'connected',
      connectedAt: at,
      sessionId: welcome.session_id,
      sessionResumed: welcome.resumed,
      tokenExpiresAt,
      reconnectAttempts: 0,
      reconnectCount: this.state.reconnectCount + (reconnect ? 1 : 0),
      nextReconnectAt: null,
      lastError: null,
      lastErrorKind: null,
      pingCount: 0,
      pongCount: 0,
      missedPongs: 0,
      serverPingCount: 0,
      rttMs: null,
      rttSmoothedMs: null,
    });
    this.log(`connected, session ${welcome.session_id}${welcome.resumed ? ' (resumed)' : ''}`);
    this.settleWaiters(null);
    this.emit('connection_established', { sessionId: welcome.session_id, resumed: welcome.resumed, reconnect, at });
  }

  private dispatch(frame: ServerFrame, session: SocketSession): void {
    const now = Date.now();
    switch (frame.type) {
      case 'ping': {
        const pingCount = this.state.serverPingCount + 1;
        session.send({ type: 'pong', timestamp: new Date(now).toISOString(), client_time: now, sequence: frame.sequence, ping_count: pingCount });
        this.patch({ serverPingCount: pingCount });
        return;
      }
      case 'pong': {
        const sample = this.clock.record(frame.client_time, frame.server_time, now);
        this.patch({ pongCount: this.state.pongCount + 1, lastPongAt: now, ...sample });
        this.emit('pong', { sequence: frame.sequence, rttMs: sample.rttMs, clockOffsetMs: sample.clockOffsetMs, at: now });
        return;
      }
      case 'subscribed':
        this.topics.onSubscribed(frame);
        return;
      case 'event':
        this.topics.onEvent(frame);
        return;
      case 'ack':
        if (this.outbox.ack(frame.id)) {
          this.flushOutbox();
          this.patch({ pendingMessages: this.outbox.size });
        }
        return;
      case 'authenticated': {
        const tokenExpiresAt = this.clientTime(frame.token_expires_at);
        this.log(`token refreshed${tokenExpiresAt === null ? '' : `, expires ${new Date(tokenExpiresAt).toISOString()}`}`);
        this.tokenRefresh.authenticated(tokenExpiresAt);
        this.patch({ tokenExpiresAt });
        return;
      }
      case 'error': {
        const message = ClientMessages.serverError(frame.code, frame.message);
        // A server that names the refused message's id in `ref` rejects that send() alone.
        const refused = frame.ref !== undefined && this.outbox.fail(frame.ref, new HeartbeatSendError('refused', ClientMessages.messageRefused(frame.code, frame.message)));
        if (refused) this.patch({ pendingMessages: this.outbox.size });
        if (frame.ref === 'auth') this.tokenRefresh.refused(frame.message);
        this.emit('error', { message, code: frame.code, kind: null, at: now });
        return;
      }
      case 'welcome':
        return;
    }
  }

  private sendClientPing(session: SocketSession, sequence: number, clientTime: number): boolean {
    const sent = session.send({ type: 'ping', timestamp: new Date(clientTime).toISOString(), client_time: clientTime, sequence });
    if (sent) this.patch({ pingCount: this.state.pingCount + 1, lastPingAt: clientTime });
    return sent;
  }

  /**
   * The retry pipeline's `delay`: reacts to how the attempt ended (docs/protocol.md, Close codes)
   * and returns the wait before the next attempt, or EMPTY to end the loop. The whole transition
   * (phase, flags, waiters) is done before any event is emitted, so a handler may call any method.
   */
  private planRetry(error: unknown): Observable<unknown> {
    const failure = error instanceof ConnectionFailure ? error : ConnectionFailure.socketCreate(error);
    const wasConnected = this.state.phase === 'connected';
    this.unauthorizedInARow = failure.code === 4001 ? this.unauthorizedInARow + 1 : 0;
    const decision = decideRetry(this.retryContext(failure));
    this.log(`attempt ended: ${failure.message} → ${decision.kind}`);
    this.patch({
      phase: phaseAfter(decision),
      nextReconnectAt: null,
      connectedAt: null,
      missedPongs: 0,
      tokenExpiresAt: null,
      lastCloseCode: failure.code,
      lastCloseReason: failure.reason,
      lastError: failure.reaction === 'stay-closed' ? this.state.lastError : failure.message,
      lastErrorKind: failure.reaction === 'stay-closed' ? this.state.lastErrorKind : failure.kind,
    });
    if (decision.kind === 'stop') this.stop(decision, failure);
    // The one retry after a 4001 is part of the same connect(): its outcome settles the promise.
    const refreshingToken = failure.reaction === 'refresh-token' && decision.kind === 'retry';
    if (!refreshingToken) this.settleWaiters(failure);
    if (wasConnected) {
      const { code, reason, wasClean } = failure;
      this.emit('connection_lost', { code, reason, wasClean, willReconnect: decision.kind !== 'stop', at: Date.now() });
    }
    if (failure.reaction !== 'stay-closed') {
      this.emit('error', { message: failure.message, code: String(failure.code), kind: failure.kind, at: Date.now() });
    }
    const exhausted = decision.kind === 'stop' ? decision.exhausted : decision.kind === 'retry' && decision.exhaustedNow;
    if (exhausted) {
      const willRetry = decision.kind === 'retry';
      this.emit('reconnect_failed', { attempts: this.options.maxReconnectAttempts, lastError: failure.message, kind: failure.kind, willRetry });
    }
    if (decision.kind === 'stop') return EMPTY;
    // Decided again when the wait starts (and on resetReconnectState()): a handler of the events
    // above may have reset the attempts meanwhile. The restart subject is listened to first, so a
    // reset from a handler of `reconnecting` itself is not lost.
    return merge(this.restartWait$, of(undefined)).pipe(
      map(() => decideRetry(this.retryContext(failure, this.takeRestartRequest()))),
      switchMap((next) => this.waitFor(next, failure)),
      take(1),
    );
  }

  private retryContext(failure: ConnectionFailure, fromFirstAttempt = false) {
    return {
      failure,
      attemptsMade: fromFirstAttempt ? 0 : this.state.reconnectAttempts,
      unauthorizedInARow: this.unauthorizedInARow,
      autoReconnect: this.state.autoReconnect,
      online: this.options.connectivity.isOnline(),
      timing: this.options,
      random: this.options.random,
    };
  }

  /** Waits out a decision; a wake (connect(), a hint) ends it early, `offline` turns it into a wait for `online`. */
  private waitFor(decision: RetryDecision, failure: ConnectionFailure): Observable<unknown> {
    return defer(() => {
      if (decision.kind === 'stop') {
        this.stop(decision, failure);
        return EMPTY;
      }
      this.nextAttempt = decision.attempt;
      if (this.wakeRequested) return of(true);
      if (decision.kind === 'wait-online') return this.waitForOnline();
      const at = Date.now() + decision.delayMs;
      this.patch({ phase: phaseAfter(decision), nextReconnectAt: at, reconnectAttempts: decision.attempt });
      const go$ = merge(timer(decision.delayMs), this.wake$).pipe(map(() => true));
      const offline$ = this.options.connectivity.offline$.pipe(map(() => false));
      const wait$ = merge(go$, offline$).pipe(
        take(1),
        switchMap((go) => (go ? of(go) : this.waitForOnline())),
      );
      // Announced once the wait listens, so that connect() from the handler ends it at once.
      return new Observable<unknown>((subscriber) => {
        const subscription = wait$.subscribe(subscriber);
        this.emit('reconnecting', { attempt: decision.attempt, delayMs: decision.delayMs, at, suspended: decision.suspended });
        return subscription;
      });
    });
  }

  private waitForOnline(): Observable<unknown> {
    return defer(() => {
      this.patch({ phase: 'offline', nextReconnectAt: null, lastError: ClientMessages.offline(), lastErrorKind: 'offline' });
      return this.wakeRequested ? of(true) : merge(this.options.connectivity.online$, this.wake$).pipe(take(1));
    });
  }

  /** Ends the reconnect loop with a decision: no more attempts until connect() (or a hint, if exhausted). */
  private stop(decision: StopDecision, failure: ConnectionFailure): void {
    this.run = null;
    this.stoppedExhausted = decision.exhausted;
    this.reconnectOnEnable = decision.phase === 'idle' && failure.reaction !== 'stay-closed';
    this.patch({ phase: decision.phase, nextReconnectAt: null, lastError: decision.error ?? this.state.lastError });
  }

  /** The pipeline itself failed (a bug, not a closed connection): say so instead of hanging. */
  private failedUnexpectedly(run: Subscription, error: unknown): void {
    if (this.run !== run) return;
    this.run = null;
    this.log('reconnect loop ended unexpectedly', error);
    this.settleWaiters(error instanceof Error ? error : new Error(String(error)));
    this.patch({ phase: 'failed', nextReconnectAt: null, lastError: String(error), lastErrorKind: 'internal' });
  }

  private takeRestartRequest(): boolean {
    const requested = this.restartFromFirstAttempt;
    this.restartFromFirstAttempt = false;
    return requested;
  }

  private requestWake(): void {
    this.wakeRequested = true;
    this.wake$.next();
  }

  /** `online`, `offline`, page visible again: check a live link at once, or end a wait with the backoff reset. */
  private onHint(hint: 'online' | 'offline' | 'resumed'): void {
    if (hint !== 'resumed') this.patch({ online: hint === 'online' });
    this.log(`browser hint: ${hint}`);
    const { phase, autoReconnect } = this.state;
    if (phase === 'connected') {
      this.heartbeat?.pingNow();
      return;
    }
    if (hint === 'offline') return;
    if (WAITING_PHASES.has(phase)) {
      this.nextAttempt = 1;
      this.patch({ reconnectAttempts: 0 });
      this.requestWake();
    } else if (this.stoppedExhausted && autoReconnect && this.run === null) {
      this.nextAttempt = 1;
      this.patch({ reconnectAttempts: 0 });
      this.startRun();
    }
  }

  /** Writes the waiting messages, in order, once the connection has its welcome and resubscriptions. */
  private flushOutbox(): void {
    const session = this.session;
    if (!this.outboxOpen || !session) return;
    this.outbox.flush((text) => session.sendText(text));
  }

  /** The connection ended: messages in flight wait for the next one (resent with the same id). */
  private closeOutbox(): void {
    this.outboxOpen = false;
    this.tokenRefresh.stop();
    const requeued = this.outbox.requeue();
    if (requeued > 0) this.log(`${requeued} unacknowledged messages will be sent again after the next welcome`);
    this.resume.flush();
  }

  /** Another tab (an older client instance) names the same session: the next hello names none. */
  private yieldSession(sessionId: string): void {
    if (this.resumeSessionId !== sessionId) return;
    this.resumeSessionId = null;
    this.resume.changed();
    this.log(ClientMessages.sessionYielded(sessionId));
  }

  /** Refreshes the connection's token before it expires, when there is a provider to ask. */
  private planTokenRefresh(expiresAt: number | null): void {
    if (expiresAt !== null && typeof this.options.token !== 'function') {
      this.tokenRefresh.stop();
      this.log(ClientMessages.tokenRefreshStaticToken());
      return;
    }
    this.tokenRefresh.start(expiresAt);
  }

  /** A time on the server's clock (token expiry) on this client's clock, per this connection's welcome. */
  private clientTime(serverTime: number | undefined): number | null {
    return serverTime === undefined ? null : serverTime - this.serverClockAhead;
  }

  private settleWaiters(failure: Error | null): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      if (failure) waiter.reject(failure);
      else waiter.resolve();
    }
  }

  private patch(changes: Partial<HeartbeatClientState>): void {
    if (this.destroyed) return;
    const next = { ...this.state, ...changes };
    const waiting = WAITING_PHASES.has(next.phase);
    this.store.next({
      ...next,
      status: STATUS_OF_PHASE[next.phase],
      isReconnecting: waiting || (next.phase === 'connecting' && next.reconnectAttempts > 0),
      nextReconnectAt: waiting ? next.nextReconnectAt : null,
    });
  }

  private emit<K extends HeartbeatClientEventName>(event: K, payload: HeartbeatClientEventMap[K]): void {
    this.hub.emit(event, payload);
  }

  private log(message: string, ...details: unknown[]): void {
    this.options.log(message, ...details);
  }
}

