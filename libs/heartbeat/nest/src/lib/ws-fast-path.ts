import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { PeerAddress } from './core/peer-transport.js';

/**
 * The Heartbeat server's shortcuts past `ws` on its two busiest paths (docs/benchmarks.md, issue 14
 * profiles), and the only file that reads `ws` internals (`_socket`, `_sender`, `_receiver`,
 * `_extensions`, the socket's `data` listener, the parser's `_buffers`, `_autoPongComplete` and
 * `_pendingAutoPongs`), of
 * Node's TCP socket its `_peername` and of Node's EventEmitter its `_events`:
 * ws-fast-path.spec.ts fails when a `ws` or Node release changes them, and wherever a shortcut's
 * conditions do not hold, the public API does the work.
 *
 * Writing: a text frame goes to the TCP socket in one write, header and payload together: as one
 * buffer, or a short ASCII text (a ping) as one latin1 string.
 * `ws.send()` builds a header per call and writes header and payload as two corked chunks; a
 * broadcast to 19,000 sockets paid that 19,000 times for the same bytes. Here a broadcast is framed
 * once and the same buffer goes to every socket. Where the sender is not idle (a frame queued behind
 * a compression, a fragmented message under way) or the socket negotiated compression, the frame
 * goes through `send()`, which keeps the order of frames.
 *
 * The peer's address: read from the TCP socket without leaving Node's cached copy on it (readPeer).
 *
 * Automatic pongs: the write callback ws gives every socket for them is made when a pong is written
 * (autoPongCallbackOnDemand). Extensions: an uncompressed socket's empty record of them is one
 * shared object (shareNoExtensions). Listeners: a socket's record of them is a fast object
 * (compactListenerRecord).
 *
 * Reading: a TCP chunk that is exactly one small text frame, arriving while ws's frame parser is
 * idle, is unmasked into a scratch buffer and offered to the server first (its pongs, once per
 * connection per ping interval, are read there without ws's per-frame buffers, events and
 * fragment lists); whatever the server does not take goes to ws as it came, and the parser's emptied
 * chunk list gives its storage back afterwards.
 */

/** The parts of ws's WebSocket this file reads. */
interface WsInternals {
  _socket: Socket | null;
  _sender: { _state: number; _firstFragment: boolean; _extensions: Record<string, unknown> } | null;
  _receiver: WsReceiver | null;
  _extensions: Record<string, unknown>;
}

/** The parts of ws's frame parser (ws/lib/receiver.js) this file reads. */
interface WsReceiver {
  _extensions: Record<string, unknown>;
  _buffers: Buffer[];
  _state: number;
  _bufferedBytes: number;
  _fragmented: number;
  _errored: boolean;
  _maxPayload: number;
  writableLength: number;
}

/** ws's Sender state when nothing is queued (`DEFAULT` in ws/lib/sender.js). */
const SENDER_IDLE = 0;
const TEXT_FRAME = { binary: false } as const;
/** The first byte of a final text frame: FIN, opcode 1. */
const TEXT_FIN = 0x81;
/** The largest payload of a frame with a 7-bit length (a two-byte header). */
const SMALL_PAYLOAD = 125;

/**
 * A socket's first frame in a turn of the event loop goes out at once; the ones after it are held
 * (corked) until the turn ends and leave together. A burst of frames to one socket (events published
 * together) then costs two writes, not one each: on loopback most of a fan-out's time was the
 * kernel's per-write cost (docs/benchmarks.md, issue 14 profiles). A ping, the only frame of most
 * sockets in most turns, is written at once, as it was timed. A socket's very first frame (its
 * `welcome`) is held too: what the same turn adds to it (`subscribed` and the replay of a resumed
 * session's topics) leaves with it in one write, which a reconnect storm pays for every client.
 */
let turn = 1;
let turnEnding = false;
/** Sockets holding frames until the turn ends. */
const corked: Socket[] = [];
/** A corked socket is released early once it holds this much, so a large burst flows as it is written. */
const MAX_CORKED_BYTES = 64 * 1024;

function endTurn(): void {
  turn++;
  turnEnding = false;
  // Uncorking a socket released early (or listed twice) is a no-op.
  for (const tcp of corked) tcp.uncork();
  corked.length = 0;
}

