import type {
  AuthFrame,
  ClientFrame,
  ClientPingFrame,
  ClientPongFrame,
  FrameError,
  HelloFrame,
  MessageFrame,
  SubscribeFrame,
  UnsubscribeFrame,
} from '@heartbeat/protocol';
import { ProtocolErrorCode } from '@heartbeat/protocol';
import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer as WsServer } from 'ws';
import { AddressConnectionLimiter } from './address-connection-limiter.js';
import { ConnectionDrainer } from './connection-drainer.js';
import { ConnectionRegistry } from './connection-registry.js';
import { HandshakeService } from './handshake.service.js';
import { HEARTBEAT_GATEWAY } from './heartbeat.constants.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import type { HeartbeatConnection } from './heartbeat-connection.js';
import { INVALID_FRAME_EVENT, isHeartbeatServer } from './heartbeat-ws.adapter.js';
import { FrameRateLimiter } from './frame-rate-limiter.js';
import { MessageInbox } from './message-inbox.js';
import { PingScheduler } from './ping-scheduler.js';
import { TopicBroker } from './topic-broker.js';

/**
 * Routes frames to the services that handle them. Path and socket options come from the module
 * options, applied by HeartbeatWsAdapter. Every frame, valid or not, first counts as proof of life.
 */
@WebSocketGateway({ [HEARTBEAT_GATEWAY]: true })
export class HeartbeatGateway implements OnGatewayConnection, OnApplicationBootstrap {
  private readonly logger = new Logger('Heartbeat');
  @WebSocketServer() server: WsServer | undefined;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly handshake: HandshakeService,
    private readonly pings: PingScheduler,
    private readonly topics: TopicBroker,
    private readonly inbox: MessageInbox,
    private readonly drainer: ConnectionDrainer,
    private readonly rateLimiter: FrameRateLimiter,
    private readonly addressLimiter: AddressConnectionLimiter,
  ) {}

  onApplicationBootstrap(): void {
    if (!isHeartbeatServer(this.server)) throw new Error(HeartbeatMessages.adapterMissing());
  }

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    const connection = this.registry.open(socket, request);
    // An upgrade that passed verifyClient just before the drain began.
    if (this.drainer.isDraining) this.drainer.refuse(connection);
    else if (this.addressLimiter.admit(connection)) this.handshake.start(connection);
  }

  @SubscribeMessage('hello')
  onHello(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: HelloFrame): Promise<void> | void {
    const connection = this.inbound(socket);
    if (connection) return this.run(connection, frame, () => this.handshake.hello(connection, frame));
  }

  @SubscribeMessage('ping')
  onPing(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: ClientPingFrame): void {
    this.whenOpen(socket, frame, (connection) => this.pings.answerPing(connection, frame));
  }

  @SubscribeMessage('pong')
  onPong(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: ClientPongFrame): void {
    this.whenOpen(socket, frame, (connection) => this.pings.recordPong(connection, frame.sequence, frame.client_time));
  }

  @SubscribeMessage('subscribe')
  onSubscribe(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: SubscribeFrame): void {
    this.whenOpen(socket, frame, (connection) => this.topics.subscribe(connection, frame.topic, frame.since));
  }

  @SubscribeMessage('unsubscribe')
  onUnsubscribe(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: UnsubscribeFrame): void {
    this.whenOpen(socket, frame, (connection) => this.topics.unsubscribe(connection, frame.topic));
  }

  @SubscribeMessage('message')
  onMessage(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: MessageFrame): void {
    this.whenOpen(socket, frame, (connection) => this.inbox.receive(connection, frame));
  }

  @SubscribeMessage('auth')
  onAuth(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: AuthFrame): Promise<void> | void {
    return this.whenOpen(socket, frame, (connection) => this.handshake.auth(connection, frame));
  }

  @SubscribeMessage(INVALID_FRAME_EVENT)
  onInvalid(@ConnectedSocket() socket: WebSocket, @MessageBody() error: FrameError): void {
    const connection = this.inbound(socket);
    if (connection) this.registry.reject(connection, error);
  }

  /** Runs a handler for a frame that needs a completed handshake. */
  private whenOpen<R>(socket: WebSocket, frame: ClientFrame, handle: (connection: HeartbeatConnection) => R): R | undefined {
    const connection = this.inbound(socket);
    if (!connection) return undefined;
    if (!connection.isOpen) {
      const message =
        connection.state === 'authenticating' ? HeartbeatMessages.handshakeInProgress() : HeartbeatMessages.handshakeRequired();
      this.registry.reject(connection, { code: ProtocolErrorCode.HandshakeRequired, message, ref: frame.type });
      return undefined;
    }
    return this.run(connection, frame, () => handle(connection));
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

  /** A failing handler must not take the socket's message stream down: log, answer `error`, carry on. */
  private run<R>(connection: HeartbeatConnection, frame: ClientFrame, handle: () => R): R | undefined {
    const fail = (error: unknown): undefined => {
      this.logger.error(HeartbeatMessages.logHandlerFailed(frame.type, connection.id), error instanceof Error ? error.stack : error);
      connection.sendError({ code: ProtocolErrorCode.InternalError, message: HeartbeatMessages.handlerFailed(frame.type), ref: frame.type });
      return undefined;
    };
    try {
      const result = handle();
      return (result instanceof Promise ? result.catch(fail) : result) as R;
    } catch (error) {
      return fail(error);
    }
  }
}
