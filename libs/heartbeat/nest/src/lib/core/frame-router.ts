import { type ClientFrame, ProtocolErrorCode, parseClientFrame, readPongBytes } from '@heartbeat/protocol';
import type { IncomingMessage } from 'node:http';
import type { AddressConnectionLimiter } from './address-connection-limiter.js';
import type { CoreClock } from './clock.port.js';
import type { ConnectionDrainer } from './connection-drainer.js';
import type { ConnectionRegistry } from './connection-registry.js';
import type { FrameRateLimiter } from './frame-rate-limiter.js';
import type { HandshakeService } from './handshake.service.js';
import type { HeartbeatConnection } from './heartbeat-connection.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import type { CoreLogger } from './logger.port.js';
import type { MessageInbox } from './message-inbox.js';
import type { PeerTransport } from './peer-transport.js';
import type { PingScheduler } from './ping-scheduler.js';
import type { ProtocolViolations } from './protocol-violations.js';
import type { RequestFrames } from './request-frames.port.js';
import type { TopicGate } from './topic-gate.js';

/** The services frames are handed to. */
export interface FrameHandlers {
  readonly handshake: HandshakeService;
  readonly pings: PingScheduler;
  /** The gate in front of the topic hub (docs/server.md#topic-authorization). */
  readonly topics: TopicGate;
  readonly inbox: MessageInbox;
  readonly requests: RequestFrames;
  readonly drainer: ConnectionDrainer;
  readonly rateLimiter: FrameRateLimiter;
  readonly addressLimiter: AddressConnectionLimiter;
  readonly violations: ProtocolViolations;
}

/**
 * Where a transport's connection starts and its frames go (the gateway forwards them here). Every
 * frame, valid or not, first counts as proof of life.
 */
export class FrameRouter {
  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly clock: CoreClock,
    private readonly logger: CoreLogger,
    private readonly handlers: FrameHandlers,
  ) {}

  /** A new transport: its connection, refused while draining or over its address's limit, else given its `hello` deadline. */
  accept(socket: PeerTransport, request: IncomingMessage | undefined): HeartbeatConnection {
    const connection = this.registry.open(socket, request);
    const { drainer, addressLimiter, handshake } = this.handlers;
    // Every connection is counted until it closes, one refused by the drain too (AddressConnectionLimiter).
    const sameAddress = addressLimiter.add(connection);
    if (drainer.isDraining) drainer.refuse(connection);
    else if (addressLimiter.admit(connection, sameAddress)) handshake.start(connection);
    return connection;
  }

  /** One frame off the wire (text, or binary as the transport read it): proof of life, rate limit, validation, then its handler. */
  receive(connection: HeartbeatConnection, data: unknown): void {
    if (!this.admit(connection)) return;
    const parsed = parseClientFrame(data);
    if (parsed.ok) this.route(connection, parsed.frame);
    else this.handlers.violations.reject(connection, parsed.error);
  }

  /** A text frame as the UTF-8 bytes the transport read: a pong read off the bytes (takePong), any other frame as text. */
  receiveText(connection: HeartbeatConnection, bytes: Buffer): void {
    if (!this.takePong(connection, bytes)) this.receive(connection, bytes.toString());
  }

  /**
   * Takes a text frame's bytes if they are a pong written as HeartbeatClient writes it (readPongBytes:
   * an idle server's most frequent frame, read without decoding text or parsing JSON); false, having
   * done nothing, for anything else. Only ASCII is taken, so the bytes taken are valid UTF-8.
   */
  takePong(connection: HeartbeatConnection, bytes: Uint8Array): boolean {
    const pong = readPongBytes(bytes);
    if (pong === undefined) return false;
    if (!this.admit(connection)) return true;
    if (connection.isOpen) this.handlers.pings.recordPong(connection, pong.sequence, pong.client_time);
    else this.rejectBeforeHandshake(connection, 'pong');
    return true;
  }

  /** Counts the frame as proof of life; false for a connection the server is closing or one over its rate. */
  private admit(connection: HeartbeatConnection): boolean {
    connection.touch(this.clock.now());
    // Frames of a connection the server is already closing (for any reason) are dropped.
    return !connection.isClosing && this.handlers.rateLimiter.admit(connection);
  }

  private route(connection: HeartbeatConnection, frame: ClientFrame): void {
    if (frame.type !== 'hello' && !connection.isOpen) {
      this.rejectBeforeHandshake(connection, frame.type);
      return;
    }
    // A failing handler must not take the connection's frames down: log, answer `error`, carry on.
    let result: Promise<void> | void;
    try {
      result = this.handle(connection, frame);
    } catch (error) {
      this.fail(connection, frame, error);
      return;
    }
    if (result instanceof Promise) result.catch((error: unknown) => this.fail(connection, frame, error));
  }

  /** A frame other than `hello` before the handshake completed. */
  private rejectBeforeHandshake(connection: HeartbeatConnection, type: ClientFrame['type']): void {
    const message = connection.state === 'authenticating' ? HeartbeatMessages.handshakeInProgress() : HeartbeatMessages.handshakeRequired();
    this.handlers.violations.reject(connection, { code: ProtocolErrorCode.HandshakeRequired, message, ref: type });
  }

  private handle(connection: HeartbeatConnection, frame: ClientFrame): Promise<void> | void {
    const { handshake, pings, topics, inbox, requests } = this.handlers;
    switch (frame.type) {
      case 'hello':
        return handshake.hello(connection, frame);
      case 'ping':
        return pings.answerPing(connection, frame);
      case 'pong':
        return pings.recordPong(connection, frame.sequence, frame.client_time);
      case 'subscribe':
        return topics.subscribe(connection, frame.topic, frame.since, frame.presence);
      case 'unsubscribe':
        return topics.unsubscribe(connection, frame.topic);
      case 'message':
        if (frame.topic === undefined) return inbox.receive(connection, frame);
        return this.published(connection, frame.topic, frame.id, () => inbox.receive(connection, frame));
      case 'request':
        return this.published(connection, frame.topic, frame.id, () => requests.request(connection, frame));
      case 'auth':
        return handshake.auth(connection, frame);
    }
  }

  /**
   * A client frame that publishes on a topic (a `message` naming one; a `request`) goes on to
   * `handle` only once the gate allowed `publish` on it: a refused one was answered `error` there,
   * and is neither acknowledged nor handed over (docs/server.md#topic-authorization).
   */
  private published(connection: HeartbeatConnection, topic: string, id: string, handle: () => Promise<void> | void): Promise<void> | void {
    const allowed = this.handlers.topics.publish(connection, topic, id);
    if (allowed === true) return handle();
    if (allowed === false) return;
    return allowed.then((settled) => {
      if (settled && connection.isOpen) return handle();
    });
  }

  private fail(connection: HeartbeatConnection, frame: ClientFrame, error: unknown): void {
    this.logger.error(HeartbeatMessages.logHandlerFailed(frame.type, connection.id), error instanceof Error ? error.stack : String(error));
    // A request's or message's error names it (its id), so that the client's call fails now rather
    // than at its timeout, or than waiting for an ack that will not come.
    const ref = frame.type === 'request' || frame.type === 'message' ? frame.id : frame.type;
    connection.sendError({ code: ProtocolErrorCode.InternalError, message: HeartbeatMessages.handlerFailed(frame.type), ref });
  }
}