/** A socket that remembers the turn of its last frame (HeartbeatSocket): 0 until its first. */
export interface TurnTrackingSocket {
  lastWriteTurn: number;
}

/** The frame of the last payload framed: a broadcast frames its payload once for all its sockets. */
let lastPayload: Buffer | null = null;
let lastFrame: Buffer | null = null;

/**
 * One unmasked, final text frame of `payload` (RFC 6455 section 5.2), as a server sends it: text is
 * encoded straight into the frame. A Buffer framed last time is not framed again: callers never
 * change a buffer once they sent it.
 */
export function textFrame(payload: string | Buffer): Buffer {
  if (payload === lastPayload && lastFrame) return lastFrame;
  const text = typeof payload === 'string';
  const length = text ? Buffer.byteLength(payload) : payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = TEXT_FIN;
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
  if (text) {
    frame.write(payload, headerLength);
  } else {
    payload.copy(frame, headerLength);
    lastPayload = payload;
    lastFrame = frame;
  }
  return frame;
}

/**
 * A short ASCII text (the server's pings, a pong to a client's ping) as its whole frame in a latin1
 * string, whose bytes are its characters' codes: Node writes it to the socket straight from the
 * string, and no Buffer is made for it, which cost an idle server about 0.4 µs of its own time per
 * ping (docs/benchmarks.md, issue 14 profiles). Undefined for any other payload: a text whose UTF-8
 * length differs from its length is not ASCII.
 */
function shortAsciiFrame(payload: string | Buffer): string | undefined {
  if (typeof payload !== 'string' || payload.length > SMALL_PAYLOAD || Buffer.byteLength(payload) !== payload.length) return undefined;
  return String.fromCharCode(TEXT_FIN, payload.length) + payload;
}

/**
 * Sends `payload` (text, or its UTF-8 bytes) as one text frame on an open socket, where ws's sender
 * is idle and uncompressed (ws's `send()` otherwise): the framed bytes at once if it is the socket's
 * first frame in this turn of the event loop, held with the rest of the turn if it is a later one
 * or the socket's very first (its welcome).
 */
export function writeTextFrame(socket: WebSocket & TurnTrackingSocket, payload: string | Buffer): void {
  const { _socket: tcp, _sender: sender, _extensions: extensions } = socket as unknown as WsInternals;
  if (socket.readyState !== socket.OPEN || !tcp || !sender || sender._state !== SENDER_IDLE || !sender._firstFragment || !hasNoExtensions(extensions)) {
    socket.send(payload, TEXT_FRAME);
    return;
  }
  if (!turnEnding) {
    turnEnding = true;
    setImmediate(endTurn);
  }
  const hold = socket.lastWriteTurn === turn || socket.lastWriteTurn === 0;
  socket.lastWriteTurn = turn;
  if (hold && tcp.writableCorked === 0) {
    tcp.cork();
    corked.push(tcp);
  }
  const ascii = shortAsciiFrame(payload);
  if (ascii !== undefined) tcp.write(ascii, 'latin1');
  else tcp.write(textFrame(payload));
  if (tcp.writableLength >= MAX_CORKED_BYTES) tcp.uncork();
}

/** No extension negotiated: the shared empty record (shareNoExtensions) at a glance, another one looked through. */
function hasNoExtensions(record: Record<string, unknown>): boolean {
  return record === NO_EXTENSIONS || isEmpty(record);
}

function isEmpty(record: Record<string, unknown>): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return false;
  return true;
}

/** ws's Receiver state between frames (`GET_INFO` in ws/lib/receiver.js). */
const RECEIVER_IDLE = 0;
/** A lone frame's unmasked payload, reused: the server reads it before the next chunk arrives. */
const scratch = Buffer.allocUnsafe(SMALL_PAYLOAD);
/** Views of the scratch buffer by length, made once: a view per frame cost about 40 ns of an idle server's pong. */
const scratchViews = Array.from({ length: SMALL_PAYLOAD + 1 }, (_, length) => scratch.subarray(0, length));

/** A socket that reads lone text frames itself before ws does (HeartbeatSocket). */
export interface LoneTextFrameTaker {
  /**
   * The unmasked payload of a small text frame that arrived alone, valid only during the call: true
   * when taken (only text that is valid UTF-8 may be, as ws checks it), false to let ws read it.
   */
  takeLoneTextFrame(payload: Buffer): boolean;
}

