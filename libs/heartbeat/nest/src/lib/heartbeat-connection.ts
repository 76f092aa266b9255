import { type ErrorFrame, type ServerFrame, encodeFrame } from '@heartbeat/protocol';
import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';

/**
 * `handshake`: waiting for `hello`; `authenticating`: `verifyToken` is running; `open`: welcomed,
 * pinged and allowed to subscribe; `closed`: the socket is gone.
 */
export type ConnectionState = 'handshake' | 'authenticating' | 'open' | 'closed';

/** Weight of a new RTT sample in the smoothed RTT (as TCP's SRTT). */
const RTT_SMOOTHING = 1 / 8;

/** One WebSocket and everything the server tracks about it. */
export class HeartbeatConnection {
  state: ConnectionState = 'handshake';
  sessionId: string | undefined;
  readonly topics = new Set<string>();

  lastInboundAt: number;
  /** Sequence of the last server ping, and when it went out. */
  pingSequence = 0;
  lastPingAt: number | undefined;
  lastPongAt: number | undefined;
  pingsSent = 0;
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

  constructor(
    readonly id: string,
    readonly socket: WebSocket,
    readonly request: IncomingMessage,
    readonly remoteAddress: string,
    readonly connectedAt: number,
  ) {
    this.lastInboundAt = connectedAt;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  get bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  /** Sends an already encoded frame; false when the socket is no longer open. */
  sendText(text: string): boolean {
    if (this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(text);
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
    if (this.closeCode === undefined) {
      this.closeCode = code;
      this.closeReason = reason;
    }
    this.clearHandshakeTimer();
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(code, reason);
    }
  }

  /** Destroys the socket without a closing handshake (the peer is presumed dead). Safe to call twice. */
  terminate(code: number, reason: string): void {
    if (this.closeCode === undefined) {
      this.closeCode = code;
      this.closeReason = reason;
    }
    this.clearHandshakeTimer();
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

  clearHandshakeTimer(): void {
    if (this.handshakeTimer !== undefined) {
      clearTimeout(this.handshakeTimer);
      this.handshakeTimer = undefined;
    }
  }
}
