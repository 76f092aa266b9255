import type { ClientFrame } from '@heartbeat/protocol';
import { ProtocolErrorCode, parseClientFrame } from '@heartbeat/protocol';
import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type OnGatewayConnection, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket, WebSocketServer as WsServer } from 'ws';
import { AddressConnectionLimiter } from './address-connection-limiter.js';
import { ConnectionDrainer } from './connection-drainer.js';
import { ConnectionRegistry } from './connection-registry.js';
import { HandshakeService } from './handshake.service.js';
import { HEARTBEAT_GATEWAY } from './heartbeat.constants.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import type { HeartbeatConnection } from './heartbeat-connection.js';
import type { HeartbeatSocket } from './heartbeat-socket.js';
import { isHeartbeatServer } from './heartbeat-ws.adapter.js';
import { FrameRateLimiter } from './frame-rate-limiter.js';
import { MessageInbox } from './message-inbox.js';
import { PingScheduler } from './ping-scheduler.js';
import { TopicHub } from './core/topic-hub.js';

/**
 * Routes frames to the services that handle them. Path and socket options come from the module
 * options, applied by HeartbeatWsAdapter. Every frame, valid or not, first counts as proof of life.
 *
 * Frames are read with one shared `message` listener rather than `@SubscribeMessage` handlers:
 * Nest builds an RxJS pipeline per socket for those (about 6 KiB of heap per connection and a
 * promise per frame, measured with `npm run bench -- --profile`), which at 19,000 connections
 * pinged every second is most of the server's memory and CPU.
 */
@WebSocketGateway({ [HEARTBEAT_GATEWAY]: true })
export class HeartbeatGateway implements OnGatewayConnection, OnApplicationBootstrap {
  private readonly logger = new Logger('Heartbeat');
  @WebSocketServer() server: WsServer | undefined;
  /** One function for every socket: `this` is the socket ws calls it on. */
  private readonly onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly handshake: HandshakeService,
    private readonly pings: PingScheduler,
    private readonly topics: TopicHub,
    private readonly inbox: MessageInbox,
    private readonly drainer: ConnectionDrainer,
    private readonly rateLimiter: FrameRateLimiter,
    private readonly addressLimiter: AddressConnectionLimiter,
  ) {
    this.onMessage = messageListener(this);
  }

  onApplicationBootstrap(): void {
    if (!isHeartbeatServer(this.server)) throw new Error(HeartbeatMessages.adapterMissing());
  }

  handleConnection(socket: HeartbeatSocket, request: IncomingMessage): void {
    const connection = this.registry.open(socket, request);
    socket.on('message', this.onMessage);
    // An upgrade that passed verifyClient just before the drain began.
    if (this.drainer.isDraining) this.drainer.refuse(connection);
    else if (this.addressLimiter.admit(connection)) this.handshake.start(connection);
  }

  /** One frame off the wire: proof of life, rate limit, validation, then its handler. */
  receive(socket: WebSocket, data: RawData, isBinary: boolean): void {
    const connection = this.inbound(socket);
    if (!connection) return;
    const parsed = parseClientFrame(isBinary ? data : data.toString());
    if (!parsed.ok) {
      this.registry.reject(connection, parsed.error);
      return;
    }
    const frame = parsed.frame;
    if (frame.type !== 'hello' && !connection.isOpen) {
      const message =
        connection.state === 'authenticating' ? HeartbeatMessages.handshakeInProgress() : HeartbeatMessages.handshakeRequired();
      this.registry.reject(connection, { code: ProtocolErrorCode.HandshakeRequired, message, ref: frame.type });
      return;
    }
    // A failing handler must not take the socket's frames down: log, answer `error`, carry on.
    let result: Promise<void> | void;
    try {
      result = this.handle(connection, frame);
    } catch (error) {
      this.fail(connection, frame, error);
      return;
    }
    if (result instanceof Promise) result.catch((error: unknown) => this.fail(connection, frame, error));
  }

  private handle(connection: HeartbeatConnection, frame: ClientFrame): Promise<void> | void {
    switch (frame.type) {
      case 'hello':
        return this.handshake.hello(connection, frame);
      case 'ping':
        return this.pings.answerPing(connection, frame);
      case 'pong':
        return this.pings.recordPong(connection, frame.sequence, frame.client_time);
      case 'subscribe':
        return this.topics.subscribe(connection, frame.topic, frame.since);
      case 'unsubscribe':
        return this.topics.unsubscribe(connection, frame.topic);
      case 'message':
        return this.inbox.receive(connection, frame);
      case 'auth':
        return this.handshake.auth(connection, frame);
    }
  }

  /**
   * Every inbound frame: proof of life, then the rate limit. Frames of a connection the server is
   * already closing (for any reason) are dropped.
   */
  private inbound(socket: WebSocket): HeartbeatConnection | undefined {
    const connection = this.registry.touch(socket);
    if (!connection || connection.closeCode !== undefined) return undefined;
    return this.rateLimiter.admit(connection) ? connection : undefined;
  }

  private fail(connection: HeartbeatConnection, frame: ClientFrame, error: unknown): void {
    this.logger.error(HeartbeatMessages.logHandlerFailed(frame.type, connection.id), error instanceof Error ? error.stack : error);
    connection.sendError({ code: ProtocolErrorCode.InternalError, message: HeartbeatMessages.handlerFailed(frame.type), ref: frame.type });
  }
}

function messageListener(gateway: HeartbeatGateway): (this: WebSocket, data: RawData, isBinary: boolean) => void {
  return function (this: WebSocket, data: RawData, isBinary: boolean) {
    gateway.receive(this, data, isBinary);
  };
}
