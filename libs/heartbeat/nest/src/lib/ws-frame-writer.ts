import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/**
 * Writes a text frame to a `ws` socket as one buffer, header and payload together, straight to its
 * TCP socket. `ws.send()` builds a header per call and writes header and payload as two corked
 * chunks (a writev); a broadcast to 19,000 sockets paid that 19,000 times for the same bytes
 * (docs/benchmarks.md, issue 14 profiles). Here a broadcast is framed once and the same buffer goes
 * to every socket.
 *
 * This leans on `ws` internals (`_socket`, `_sender._state`, `_sender._firstFragment`,
 * `_extensions`): they are read in this file only, ws-frame-writer.spec.ts fails when a `ws` release
 * changes them, and whenever the sender is not idle (a frame queued behind a compression, a
 * fragmented message under way) or a socket negotiated compression, the frame goes through the
 * public `send()`, which keeps the order of frames.
 */

/** The parts of ws's WebSocket this file reads. */
interface WsInternals {
  _socket: Socket | null;
  _sender: { _state: number; _firstFragment: boolean } | null;
  _extensions: Record<string, unknown>;
}

/** ws's Sender state when nothing is queued (`DEFAULT` in ws/lib/sender.js). */
const SENDER_IDLE = 0;
const TEXT_FRAME = { binary: false } as const;

/**
 * Sockets holding frames written in this turn of the event loop (corked). A burst of frames to one
 * socket (events published together, a welcome with its replay) leaves in one write when the turn
 * ends, not one each: on loopback most of a fan-out's time was the kernel's per-write cost
 * (docs/benchmarks.md, issue 14 profiles).
 */
const corked: Socket[] = [];
/** A corked socket is released early once it holds this much, so a large burst flows as it is written. */
const MAX_CORKED_BYTES = 64 * 1024;

function releaseCorked(): void {
  // Uncorking a socket released early (or twice listed) is a no-op.
  for (const tcp of corked) tcp.uncork();
  corked.length = 0;
}

/** The frame of the last payload framed: a broadcast frames its payload once for all its sockets. */
let lastPayload: Buffer | null = null;
let lastFrame: Buffer | null = null;

/**
 * One unmasked, final text frame of `payload` (RFC 6455 section 5.2), as a server sends it. A payload
 * framed last time is not framed again: callers never change a buffer once they sent it.
 */
export function textFrame(payload: Buffer): Buffer {
  if (payload === lastPayload && lastFrame) return lastFrame;
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81; // FIN, opcode 1 (text)
  if (headerLength === 2) {
    frame[1] = length;
  } else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  payload.copy(frame, headerLength);
  lastPayload = payload;
  lastFrame = frame;
  return frame;
}

/**
 * Sends `payload` (UTF-8 bytes) as one text frame on an open socket: the framed bytes, written with
 * the socket's other frames of this turn of the event loop, where ws's sender is idle and
 * uncompressed; ws's `send()` otherwise.
 */
export function writeTextFrame(socket: WebSocket, payload: Buffer): void {
  const { _socket: tcp, _sender: sender, _extensions: extensions } = socket as unknown as WsInternals;
  if (socket.readyState !== socket.OPEN || !tcp || !sender || sender._state !== SENDER_IDLE || !sender._firstFragment || !isEmpty(extensions)) {
    socket.send(payload, TEXT_FRAME);
    return;
  }
  if (tcp.writableCorked === 0) {
    tcp.cork();
    if (corked.push(tcp) === 1) setImmediate(releaseCorked);
  }
  tcp.write(textFrame(payload));
  if (tcp.writableLength >= MAX_CORKED_BYTES) tcp.uncork();
}

function isEmpty(record: Record<string, unknown>): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return false;
  return true;
}
