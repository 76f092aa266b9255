import { type INestApplicationContext, Logger } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import { type ServerOptions, type WebSocket, WebSocketServer } from 'ws';
import { ConnectionDrainer } from './connection-drainer.js';
import { HEARTBEAT_GATEWAY, HEARTBEAT_OPTIONS, HEARTBEAT_SERVER } from './heartbeat.constants.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import { HeartbeatSocket } from './heartbeat-socket.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';

type VerifyClientDone = (verified: boolean, code?: number, message?: string, headers?: Record<string, string>) => void;

/** Retry-After of an upgrade refused during the drain: the server is restarting. */
const DRAINING_RETRY_AFTER_SECONDS = 5;

/** Nest's port for "the application's own HTTP server". */
const UNDERLYING_HTTP_SERVER_PORT = 0;

/**
 * `WsAdapter` for Heartbeat: configures the gateway's WebSocket server from the module options
 * (path, maxPayload, allowed origins), which may only be known at runtime (`forRootAsync`). Other
 * ws gateways of the application work through it as through `WsAdapter`.
 *
 * ```ts
 * const app = await NestFactory.create(AppModule);
 * app.useWebSocketAdapter(new HeartbeatWsAdapter(app));
 * ```
 */
export class HeartbeatWsAdapter extends WsAdapter {
  private readonly socketLogger = new Logger('HeartbeatWsAdapter');

  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  /**
   * A gateway without `@SubscribeMessage` handlers (HeartbeatGateway reads its frames itself) gets
   * no per-socket message pipeline: it would parse every frame only to find no handler.
   */
  override bindMessageHandlers(client: unknown, handlers: MessageMappingProperties[], transform: (data: unknown) => Observable<unknown>): void {
    if (handlers.length > 0) super.bindMessageHandlers(client, handlers, transform);
  }

  /**
   * Socket errors are caused by what a client sends (oversize or malformed frames): logged at debug
   * level, not as errors, so that a client cannot flood the log. Server errors stay errors.
   */
  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    // One listener shared by every socket rather than a closure each.
    const onSocketError = (error: Error) => this.socketLogger.debug(`socket error: ${error.message}`);
    server.on('connection', (socket) => socket.on('error', onSocketError));
    return this.logServerErrors(server);
  }

  override create(port: number, options: Record<string, unknown> & { path?: string } = {}): WebSocketServer {
    if (!options[HEARTBEAT_GATEWAY]) return super.create(port, options);
    const { [HEARTBEAT_GATEWAY]: _marker, ...rest } = options;
    const heartbeat = this.heartbeatOptions();
    const drainer = this.app.get(ConnectionDrainer, { strict: false });
    const { allowedOrigins } = heartbeat;
    // The callback form of verifyClient lets us pick the status: ws answers a plain `false` with 401,
    // but a refused origin is 403 Forbidden (as HeartbeatModuleOptions.allowedOrigins documents) and
    // an upgrade during the drain is 503 Service Unavailable, with a Retry-After.
    const verifyClient = ({ origin }: { origin?: string }, done: VerifyClientDone): void => {
      if (drainer.isDraining) {
        done(false, 503, 'Service Unavailable', { 'Retry-After': String(DRAINING_RETRY_AFTER_SECONDS) });
      } else if (allowedOrigins && !allowedOrigins(origin || undefined)) {
        done(false, 403);
      } else {
        done(true);
      }
    };
    const server = this.createServer(port, heartbeat.path, {
      ...rest,
      maxPayload: heartbeat.maxPayload,
      perMessageDeflate: false,
      verifyClient,
    });
    Object.defineProperty(server, HEARTBEAT_SERVER, { value: true });
    return server;
  }

  /**
   * Places the server as WsAdapter.create does, but builds it with the application's `ws` (the peer
   * dependency, 8.23 or later) instead of the copy @nestjs/platform-ws pins (8.22.0 in Nest 12.1).
   * Before 8.23 every socket kept the mask of the last frame it read, a view that pins the whole
   * buffer the frame arrived in: on idle connections, until the next frame (about 300 bytes each
   * at 5,000 connections in heap snapshots, up to 64 KiB each under load).
   *
   * Its sockets are HeartbeatSockets. ConnectionRegistry tracks them and listens to their close and
   * error events, so ws keeps no client set (a Set entry and a close listener per socket) and the
   * adapter adds no error listener to them. Nothing is left for WsAdapter.close to terminate: the
   * drain (beforeApplicationShutdown) has closed every connection by then.
   */
  private createServer(port: number, path: string, options: ServerOptions): WebSocketServer {
    const settings: ServerOptions = { ...options, clientTracking: false, WebSocket: HeartbeatSocket };
    if (port === UNDERLYING_HTTP_SERVER_PORT && !this.httpServer) {
      // No HTTP server to share (an application context): ws listens itself, as under WsAdapter.
      return this.logServerErrors(new WebSocketServer({ ...settings, port, path }));
    }
    const server = this.logServerErrors(new WebSocketServer({ ...settings, noServer: true }));
    if (port === UNDERLYING_HTTP_SERVER_PORT) this.ensureHttpServerExists(port, this.httpServer);
    else this.ensureHttpServerExists(port)?.listen(port);
    this.addWsServerToRegistry(server, port, path);
    return server;
  }

  private logServerErrors(server: WebSocketServer): WebSocketServer {
    server.on('error', (error) => this.socketLogger.error(error));
    return server;
  }

  /**
   * Nest hooks every socket's close for its gateway's `handleDisconnect`: a once-wrapper, its state
   * and a closure per socket (about 300 bytes). HeartbeatGateway has none (the registry hears the
   * close), so its sockets get no hook.
   */
  override bindClientDisconnect(client: WebSocket, callback: (...args: unknown[]) => void): void {
    if (!(client instanceof HeartbeatSocket)) super.bindClientDisconnect(client, callback);
  }

  private heartbeatOptions(): ResolvedHeartbeatOptions {
    try {
      return this.app.get<ResolvedHeartbeatOptions>(HEARTBEAT_OPTIONS, { strict: false });
    } catch {
      throw new Error(HeartbeatMessages.optionsNotFound());
    }
  }
}

/** True for servers created by {@link HeartbeatWsAdapter}. */
export function isHeartbeatServer(server: unknown): boolean {
  return typeof server === 'object' && server !== null && HEARTBEAT_SERVER in server;
}