type DataListener = (this: Socket, chunk: Buffer) => void;

/** ws's own `data` listener (one function for every socket), and the symbol under which a TCP socket holds its WebSocket. */
let wsOnData: DataListener | undefined;
let webSocketKey: symbol | undefined;

/**
 * Puts the lone-frame reader in front of ws's `data` listener on this socket. False when the socket
 * is not as this file expects; then ws reads everything, as without it.
 */
export function offerLoneTextFrames(socket: WebSocket & LoneTextFrameTaker): boolean {
  const { _socket: tcp, _receiver: receiver } = socket as unknown as WsInternals;
  if (!tcp || !receiver || typeof receiver._state !== 'number') return false;
  const listeners = tcp.listeners('data');
  const listener = listeners[0] as DataListener | undefined;
  if (listeners.length !== 1 || listener?.name !== 'socketOnData' || (wsOnData !== undefined && listener !== wsOnData)) return false;
  const holder = tcp as unknown as Record<symbol, unknown>;
  webSocketKey ??= Object.getOwnPropertySymbols(tcp).find((key) => holder[key] === socket);
  if (webSocketKey === undefined || holder[webSocketKey] !== socket) return false;
  wsOnData = listener;
  tcp.removeListener('data', listener);
  // One listener for every socket (`this` is the TCP socket): no closure per connection.
  tcp.on('data', onData);
  return true;
}

function onData(this: Socket, chunk: Buffer): void {
  const socket = (this as unknown as Record<symbol, WebSocket & LoneTextFrameTaker>)[webSocketKey as symbol];
  if (takeLoneFrame(socket, chunk)) return;
  (wsOnData as DataListener).call(this, chunk);
  releaseReadChunks(socket);
}

/**
 * ws's parser queues the chunks it reads in an array (`_buffers`) and takes them off with shift():
 * once a chunk went through, the emptied array keeps storage for 17 chunks (152 bytes per
 * connection in heap snapshots at 5,000, docs/benchmarks.md) for the socket's life. Setting the
 * length of an empty one to 0 lets V8 drop that storage; one still holding part of a frame is left
 * as it is.
 */
function releaseReadChunks(socket: WebSocket): void {
  const receiver = (socket as unknown as WsInternals)._receiver;
  if (receiver?._buffers.length === 0) receiver._buffers.length = 0;
}

function takeLoneFrame(socket: WebSocket & LoneTextFrameTaker, chunk: Buffer): boolean {
  // FIN and opcode 1 (text) without RSV bits; the mask bit with a 7-bit length; nothing else in the chunk.
  const length = chunk[1] & 0x7f;
  if (chunk[0] !== TEXT_FIN || (chunk[1] & 0x80) === 0 || length > SMALL_PAYLOAD || chunk.length !== 6 + length) return false;
  const receiver = (socket as unknown as WsInternals)._receiver;
  if (!receiver || socket.readyState !== socket.OPEN || receiver._state !== RECEIVER_IDLE || receiver._bufferedBytes !== 0) return false;
  if (receiver._fragmented !== 0 || receiver._errored || receiver.writableLength !== 0) return false;
  if (receiver._maxPayload > 0 && length > receiver._maxPayload) return false;
  unmaskIntoScratch(chunk, length);
  return socket.takeLoneTextFrame(scratchViews[length]);
}

/**
 * A client frame's payload (after a 6-byte header: 2 bytes, the 4-byte mask) unmasked into the
 * scratch buffer, four bytes a step with the mask's bytes held in locals: half the time of a byte a
 * step with the mask read from the chunk (about 70 of 140 ns for a pong's 120 bytes, in a loop of
 * the two), on the path every pong takes.
 */
function unmaskIntoScratch(chunk: Buffer, length: number): void {
  const m0 = chunk[2];
  const m1 = chunk[3];
  const m2 = chunk[4];
  const m3 = chunk[5];
  let i = 0;
  for (; i + 3 < length; i += 4) {
    scratch[i] = chunk[6 + i] ^ m0;
    scratch[i + 1] = chunk[7 + i] ^ m1;
    scratch[i + 2] = chunk[8 + i] ^ m2;
    scratch[i + 3] = chunk[9 + i] ^ m3;
  }
  for (; i < length; i++) scratch[i] = chunk[6 + i] ^ chunk[2 + (i & 3)];
}

