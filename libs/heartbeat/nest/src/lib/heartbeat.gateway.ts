import { Inject, type OnApplicationBootstrap } from '@nestjs/common';
import { type OnGatewayConnection, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket, WebSocketServer as WsServer } from 'ws';
import { ConnectionRegistry } from './core/connection-registry.js';
import { FrameRouter } from './core/frame-router.js';
import { HeartbeatMessages } from './core/heartbeat.messages.js';
import type { CoreLogger } from './core/logger.port.js';
import { HEARTBEAT_GATEWAY, HEARTBEAT_LOGGER } from './heartbeat.constants.js';
import { type HeartbeatSocket, type LoneTextFrameReader, connectionOf } from './heartbeat-socket.js';
import { offerLoneTextFrames, shareNoExtensions } from './ws-fast-path.js';
import { isHeartbeatServer } from './heartbeat-ws.adapter.js';

type SocketListener<A extends unknown[]> = (this: WebSocket, ...args: A) => void;

/**
 * Hands ws's sockets to the server core: each becomes a connection (FrameRouter.accept), and its
 * frames, close and errors are forwarded. Path and socket options come from the module options,
 * applied by HeartbeatWsAdapter.
 *
 * Frames are read with one shared `message` listener rather than `@SubscribeMessage` handlers:
 * Nest builds an RxJS pipeline per socket for those (about 6 KiB of heap per connection and a
 * promise per frame, measured with `npm run bench -- --profile`), which at 19,000 connections
 * pinged every second is most of the server's memory and CPU. Close and error listeners are shared
 * too (`this` is the socket): no closure per connection.
 */
@WebSocketGateway({ [HEARTBEAT_GATEWAY]: true })
export class HeartbeatGateway implements OnGatewayConnection, OnApplicationBootstrap {
  @WebSocketServer() server: WsServer | undefined;
  private readonly onMessage: SocketListener<[RawData, boolean]>;
  private readonly onClose: SocketListener<[number, Buffer]>;
  private readonly onError: SocketListener<[Error]>;
  private readonly readPong: LoneTextFrameReader;

  constructor(
    private readonly router: FrameRouter,
    registry: ConnectionRegistry,
    @Inject(HEARTBEAT_LOGGER) logger: CoreLogger,
  ) {
    this.onMessage = function (this: WebSocket, data: RawData, isBinary: boolean) {
      const connection = connectionOf(this);
      if (!connection) return;
      // ws hands text frames over as Buffers (its default binaryType): the router reads pongs off the bytes.
      if (isBinary || !Buffer.isBuffer(data)) router.receive(connection, data);
      else router.receiveText(connection, data);
    };
    // A pong that arrives alone in a TCP chunk is read before ws parses it (ws-fast-path.ts).
    this.readPong = (socket, payload) => {
      const connection = connectionOf(socket);
      return connection !== undefined && router.takePong(connection, payload);
    };
    this.onClose = function (this: WebSocket, code: number, reason: Buffer) {
      const connection = connectionOf(this);
      if (connection) registry.remove(connection, code, reason.toString());
    };
    // ws emits socket errors (bad frames, resets) before 'close'; unheard, they would crash the
    // process. They are caused by what a client sends: debug level, so that a client cannot flood the log.
    this.onError = function (this: WebSocket, error: Error) {
      const connection = connectionOf(this);
      if (!connection) return;
      logger.debug(HeartbeatMessages.logSocketError(connection.id, error.message));
      connection.recordSocketError(error);
    };
  }

  onApplicationBootstrap(): void {
    if (!isHeartbeatServer(this.server)) throw new Error(HeartbeatMessages.adapterMissing());
  }

  handleConnection(socket: HeartbeatSocket, request: IncomingMessage): void {
    socket.on('message', this.onMessage);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
    socket.loneFrameReader = this.readPong;
    offerLoneTextFrames(socket);
    shareNoExtensions(socket);
    this.router.accept(socket, request);
  }
}
