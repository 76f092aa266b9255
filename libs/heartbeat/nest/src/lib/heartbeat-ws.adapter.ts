import { type INestApplicationContext, Logger } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { type IncomingMessage, type Server as HttpServer, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Observable } from 'rxjs';
import { type ServerOptions, type WebSocket, WebSocketServer } from 'ws';
import { Clock } from './clock.js';
import { ConnectionDrainer } from './core/connection-drainer.js';
import { HEARTBEAT_GATEWAY, HEARTBEAT_OPTIONS, HEARTBEAT_SERVER } from './heartbeat.constants.js';
import { REFUSED_UPGRADE_LOG_INTERVAL_MS } from './core/heartbeat-defaults.js';
import { HeartbeatMessages } from './core/heartbeat.messages.js';
import { HeartbeatSocket } from './heartbeat-socket.js';
import type { ResolvedHeartbeatOptions } from './core/heartbeat-options.interface.js';
import { RateLimitedLog } from './rate-limited-log.js';

type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
type VerifyClientInfo = { origin?: string; req: IncomingMessage };
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
  private refusalLog: RateLimitedLog | undefined;

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
    const verifyClient = ({ origin, req }: VerifyClientInfo, done: VerifyClientDone): void => {
      if (drainer.isDraining) {
        done(false, 503, 'Service Unavailable', { 'Retry-After': String(DRAINING_RETRY_AFTER_SECONDS) });
      } else if (allowedOrigins && !allowedOrigins(origin || undefined)) {
        this.refusals().warn('origin', (suppressed) =>
          HeartbeatMessages.logOriginRefused(origin || undefined, remoteAddressOf(req), suppressed, REFUSED_UPGRADE_LOG_INTERVAL_MS),
        );
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
   * Its sockets are HeartbeatSockets. ConnectionRegistry tracks them and HeartbeatGateway listens
   * to their close and error events, so ws keeps no client set (a Set entry and a close listener per
   * socket) and the adapter adds no error listener to them. Nothing is left for WsAdapter.close to terminate: the
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

  /**
   * WsAdapter destroys the socket of an upgrade to a path no gateway serves, without an answer: a
   * client sees only "socket hang up", the server logs nothing. This adapter answers such upgrades
   * with HTTP 404 and logs them (rate-limited), so that a wrong path in a client's url is named on
   * both sides (client.md, Troubleshooting). Upgrades to a gateway's path go on to WsAdapter's
   * listener unchanged.
   */
  protected override ensureHttpServerExists(port: number, httpServer?: HttpServer): HttpServer | undefined {
    const server = super.ensureHttpServerExists(port, httpServer);
    // WsAdapter keeps its listener per port so that dispose() can take it off again: the wrapper
    // takes its place there, and on the server.
    const listeners = (this as unknown as { upgradeListenersRegistry?: Map<number, UpgradeListener> }).upgradeListenersRegistry;
    const routed = listeners?.get(port);
    if (!server || !listeners || !routed) return server;
    // Every upgrade passes here: the served paths are listed only for the log line of a refusal.
    const listener: UpgradeListener = (request, socket, head) => {
      const path = pathOf(request);
      // A URL that does not parse is WsAdapter's to answer (400).
      if (path === null || this.serversOn(port).some((server) => server.path === path)) routed(request, socket, head);
      else this.refuseUnknownPath(path, this.serversOn(port).map((server) => server.path), request, socket);
    };
    server.off('upgrade', routed);
    server.on('upgrade', listener);
    listeners.set(port, listener);
    return server;
  }

  private serversOn(port: number): readonly { path: string }[] {
    return this.wsServersRegistry.get(port) ?? [];
  }

  private refuseUnknownPath(path: string, paths: readonly string[], request: IncomingMessage, socket: Duplex): void {
    this.refusals().warn('path', (suppressed) =>
      HeartbeatMessages.logUnknownPath(path, remoteAddressOf(request), [...paths].sort(), suppressed, REFUSED_UPGRADE_LOG_INTERVAL_MS),
    );
    refuseUpgrade(socket, 404, HeartbeatMessages.upgradeNotFound());
  }

  /** Made on first use: the upgrade listener exists before the module's providers do. */
  private refusals(): RateLimitedLog {
    if (!this.refusalLog) {
      // Called from an upgrade listener, where a throw would end the process: an application
      // without the module (only other gateways) has no Clock, and gets the wall clock.
      let clock: Pick<Clock, 'now'>;
      try {
        clock = this.app.get(Clock, { strict: false });
      } catch {
        clock = new Clock();
      }
      this.refusalLog = new RateLimitedLog(new Logger('Heartbeat'), REFUSED_UPGRADE_LOG_INTERVAL_MS, () => clock.now());
    }
    return this.refusalLog;
  }

  private logServerErrors(server: WebSocketServer): WebSocketServer {
    server.on('error', (error) => this.socketLogger.error(error));
    return server;
  }

  /**
   * Nest hooks every socket's close for its gateway's `handleDisconnect`: a once-wrapper, its state
   * and a closure per socket (about 300 bytes). HeartbeatGateway has none (its own shared listener
   * hears the close), so its sockets get no hook.
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

/** A path that is already its own URL pathname: segments of characters URL leaves alone, no dot segments or escapes. */
const PLAIN_PATH = /^(?:\/[\w~-]+)*\/?$/;

/** The path of an upgrade request as WsAdapter matches it against its gateways, or null if the URL does not parse. */
function pathOf(request: IncomingMessage): string | null {
  // Every upgrade of a reconnect storm passes here: a plain path is read without parsing a URL,
  // which cost more than the rest of this listener in the restart profile (docs/benchmarks.md).
  const url = request.url ?? '/';
  const end = url.search(/[?#]/);
  const path = end === -1 ? url : url.slice(0, end);
  if (PLAIN_PATH.test(path)) return path === '' ? '/' : path;
  try {
    return new URL(request.url ?? '/', `ws://${request.headers.host ?? 'localhost'}/`).pathname;
  } catch {
    return null;
  }
}

function remoteAddressOf(request: IncomingMessage): string {
  return request.socket.remoteAddress ?? 'an unknown address';
}

/** Answers an upgrade with a plain HTTP error and closes the socket, as ws does for the upgrades it refuses. */
function refuseUpgrade(socket: Duplex, status: number, body: string): void {
  // The HTTP server took its listeners off the socket when it handed the upgrade over.
  socket.on('error', () => socket.destroy());
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** True for servers created by {@link HeartbeatWsAdapter}. */
export function isHeartbeatServer(server: unknown): boolean {
  return typeof server === 'object' && server !== null && HEARTBEAT_SERVER in server;
}
