import { type AuthFrame, type HelloFrame, CloseCode, ProtocolErrorCode } from '@heartbeat/protocol';
import type { CoreClock } from './clock.port.js';
import type { ConnectionDrainer } from './connection-drainer.js';
import type { HeartbeatConnection } from './heartbeat-connection.js';
import type { HeartbeatIdentity } from './heartbeat-identity.js';
import type { HeartbeatCounters } from './heartbeat-counters.js';
import type { HeartbeatSession } from './heartbeat-session.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';
import type { LifecycleEvents } from './lifecycle-events.js';
import type { CoreLogger } from './logger.port.js';
import type { PingScheduler } from './ping-scheduler.js';
import type { ProtocolViolations } from './protocol-violations.js';
import type { SessionRegistry } from './session-registry.js';
import type { TokenExpiry } from './token-expiry.js';
import { decideToken } from './token-verdict.js';
import type { TopicGate } from './topic-gate.js';

/** An accepted token: `expiresAt` when it expires, and whose it is (undefined: anonymous). */
interface AcceptedToken {
  expiresAt: number | undefined;
  identity: HeartbeatIdentity | undefined;
}

const ANONYMOUS: AcceptedToken = Object.freeze({ expiresAt: undefined, identity: undefined });

/** The services a handshake hands the connection on to. */
export interface HandshakeServices {
  readonly pings: PingScheduler;
  /** The gate in front of the topic hub: the topics of `hello.positions` and `hello.subscribe` are authorized as subscribes are. */
  readonly topics: TopicGate;
  readonly sessions: SessionRegistry;
  readonly drainer: ConnectionDrainer;
  readonly expiry: TokenExpiry;
  readonly violations: ProtocolViolations;
}

/**
 * The `hello` → `welcome` handshake: a deadline for `hello`, the token check, the `welcome` with the
 * heartbeat settings, and the start of pings. Also handles `auth` (a fresh token on an open connection).
 */
export class HandshakeService {
  constructor(
    private readonly options: Pick<
      ResolvedHeartbeatOptions,
      'handshakeTimeout' | 'verifyToken' | 'pingInterval' | 'heartbeatTimeout' | 'maxMissedPings'
    >,
    private readonly clock: CoreClock,
    private readonly counters: HeartbeatCounters,
    private readonly events: LifecycleEvents,
    private readonly logger: CoreLogger,
    private readonly services: HandshakeServices,
  ) {}

  /** Arms the `hello` deadline of a new connection. */
  start(connection: HeartbeatConnection): void {
    connection.setDeadline(this.options.handshakeTimeout, () => {
      if (connection.state === 'handshake' || connection.state === 'authenticating') {
        connection.close(CloseCode.HandshakeTimeout, HeartbeatMessages.closeHandshakeTimeout(this.options.handshakeTimeout));
      }
    });
  }

  async hello(connection: HeartbeatConnection, frame: HelloFrame): Promise<void> {
    if (!connection.beginAuthentication()) {
      const message =
        connection.state === 'authenticating' ? HeartbeatMessages.handshakeInProgress() : HeartbeatMessages.alreadyAuthenticated();
      this.services.violations.reject(connection, { code: ProtocolErrorCode.AlreadyAuthenticated, message, ref: 'hello' });
      return;
    }
    const token = await this.verify(connection, frame.token, 'hello');
    connection.releaseRequest();
    // Closed or being closed (e.g. handshake timeout) while verifying: the transport's close may
    // still be a round trip away, so the server's own decision counts too.
    if (!token || connection.isClosing) return;
    const { pings, topics, sessions, drainer, expiry } = this.services;
    // No new handshake while the server drains (also when the drain began during verifyToken).
    if (drainer.isDraining) {
      drainer.refuse(connection);
      return;
    }

    const userId = token.identity?.userId;
    const attachment = await sessions.attach(connection, frame.session_id, userId);
    // Closed while the session store was asked (the session, if any, is kept for resume again).
    if (!attachment) return;
    const { session, superseded, refused } = attachment;
    const resumed = session !== undefined;
    const sessionId = session?.id ?? connection.id;
    // A session belongs to its user (docs/server.md#identity): another user's is left alone.
    if (refused) {
      this.counters.sessionRefused();
      this.logger.warn(HeartbeatMessages.logSessionRefused(connection.id, frame.session_id ?? '', userId));
    }
    if (superseded) this.supersede(superseded, connection);
    this.authenticated(connection, session, sessionId, resumed, token.identity);
    expiry.schedule(connection, token.expiresAt);
    connection.send({
      type: 'welcome',
      session_id: sessionId,
      resumed,
      heartbeat: {
        ping_interval: this.options.pingInterval,
        heartbeat_timeout: this.options.heartbeatTimeout,
        max_missed_pings: this.options.maxMissedPings,
      },
      server_time: this.clock.now(),
      ...(token.expiresAt === undefined ? {} : { token_expires_at: token.expiresAt }),
      ...(userId === undefined ? {} : { user_id: userId }),
      hello_subscribe: true,
    });
    pings.add(connection);
    // The `subscribed` answers ready in this turn (an `authorize` that answers at once) leave in the welcome's write (ws-fast-path.ts).
    if (frame.positions || frame.subscribe) topics.hello(connection, frame.positions, frame.subscribe);
  }

