import { type FrameError, CloseCode } from '@heartbeat/protocol';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { Subject } from 'rxjs';
import type { WebSocket } from 'ws';
import { Clock } from './clock.js';
import { HEARTBEAT_OPTIONS } from './heartbeat.constants.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import { randomId } from './random-id.js';
import { HeartbeatConnection, type SendBufferLimit } from './heartbeat-connection.js';
import { HeartbeatSocket, connectionOf } from './heartbeat-socket.js';
import type { HeartbeatLifecycleEvent } from './heartbeat-events.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';

/** Process-wide heartbeat totals since start. */
export interface HeartbeatCounters {
  pingsSent: number;
  pongsReceived: number;
  clientPings: number;
  timeoutDisconnections: number;
  lastCleanupAt: number | undefined;
  /** Handshakes that resumed a kept session. */
  resumedSessions: number;
  /** Live connections dropped because their session resumed on a newer connection. */
  sessionTakeovers: number;
  /** `message` frames acknowledged again but not delivered again (an id already seen in the session). */
  duplicateMessages: number;
  /** Connections closed with 4009 because their send buffer passed `maxBufferedBytes`. */
  slowConsumerDisconnections: number;
  /** Connections closed with 4429: they exceeded `rateLimit`. */
  rateLimitedDisconnections: number;
  /** Sockets closed with 1013 at once: their address was over `maxConnectionsPerAddress`. */
  addressLimitRejections: number;
  /** Connections closed with 4001 because their token expired before an `auth` renewed it. */
  tokenExpirations: number;
}

/**
 * Owns the set of live connections: creates them, tracks liveness, closes them for the reasons the
 * protocol defines, and reports every transition on `events$`.
 */
@Injectable()
export class ConnectionRegistry implements OnApplicationShutdown {
  private readonly logger = new Logger('Heartbeat');
  private readonly byId = new Map<string, HeartbeatConnection>();
  private readonly eventsSubject = new Subject<HeartbeatLifecycleEvent>();
  private readonly removedSubject = new Subject<HeartbeatConnection>();

  readonly counters: HeartbeatCounters = {
    pingsSent: 0,
    pongsReceived: 0,
    clientPings: 0,
    timeoutDisconnections: 0,
    lastCleanupAt: undefined,
    resumedSessions: 0,
    sessionTakeovers: 0,
    duplicateMessages: 0,
    slowConsumerDisconnections: 0,
    rateLimitedDisconnections: 0,
    addressLimitRejections: 0,
    tokenExpirations: 0,
  };
  readonly events$ = this.eventsSubject.asObservable();
  private readonly sendBufferLimit: SendBufferLimit;
  /** Connections that just closed, for the services that hold per-connection state. */
  readonly removed$ = this.removedSubject.asObservable();

  private readonly onSocketClose: (this: WebSocket, code: number, reason: Buffer) => void;
  private readonly onSocketError: (this: WebSocket, error: Error) => void;

  constructor(
    @Inject(HEARTBEAT_OPTIONS) private readonly options: ResolvedHeartbeatOptions,
    private readonly clock: Clock,
  ) {
    this.sendBufferLimit = {
      maxBufferedBytes: options.maxBufferedBytes,
      onOverflow: (connection, bufferedBytes) => this.slowConsumer(connection, bufferedBytes),
    };
    // One listener of each kind for every socket (`this` is the socket), not two closures per connection.
    const remove = (connection: HeartbeatConnection, code: number, reason: string) => this.remove(connection, code, reason);
    this.onSocketClose = function (this: WebSocket, code: number, reason: Buffer) {
      const connection = connectionOf(this);
      if (connection) remove(connection, code, reason.toString());
    };
    const logger = this.logger;
    // Socket errors are caused by what a client sends (oversize or malformed frames): debug level,
    // so that a client cannot flood the log.
    this.onSocketError = function (this: WebSocket, error: Error) {
      const connection = connectionOf(this);
      if (!connection) return;
      logger.debug(HeartbeatMessages.logSocketError(connection.id, error.message));
      connection.recordSocketError(error);
    };
  }

  get size(): number {
    return this.byId.size;
  }

  values(): IterableIterator<HeartbeatConnection> {
    return this.byId.values();
  }

  get(socket: WebSocket): HeartbeatConnection | undefined {
    return socket instanceof HeartbeatSocket ? socket.connection : undefined;
  }

  getById(id: string): HeartbeatConnection | undefined {
    return this.byId.get(id);
  }

  open(socket: HeartbeatSocket, request: IncomingMessage): HeartbeatConnection {
    const now = this.clock.now();
    const connection = new HeartbeatConnection(randomId(), socket, request, now, this.sendBufferLimit);
    socket.connection = connection;
    this.byId.set(connection.id, connection);
    socket.on('close', this.onSocketClose);
    // ws emits socket errors (bad frames, resets) before 'close'; unheard, they would crash the process.
    socket.on('error', this.onSocketError);
    this.logger.debug(HeartbeatMessages.logOpened(connection.id, connection.remoteAddress));
    this.eventsSubject.next({ type: 'connected', connectionId: connection.id, remoteAddress: connection.remoteAddress, at: now });
    return connection;
  }

  /** Records an inbound frame: any frame proves the peer alive. */
  touch(socket: WebSocket): HeartbeatConnection | undefined {
    const connection = connectionOf(socket);
    if (connection) {
      connection.lastInboundAt = this.clock.now();
      connection.missedPings = 0;
    }
    return connection;
  }

