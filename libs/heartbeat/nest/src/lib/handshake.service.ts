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
import { TopicBroker } from './topic-broker.js';

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
    private readonly topics: TopicBroker,
    private readonly sessions: SessionRegistry,
    private readonly drainer: ConnectionDrainer,
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
    if (!(await this.verify(connection, frame.token))) return;
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
    });
    this.pings.add(connection);
    for (const [topic, since] of Object.entries(frame.positions ?? {})) {
      this.topics.subscribe(connection, topic, since);
    }
  }

  /** A fresh token on an open connection; an unacceptable one closes it with 4001. */
  async auth(connection: HeartbeatConnection, frame: AuthFrame): Promise<void> {
    await this.verify(connection, frame.token);
  }

  /** True when the token is accepted; otherwise the connection is already being closed. */
  private async verify(connection: HeartbeatConnection, token: string | undefined): Promise<boolean> {
    const { verifyToken } = this.options;
    if (!verifyToken) return true;
    let accepted: boolean;
    try {
      accepted = await verifyToken(token, {
        connectionId: connection.id,
        remoteAddress: connection.remoteAddress,
        request: connection.request,
      });
    } catch (error) {
      this.logger.error(HeartbeatMessages.logVerifyTokenThrew(connection.id), error instanceof Error ? error.stack : error);
      connection.close(CloseCode.InternalError, HeartbeatMessages.closeVerifyFailed());
      return false;
    }
    if (accepted !== true) {
      connection.close(CloseCode.Unauthorized, HeartbeatMessages.closeUnauthorized());
      return false;
    }
    return true;
  }
}