/** Where Node's TCP socket caches its peer's address once read (net.js `_getpeername`). */
interface PeerNameCache {
  _peername?: object | null;
}

/**
 * The peer's address and port, read together (one `getpeername`) from the TCP socket ws keeps for
 * the WebSocket's life (`_socket`), undefined once it is gone. Node keeps what it read (an object
 * and the address text: 88 bytes per connection in heap snapshots at 5,000, docs/benchmarks.md) on
 * the socket for its life; the connection keeps its own copy, so that one is dropped again, as Node
 * itself does on connect (it sets `_peername` to null). A copy that was there before is left alone.
 */
export function readPeer(socket: WebSocket): PeerAddress {
  const tcp = (socket as unknown as WsInternals)._socket;
  if (!tcp) return { address: undefined, port: undefined };
  const cache = tcp as unknown as PeerNameCache;
  const before = cache._peername;
  const address = tcp.remoteAddress;
  const port = tcp.remotePort;
  if (!before && cache._peername) cache._peername = null;
  return { address, port };
}

/** ws's count of the automatic pongs still being written (ws/lib/websocket.js). */
interface AutoPongCount {
  _pendingAutoPongs: number;
}

/**
 * ws's constructor gives every socket a closure of its own (`_autoPongComplete`, 96 bytes with its
 * context in heap snapshots at 5,000 connections, docs/benchmarks.md): the write callback of the
 * pongs it sends itself for a peer's ping frames, which counts them down (`_pendingAutoPongs`; at
 * `maxPendingAutoPongs` ws drops the peer). Heartbeat's own pings are JSON frames, and ping frames
 * are rare: on `socketClass`, ws's assignment keeps nothing, and the callback is made for each
 * pong ws writes.
 */
export function autoPongCallbackOnDemand(socketClass: typeof WebSocket): void {
  Object.defineProperty(socketClass.prototype, '_autoPongComplete', {
    configurable: true,
    get(this: AutoPongCount): () => void {
      return () => {
        this._pendingAutoPongs--;
      };
    },
    set(): void {
      // ws's closure for this socket is not kept: the getter makes one when a pong is written.
    },
  });
}

/** The extensions of every uncompressed socket: none, and nothing adds any once the socket is open. */
const NO_EXTENSIONS: Record<string, unknown> = Object.freeze({});

/**
 * ws gives every socket an object of its own for its negotiated extensions (permessage-deflate),
 * empty on an uncompressed socket and shared with its sender and receiver, which only read it once
 * the socket is open: 56 bytes per connection (heap snapshots at 5,000, docs/benchmarks.md). Where
 * the three hold the same empty object, they get one shared by every such socket instead. False
 * when the socket is not as this file expects (or compressed): then it keeps its own.
 */
export function shareNoExtensions(socket: WebSocket): boolean {
  const internals = socket as unknown as WsInternals;
  const { _extensions: extensions, _sender: sender, _receiver: receiver } = internals;
  if (!sender || !receiver || sender._extensions !== extensions || receiver._extensions !== extensions || !isEmpty(extensions)) return false;
  internals._extensions = sender._extensions = receiver._extensions = NO_EXTENSIONS;
  return true;
}

/** What Node's EventEmitter keeps its listeners in (node:events). */
interface ListenerRecord {
  _events: object | undefined;
  _eventsCount: number;
}

/** The prototype of the listener records made here: empty and itself without a prototype, so that no event name finds an inherited value. */
const NO_LISTENERS: object = Object.freeze(Object.create(null) as object);

/**
 * Node's EventEmitter keeps an emitter's listeners in a null-prototype object (`_events`), which V8
 * holds in dictionary mode: 184 bytes for a socket's three listeners (heap snapshots at 5,000
 * connections, docs/benchmarks.md). An object whose prototype is an empty null-prototype object
 * answers every event name as that one does, and is a fast object of about 56 bytes. For a new
 * emitter (no listener yet); false, having done nothing, for any other.
 */
export function compactListenerRecord(emitter: EventEmitter): boolean {
  const record = emitter as unknown as ListenerRecord;
  const events = record._events;
  if (record._eventsCount !== 0 || events === undefined || Object.getPrototypeOf(events) !== null || Reflect.ownKeys(events).length !== 0) return false;
  record._events = Object.create(NO_LISTENERS) as object;
  return true;
}