  /**
   * A fresh token on an open connection: an accepted one is answered with `authenticated`, replaces
   * the deadline of the previous token (or removes it) and the identity's claims, and every topic of
   * the connection is checked again (docs/server.md#topic-authorization); a refused one, or one of
   * another user (anonymous and user included), closes with 4001.
   */
  async auth(connection: HeartbeatConnection, frame: AuthFrame): Promise<void> {
    const token = await this.verify(connection, frame.token, 'auth');
    if (!token || !connection.isOpen) return;
    const tokenUser = token.identity?.userId;
    if (tokenUser !== connection.userId) {
      this.logger.warn(HeartbeatMessages.logOtherUserAuth(connection.id, connection.userId, tokenUser));
      connection.close(CloseCode.Unauthorized, HeartbeatMessages.closeOtherUser());
      return;
    }
    connection.renewIdentity(token.identity);
    this.services.expiry.schedule(connection, token.expiresAt);
    connection.send(token.expiresAt === undefined ? { type: 'authenticated' } : { type: 'authenticated', token_expires_at: token.expiresAt });
    await this.services.topics.recheck(connection);
  }

  private authenticated(
    connection: HeartbeatConnection,
    session: HeartbeatSession | undefined,
    sessionId: string,
    resumed: boolean,
    identity: HeartbeatIdentity | undefined,
  ): void {
    connection.open(session, identity);
    if (resumed) this.counters.sessionResumed();
    this.logger.log(HeartbeatMessages.logAuthenticated(connection.id, sessionId, resumed, identity?.userId));
    this.events.emit({
      type: 'authenticated',
      connectionId: connection.id,
      remoteAddress: connection.remoteAddress,
      userId: connection.userId,
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
  private supersede(connection: HeartbeatConnection, by: HeartbeatConnection): void {
    if (connection.isClosing) return;
    this.counters.sessionTakenOver();
    this.logger.warn(HeartbeatMessages.logSuperseded(connection.id, by.id, by.sessionId ?? ''));
    connection.terminate(CloseCode.HeartbeatTimeout, HeartbeatMessages.closeSuperseded(by.id));
  }

  /** The accepted token; undefined when it was refused (the connection is then already being closed). */
  private async verify(connection: HeartbeatConnection, token: string | undefined, frame: 'hello' | 'auth'): Promise<AcceptedToken | undefined> {
    const { verifyToken } = this.options;
    if (!verifyToken) return ANONYMOUS;
    let verdict: unknown;
    try {
      verdict = await verifyToken(token, {
        connectionId: connection.id,
        remoteAddress: connection.remoteAddress,
        frame,
        request: connection.request,
      });
    } catch (error) {
      this.logger.error(HeartbeatMessages.logVerifyTokenThrew(connection.id), error instanceof Error ? error.stack : String(error));
      connection.close(CloseCode.InternalError, HeartbeatMessages.closeVerifyFailed());
      return undefined;
    }
    const decision = decideToken(verdict, this.clock.now());
    if (!decision.accepted) {
      if (decision.malformed) this.logger.error(HeartbeatMessages.logInvalidVerdict(connection.id, describeVerdict(verdict)));
      connection.close(CloseCode.Unauthorized, HeartbeatMessages.closeUnauthorized());
      return undefined;
    }
    return { expiresAt: decision.expiresAt, identity: decision.identity };
  }
}

function describeVerdict(verdict: unknown): string {
  try {
    return JSON.stringify(verdict) ?? String(verdict);
  } catch {
    return String(verdict);
  }
}
