import { type AuthFrame, type HelloFrame, CloseCode, ProtocolErrorCode } from '@heartbeat/protocol';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from './clock.js';
import { ConnectionDrainer } from './connection-drainer.js';
import { ConnectionRegistry } from './connection-registry.js';
import { HEARTBEAT_OPTIONS } from './heartbeat.constants.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import type { HeartbeatConnection } from './heartbeat-connection.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';
import { PingScheduler } from './ping-scheduler.js';
import { SessionRegistry } from './session-registry.js';
import { TokenExpiry } from './token-expiry.js';
import { decideToken } from './token-verdict.js';
import { TopicHub } from './core/topic-hub.js';

/** An accepted token: `expiresAt` when it expires. */
interface AcceptedToken {
  expiresAt: number | undefined;
}

/**
 * The `hello` → `welcome` handshake: a deadline for `hello`, the token check, the `welcome` with the
 * heartbeat settings, and the start of pings. Also handles `auth` (a fresh token on an open connection).
 */
@Injectable()
export class HandshakeService {
  private readonly logger = new Logger('Heartbeat');

  constructor(
    @Inject(HEARTBEAT_OPTIONS) private readonly options: ResolvedHeartbeatOptions,
    private readonly registry: ConnectionRegistry,
    private readonly pings: PingScheduler,
    private readonly topics: TopicHub,
    private readonly sessions: SessionRegistry,
    private readonly drainer: ConnectionDrainer,
    private readonly expiry: TokenExpiry,
    private readonly clock: Clock,
  ) {}

  /** Arms the `hello` deadline of a new socket. */
  start(connection: HeartbeatConnection): void {
    connection.handshakeTimer = setTimeout(() => {
      if (connection.state === 'handshake' || connection.state === 'authenticating') {
        connection.close(CloseCode.HandshakeTimeout, HeartbeatMessages.closeHandshakeTimeout(this.options.handshakeTimeout));
      }
    }, this.options.handshakeTimeout);
  }

  async hello(connection: HeartbeatConnection, frame: HelloFrame): Promise<void> {
    if (connection.state !== 'handshake') {
      const message =
        connection.state === 'authenticating' ? HeartbeatMessages.handshakeInProgress() : HeartbeatMessages.alreadyAuthenticated();
      this.registry.reject(connection, { code: ProtocolErrorCode.AlreadyAuthenticated, message, ref: 'hello' });
      return;
    }
    connection.state = 'authenticating';
    const token = await this.verify(connection, frame.token, 'hello');
    connection.request = undefined;
    if (!token) return;
    // Closed or being closed (e.g. handshake timeout) while verifying: the socket's 'close' event may
    // still be a round trip away, so the server's own decision (closeCode) counts too.
    if (connection.state !== 'authenticating' || connection.closeCode !== undefined) return;
    // No new handshake while the server drains (also when the drain began during verifyToken).
    if (this.drainer.isDraining) {
      this.drainer.refuse(connection);
      return;
    }

    const { session, resumed, superseded } = this.sessions.attach(connection, frame.session_id);
    if (superseded) this.registry.supersede(superseded, connection);
    this.registry.markAuthenticated(connection, resumed);
    this.expiry.schedule(connection, token.expiresAt);
    connection.send({
      type: 'welcome',
      session_id: session.id,
      resumed,
      heartbeat: {
        ping_interval: this.options.pingInterval,
        heartbeat_timeout: this.options.heartbeatTimeout,
        max_missed_pings: this.options.maxMissedPings,
      },
      server_time: this.clock.now(),
      ...(token.expiresAt === undefined ? {} : { token_expires_at: token.expiresAt }),
    });
    this.pings.add(connection);
    for (const [topic, since] of Object.entries(frame.positions ?? {})) {
      this.topics.subscribe(connection, topic, since);
    }
  }

  /**
   * A fresh token on an open connection: an accepted one is answered with `authenticated` and
   * replaces the deadline of the previous token (or removes it); a refused one closes with 4001.
   */
  async auth(connection: HeartbeatConnection, frame: AuthFrame): Promise<void> {
    const token = await this.verify(connection, frame.token, 'auth');
    if (!token || connection.closeCode !== undefined || connection.state !== 'open') return;
    this.expiry.schedule(connection, token.expiresAt);
    connection.send(token.expiresAt === undefined ? { type: 'authenticated' } : { type: 'authenticated', token_expires_at: token.expiresAt });
  }

  /** The accepted token; undefined when it was refused (the connection is then already being closed). */
  private async verify(connection: HeartbeatConnection, token: string | undefined, frame: 'hello' | 'auth'): Promise<AcceptedToken | undefined> {
    const { verifyToken } = this.options;
    if (!verifyToken) return { expiresAt: undefined };
    let verdict: unknown;
    try {
      verdict = await verifyToken(token, {
        connectionId: connection.id,
        remoteAddress: connection.remoteAddress,
        frame,
        request: connection.request,
      });
    } catch (error) {
      this.logger.error(HeartbeatMessages.logVerifyTokenThrew(connection.id), error instanceof Error ? error.stack : error);
      connection.close(CloseCode.InternalError, HeartbeatMessages.closeVerifyFailed());
      return undefined;
    }
    const decision = decideToken(verdict, this.clock.now());
    if (!decision.accepted) {
      if (decision.malformed) this.logger.error(HeartbeatMessages.logInvalidVerdict(connection.id, describeVerdict(verdict)));
      connection.close(CloseCode.Unauthorized, HeartbeatMessages.closeUnauthorized());
      return undefined;
    }
    return { expiresAt: decision.expiresAt };
  }
}

function describeVerdict(verdict: unknown): string {
  try {
    return JSON.stringify(verdict) ?? String(verdict);
  } catch {
    return String(verdict);
  }
}
