import { type ErrorFrame, type ServerFrame, encodeFrame } from '@heartbeat/protocol';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { HeartbeatMessages, MAX_CLOSE_REASON_BYTES } from './heartbeat.messages.js';
import type { HeartbeatSession } from './heartbeat-session.js';
import type { HeartbeatSocket } from './heartbeat-socket.js';
import type { TokenBucket } from './token-bucket.js';
import type { TopicSubscriber } from './core/topic-subscriber.js';

/**
 * `handshake`: waiting for `hello`; `authenticating`: `verifyToken` is running; `open`: welcomed,
 * pinged and allowed to subscribe; `closed`: the socket is gone.
 */
export type ConnectionState = 'handshake' | 'authenticating' | 'open' | 'closed';

/** Weight of a new RTT sample in the smoothed RTT (as TCP's SRTT). */
const RTT_SMOOTHING = 1 / 8;

/**
 * How long a polite close may wait for the peer's close frame before the socket is destroyed. ws
 * itself waits 30 s, and neither heartbeat rule watches a connection that is already closing.
 */
export const CLOSE_HANDSHAKE_GRACE_MS = 5_000;

/** ws closes the socket itself after a frame error, with these codes (1002 for its other WS_ERR_* errors). */
const SOCKET_ERROR_CLOSE_CODES: Readonly<Record<string, number>> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_INVALID_UTF8: 1007,
};

const NO_TOPICS: readonly string[] = Object.freeze([]);
/** Topics a connection keeps in an array before it switches to a Set. */
const TOPIC_ARRAY_LIMIT = 8;

/** A Buffer goes out as a text frame too: broadcasts encode the UTF-8 once for every socket. */
const TEXT_FRAME = { binary: false } as const;

/** What a connection needs to know about its send buffer. */
export interface SendBufferLimit {
  /** High-water mark of `ws.bufferedAmount`, in bytes. */
  readonly maxBufferedBytes: number;
  /** Called once, when a frame had to be dropped because the buffer was above the mark. */
  readonly onOverflow: (connection: HeartbeatConnection, bufferedBytes: number) => void;
}

/** One WebSocket and everything the server tracks about it. */
export class HeartbeatConnection implements TopicSubscriber {
  state: ConnectionState = 'handshake';
  /** Set once the handshake completed. */
  session: HeartbeatSession | undefined;

  lastInboundAt: number;
  /** Sequence of the last server ping (pings are numbered from 1: also how many were sent), and when it went out. */
  pingSequence = 0;
  lastPingAt: number | undefined;
  lastPongAt: number | undefined;
  pongsReceived = 0;
  clientPings = 0;
  missedPings = 0;
  rttMs: number | undefined;
  smoothedRttMs: number | undefined;
  clockOffsetMs: number | undefined;

  violations = 0;
  /** Set when the server decides to close, so the lifecycle event reports the server's reason. */
  closeCode: number | undefined;
  closeReason: string | undefined;
  /** Index of the ping wheel slot this connection lives in. */
  pingSlot = -1;
  handshakeTimer: NodeJS.Timeout | undefined;
  /** True when a close frame went unanswered for the close grace and the socket was destroyed. */
  closeGraceExpired = false;
  /** Frames dropped because the send buffer was above its high-water mark. */
  droppedFrames = 0;
  /** When the accepted token stops being valid (epoch ms); undefined when it does not expire. */
  tokenExpiresAt: number | undefined;
  /** The `rateLimit` bucket, made on the first frame (FrameRateLimiter's). */
  rateBucket: TokenBucket | undefined;
  /**
   * The HTTP upgrade request, for `verifyToken` on `hello`; released once that check is done. Kept
   * for the connection's life it would hold its headers and parser state: about 1.2 KiB per
   * connection, more than the connection's own record (measured with heap snapshots at 5,000).
   */
  request: IncomingMessage | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  /**
   * A connection has a few topics: up to TOPIC_ARRAY_LIMIT they are an array replaced (never changed
   * in place) on each subscribe and unsubscribe, a third of a Set's size; beyond, a Set, so that a
   * client with thousands of topics costs no copying.
   */
  private topicList: readonly string[] | Set<string> = NO_TOPICS;
  /**
   * The TCP socket, which ws keeps anyway: it caches its peer's address once read (here, when the
   * connection opens), so that the address outlives the socket without a copy on every connection.
   */
  private readonly peer: Socket;

  constructor(
    readonly id: string,
    readonly socket: HeartbeatSocket,
    request: IncomingMessage,
    readonly connectedAt: number,
    private readonly sendBuffer: SendBufferLimit,
  ) {
    this.lastInboundAt = connectedAt;
    this.request = request;
    this.peer = request.socket;
    // Node asks the OS for the peer's address on first use and caches it; a destroyed socket can no
    // longer be asked. Asking now keeps the address for as long as this record lives.
    void this.peer.remoteAddress;
  }

  /** `ip:port`, IPv6 as `[ip]:port`; `unknown` when the socket was already gone. */
  get remoteAddress(): string {
    const { remoteAddress: address, remotePort: port } = this.peer;
    if (address === undefined) return 'unknown';
    return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  }

  /** The peer's IP address alone (IPv4-mapped IPv6 addresses as IPv4); `unknown` when the socket was already gone. */
  get remoteIp(): string {
    const address = this.peer.remoteAddress;
    if (address === undefined) return 'unknown';
    return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  }