  /** The handshake completed: the connection has its session (see SessionRegistry.attach). */
  markAuthenticated(connection: HeartbeatConnection, resumed: boolean): void {
    const sessionId = connection.sessionId ?? '';
    connection.state = 'open';
    connection.clearHandshakeTimer();
    if (resumed) this.counters.resumedSessions++;
    this.logger.log(HeartbeatMessages.logAuthenticated(connection.id, sessionId, resumed));
    this.eventsSubject.next({
      type: 'authenticated',
      connectionId: connection.id,
      remoteAddress: connection.remoteAddress,
      sessionId,
      resumed,
      at: this.clock.now(),
    });
  }

  /**
   * Drops a connection whose session was resumed on a newer one: the client reconnected before the
   * server noticed that the old link died, so the old socket is a half-open leftover. It is destroyed
   * like a dead peer (and recorded as 4000); a peer that was in fact still there sees 1006.
   */
  supersede(connection: HeartbeatConnection, by: HeartbeatConnection): void {
    if (connection.state === 'closed' || connection.closeCode !== undefined) return;
    this.counters.sessionTakeovers++;
    const reason = HeartbeatMessages.closeSuperseded(by.id);
    this.logger.warn(HeartbeatMessages.logSuperseded(connection.id, by.id, by.sessionId ?? ''));
    connection.terminate(CloseCode.HeartbeatTimeout, reason);
  }

  /** Declares the peer dead and destroys the socket at once (a dead peer cannot complete a close handshake). */
  timeOut(connection: HeartbeatConnection, cause: 'missed_pings' | 'heartbeat_timeout'): void {
    if (connection.state === 'closed' || connection.closeCode !== undefined) return;
    const now = this.clock.now();
    const silentForMs = now - connection.lastInboundAt;
    this.counters.timeoutDisconnections++;
    const why = cause === 'missed_pings' ? `${connection.missedPings} pings unanswered` : `silent for ${silentForMs} ms`;
    this.logger.warn(HeartbeatMessages.logTimedOut(connection.id, why));
    this.eventsSubject.next({
      type: 'timed_out',
      connectionId: connection.id,
      remoteAddress: connection.remoteAddress,
      cause,
      missedPings: connection.missedPings,
      silentForMs,
      at: now,
    });
    connection.terminate(CloseCode.HeartbeatTimeout, `heartbeat timeout: ${why}`);
  }

  /**
   * The peer stopped reading: its send buffer passed `maxBufferedBytes`. Nothing more is written to
   * it; it is closed with 4009, and destroyed after the close grace since it will not read the close
   * frame either (the client resumes what it missed on its next connection).
   */
  private slowConsumer(connection: HeartbeatConnection, bufferedBytes: number): void {
    if (connection.closeCode !== undefined) return;
    this.counters.slowConsumerDisconnections++;
    this.logger.warn(HeartbeatMessages.logSlowConsumer(connection.id, bufferedBytes, this.options.maxBufferedBytes));
    this.eventsSubject.next({
      type: 'slow_consumer',
      connectionId: connection.id,
      remoteAddress: connection.remoteAddress,
      bufferedBytes,
      at: this.clock.now(),
    });
    connection.close(CloseCode.SlowConsumer, HeartbeatMessages.closeSlowConsumer(this.options.maxBufferedBytes));
  }

  /** Answers an invalid frame with an `error`; too many of them close the connection with 4400. */
  reject(connection: HeartbeatConnection, error: FrameError): void {
    connection.violations++;
    connection.sendError(error);
    if (connection.violations >= this.options.maxProtocolViolations) {
      connection.close(CloseCode.ProtocolViolation, HeartbeatMessages.closeProtocolViolation(connection.violations));
    }
  }

  /** Closes the connection with the given id; false when there is none. */
  disconnect(id: string, code: number, reason: string): boolean {
    const connection = this.byId.get(id);
    if (!connection) return false;
    connection.close(code, reason);
    return true;
  }

  /** Publishes a lifecycle event that is not about one connection's socket (the drain's). */
  emit(event: HeartbeatLifecycleEvent): void {
    this.eventsSubject.next(event);
  }

  /**
   * Resolves once no connection is left. After `timeoutMs`, destroys whatever is still there (its
   * close frame went unanswered) and resolves when those sockets are gone.
   */
  whenEmpty(timeoutMs: number): Promise<void> {
    if (this.byId.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        for (const connection of this.byId.values()) connection.terminate(CloseCode.GoingAway, HeartbeatMessages.closeShutdown());
      }, timeoutMs);
      const subscription = this.removedSubject.subscribe(() => {
        if (this.byId.size > 0) return;
        clearTimeout(timer);
        subscription.unsubscribe();
        resolve();
      });
    });
  }

  /**
   * After the drain (ConnectionDrainer) nothing should be left; if the application closed without
   * one, whatever is left is destroyed here.
   */
  onApplicationShutdown(): void {
    for (const connection of this.byId.values()) connection.terminate(CloseCode.GoingAway, HeartbeatMessages.closeShutdown());
  }

  private remove(connection: HeartbeatConnection, code: number, reason: string): void {
    connection.state = 'closed';
    connection.releaseTimers();
    connection.socket.connection = undefined;
    this.byId.delete(connection.id);
    this.removedSubject.next(connection);
    const finalCode = connection.closeCode ?? code;
    const finalReason = connection.closeReason ?? reason;
    this.logger.log(HeartbeatMessages.logClosed(connection.id, finalCode, finalReason));
    this.eventsSubject.next({
      type: 'disconnected',
      connectionId: connection.id,
      remoteAddress: connection.remoteAddress,
      code: finalCode,
      reason: finalReason,
      at: this.clock.now(),
    });
  }
}
