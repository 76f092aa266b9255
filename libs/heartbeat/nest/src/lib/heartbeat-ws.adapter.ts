import { type FrameError, type ClientFrame, parseClientFrame } from '@heartbeat/protocol';
import { type INestApplicationContext, Logger } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { WebSocketServer } from 'ws';
import { ConnectionDrainer } from './connection-drainer.js';
import { HEARTBEAT_GATEWAY, HEARTBEAT_OPTIONS, HEARTBEAT_SERVER } from './heartbeat.constants.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';

type VerifyClientDone = (verified: boolean, code?: number, message?: string, headers?: Record<string, string>) => void;

/** Retry-After of an upgrade refused during the drain: the server is restarting. */
const DRAINING_RETRY_AFTER_SECONDS = 5;

/** Event name under which frames that failed validation reach the gateway. */
export const INVALID_FRAME_EVENT = '$invalid';

/** Nest's message shape: `event` picks the `@SubscribeMessage` handler, `data` is its body. */
export type ParsedHeartbeatMessage =
  | { event: ClientFrame['type']; data: ClientFrame }
  | { event: typeof INVALID_FRAME_EVENT; data: FrameError };

/**
 * Maps a raw frame to a gateway handler: valid frames by their `type`, everything else (binary,
 * invalid JSON, unknown type, wrong fields) to {@link INVALID_FRAME_EVENT} with the reason. Never throws.
 */
export function heartbeatMessageParser(data: unknown): ParsedHeartbeatMessage {
  const result = parseClientFrame(data);
  return result.ok ? { event: result.frame.type, data: result.frame } : { event: INVALID_FRAME_EVENT, data: result.error };
}

/**
 * `WsAdapter` for Heartbeat: parses frames with the protocol's codec and configures the gateway's
 * WebSocket server from the module options (path, maxPayload, allowed origins), which may only be
 * known at runtime (`forRootAsync`).
 *
 * ```ts
 * const app = await NestFactory.create(AppModule);
 * app.useWebSocketAdapter(new HeartbeatWsAdapter(app));
 * ```
 * Every ws gateway of the application receives frames in the Heartbeat format through this adapter.
 */
export class HeartbeatWsAdapter extends WsAdapter {
  private readonly socketLogger = new Logger('HeartbeatWsAdapter');

  constructor(private readonly app: INestApplicationContext) {
    super(app, { messageParser: heartbeatMessageParser });
  }

  /**
   * Socket errors are caused by what a client sends (oversize or malformed frames): logged at debug
   * level, not as errors, so that a client cannot flood the log. Server errors stay errors.
   */
  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    server.on('connection', (socket) =>
      socket.on('error', (error) => this.socketLogger.debug(`socket error: ${error.message}`)),
    );
    server.on('error', (error) => this.socketLogger.error(error));
    return server;
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
    const server: WebSocketServer = super.create(port, {
      ...rest,
      path: heartbeat.path,
      maxPayload: heartbeat.maxPayload,
      perMessageDeflate: false,
      verifyClient,
    });
    Object.defineProperty(server, HEARTBEAT_SERVER, { value: true });
    return server;
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