  /** The topics this connection is subscribed to, in the order it subscribed. */
  get topics(): readonly string[] {
    const topics = this.topicList;
    return topics instanceof Set ? [...topics] : topics;
  }

  /** Adds a topic; false when the connection already had it. */
  addTopic(topic: string): boolean {
    const topics = this.topicList;
    if (topics instanceof Set) {
      if (topics.has(topic)) return false;
      topics.add(topic);
      return true;
    }
    if (topics.includes(topic)) return false;
    // concat allocates the exact length; a spread leaves room for 17 entries.
    this.topicList = topics.length < TOPIC_ARRAY_LIMIT ? topics.concat(topic) : new Set([...topics, topic]);
    return true;
  }

  removeTopic(topic: string): void {
    const topics = this.topicList;
    if (topics instanceof Set) {
      topics.delete(topic);
      return;
    }
    const index = topics.indexOf(topic);
    if (index === -1) return;
    this.topicList = topics.length === 1 ? NO_TOPICS : topics.slice(0, index).concat(topics.slice(index + 1));
  }

  get sessionId(): string | undefined {
    return this.session?.id;
  }

  /** Server pings sent on this connection. */
  get pingsSent(): number {
    return this.pingSequence;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** True once the server decided to close this connection, or its socket closed. */
  get isClosing(): boolean {
    return this.state === 'closed' || this.closeCode !== undefined;
  }

  get bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  /**
   * Sends an already encoded frame (JSON text, or its UTF-8 bytes); false when the socket is no longer open, or when the peer has
   * left more than the high-water mark unread: then the frame is dropped (never queued without
   * bound) and the overflow reported, which closes the connection.
   */
  sendText(text: string | Buffer): boolean {
    if (this.socket.readyState !== WebSocket.OPEN) return false;
    const buffered = this.socket.bufferedAmount;
    if (buffered > this.sendBuffer.maxBufferedBytes) {
      if (this.droppedFrames++ === 0) this.sendBuffer.onOverflow(this, buffered);
      return false;
    }
    this.socket.send(text, TEXT_FRAME);
    return true;
  }

  send(frame: ServerFrame): boolean {
    return this.sendText(encodeFrame(frame));
  }

  sendError(error: Omit<ErrorFrame, 'type'>): boolean {
    return this.send({ type: 'error', ...error });
  }

  /** Closes with a close frame (the peer is alive and should learn why). Safe to call twice. */
  close(code: number, reason: string): void {
    // ws would throw only after the close was recorded, and a connection that believes it is closing
    // is never timed out: reject what a close frame cannot carry before anything changes.
    assertCloseFrame(code, reason);
    this.recordClose(code, reason);
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(code, reason);
      this.closeTimer ??= setTimeout(() => {
        this.closeGraceExpired = true;
        this.socket.terminate();
      }, CLOSE_HANDSHAKE_GRACE_MS).unref();
    }
  }

  /** Destroys the socket without a closing handshake (the peer is presumed dead). Safe to call twice. */
  terminate(code: number, reason: string): void {
    this.recordClose(code, reason);
    this.socket.terminate();
  }

  recordPong(sequence: number, clientTime: number, now: number): number | undefined {
    this.pongsReceived++;
    this.lastPongAt = now;
    if (sequence !== this.pingSequence || this.lastPingAt === undefined) return undefined;
    const rtt = now - this.lastPingAt;
    this.rttMs = rtt;
    this.smoothedRttMs = this.smoothedRttMs === undefined ? rtt : this.smoothedRttMs + (rtt - this.smoothedRttMs) * RTT_SMOOTHING;
    // NTP style: the client stamped its reply about half an RTT after our ping left.
    this.clockOffsetMs = clientTime - (this.lastPingAt + rtt / 2);
    return rtt;
  }

  /** The first decision to close wins: it is what the lifecycle event reports. */
  private recordClose(code: number, reason: string): void {
    if (this.closeCode === undefined) {
      this.closeCode = code;
      this.closeReason = reason;
    }
    this.clearHandshakeTimer();
  }

  /** ws reports a bad frame (oversize, invalid UTF-8, ...) and then closes the socket itself. */
  recordSocketError(error: Error & { code?: string }): void {
    // Transport errors (ECONNRESET, ...) say nothing the close code 1006 does not already say.
    if (this.closeCode !== undefined || !error.code?.startsWith('WS_ERR_')) return;
    this.closeCode = SOCKET_ERROR_CLOSE_CODES[error.code] ?? 1002;
    this.closeReason = error.message;
  }

  /** Releases every timer; called once the socket is gone. */
  releaseTimers(): void {
    this.clearHandshakeTimer();
    if (this.closeTimer !== undefined) {
      clearTimeout(this.closeTimer);
      this.closeTimer = undefined;
    }
  }

  clearHandshakeTimer(): void {
    if (this.handshakeTimer !== undefined) {
      clearTimeout(this.handshakeTimer);
      this.handshakeTimer = undefined;
    }
  }
}

function isSendableCloseCode(code: number): boolean {
  return Number.isInteger(code) && ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999));
}

/** Throws a RangeError for a code or reason a server's close frame cannot carry (RFC 6455 §5.5, §7.4). */
export function assertCloseFrame(code: number, reason: string): void {
  if (!isSendableCloseCode(code)) throw new RangeError(HeartbeatMessages.invalidCloseCode(code));
  const bytes = Buffer.byteLength(reason);
  if (bytes > MAX_CLOSE_REASON_BYTES) throw new RangeError(HeartbeatMessages.closeReasonTooLong(bytes));
}
