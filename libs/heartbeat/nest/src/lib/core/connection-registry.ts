import { CloseCode } from '@heartbeat/protocol';
import type { IncomingMessage } from 'node:http';
import type { CoreClock } from './clock.port.js';
import { HeartbeatCounters } from './heartbeat-counters.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import { type ConnectionContext, HeartbeatConnection } from './heartbeat-connection.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';
import type { LifecycleEvents } from './lifecycle-events.js';
import type { CoreLogger } from './logger.port.js';
import type { PeerTransport } from './peer-transport.js';
import { randomId } from './random-id.js';

/** A service that holds something for each connection and lets go of it when the connection closes. */
export interface ConnectionReleaser {
  release(connection: HeartbeatConnection): void;
}

/** What a closed connection is released from, in this order (docs/server.md#architecture). */
export interface ReleaseOrder {
  /** The ping wheel (PingScheduler). */
  readonly pings: ConnectionReleaser;
  /** Its session: detached and kept for resume (SessionRegistry). */
  readonly sessions: ConnectionReleaser;
  /** Its address's count (AddressConnectionLimiter). */
  readonly addresses: ConnectionReleaser;
  /** Its topics (TopicHub). */
  readonly topics: ConnectionReleaser;
}

/**
 * The live connections: opens them, finds them, and releases everything held for one when its
 * transport is gone, in the order docs/server.md#architecture documents. Slow consumers (a
 * connection's send buffer over `maxBufferedBytes`) are closed here too.
 */
export class ConnectionRegistry {
  private readonly byId = new Map<string, HeartbeatConnection>();
  private readonly context: ConnectionContext;
  /** The wait of `whenEmpty`, shared by every caller: its deadline is the first caller's. */
  private emptying: { promise: Promise<void>; settle(): void } | undefined;

  constructor(
    private readonly options: Pick<ResolvedHeartbeatOptions, 'maxBufferedBytes'>,
    private readonly clock: CoreClock,
    private readonly events: LifecycleEvents,
    private readonly counters: HeartbeatCounters,
    private readonly logger: CoreLogger,
    private readonly order: ReleaseOrder,
  ) {
    this.context = {
      clock,
      epoch: clock.now(),
      maxBufferedBytes: options.maxBufferedBytes,
      onOverflow: (connection, bufferedBytes) => this.slowConsumer(connection, bufferedBytes),
    };
  }

  get size(): number {
    return this.byId.size;
  }

  values(): IterableIterator<HeartbeatConnection> {
    return this.byId.values();
  }

  /** The connection a transport carries; undefined once it closed. */
  get(socket: PeerTransport): HeartbeatConnection | undefined {
    return socket.connection;
  }

  getById(id: string): HeartbeatConnection | undefined {
    return this.byId.get(id);
  }

  open(socket: PeerTransport, request: IncomingMessage | undefined): HeartbeatConnection {
    const now = this.clock.now();
    const connection = new HeartbeatConnection(randomId(), socket, request, now, this.context);
    socket.connection = connection;
    this.byId.set(connection.id, connection);
    this.logger.debug(HeartbeatMessages.logOpened(connection.id, connection.remoteAddress));
    this.events.emit({ type: 'connected', connectionId: connection.id, remoteAddress: connection.remoteAddress, at: now });
    return connection;
  }

  /**
   * The connection's transport is gone (`code` and `reason` are what it reported). Releases, in
   * order: the connection's own timer and transport slot, its entry here, the ping wheel, its
   * session, its address count, its topics; then emits `disconnected` with the server's close
   * decision if it made one. Safe to call twice.
   */
  remove(connection: HeartbeatConnection, code: number, reason: string): void {
    if (connection.state === 'closed') return;
    const closed = connection.release(code, reason);
    this.byId.delete(connection.id);
    this.order.pings.release(connection);
    this.order.sessions.release(connection);
    this.order.addresses.release(connection);
    this.order.topics.release(connection);
    this.logger.log(HeartbeatMessages.logClosed(connection.id, closed.code, closed.reason));
    this.events.emit({
      type: 'disconnected',
      connectionId: connection.id,
      remoteAddress: connection.remoteAddress,
      userId: connection.userId,
      code: closed.code,
      reason: closed.reason,
      at: this.clock.now(),
    });
    if (this.byId.size === 0) this.emptying?.settle();
  }

  /** Closes the connection with the given id; false when there is none. */
  disconnect(id: string, code: number, reason: string): boolean {
    const connection = this.byId.get(id);
    if (!connection) return false;
    connection.close(code, reason);
    return true;
  }

  /**
   * Resolves once no connection is left. After `timeoutMs`, destroys whatever is still there (its
   * close frame went unanswered) and resolves when those transports are gone.
   */
  whenEmpty(timeoutMs: number): Promise<void> {
    if (this.byId.size === 0) return Promise.resolve();
    if (this.emptying) return this.emptying.promise;
    let settle = (): void => undefined;
    const promise = new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(() => this.terminateAll(), timeoutMs);
      settle = () => {
        this.emptying = undefined;
        this.clock.clearTimer(timer);
        resolve();
      };
    });
    this.emptying = { promise, settle };
    return promise;
  }

  /** Destroys every connection (the application closes; after the drain nothing should be left). */
  terminateAll(): void {
    for (const connection of this.byId.values()) connection.terminate(CloseCode.GoingAway, HeartbeatMessages.closeShutdown());
  }

  /**
   * The peer stopped reading: its send buffer passed `maxBufferedBytes`. Nothing more is written to
   * it; it is closed with 4009, and destroyed after the close grace since it will not read the close
   * frame either (the client resumes what it missed on its next connection).
   */
  private slowConsumer(connection: HeartbeatConnection, bufferedBytes: number): void {
    if (connection.isClosing) return;
    this.counters.slowConsumer();
    this.logger.warn(HeartbeatMessages.logSlowConsumer(connection.id, bufferedBytes, this.options.maxBufferedBytes));
    this.events.emit({ type: 'slow_consumer', connectionId: connection.id, remoteAddress: connection.remoteAddress, userId: connection.userId, bufferedBytes, at: this.clock.now() });
    connection.close(CloseCode.SlowConsumer, HeartbeatMessages.closeSlowConsumer(this.options.maxBufferedBytes));
  }
}
