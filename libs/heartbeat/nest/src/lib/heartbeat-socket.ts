import { WebSocket } from 'ws';
import type { HeartbeatConnection } from './core/heartbeat-connection.js';
import type { PeerAddress, PeerTransport } from './core/peer-transport.js';
import { type LoneTextFrameTaker, type TurnTrackingSocket, autoPongCallbackOnDemand, compactListenerRecord, readPeer, writeTextFrame } from './ws-fast-path.js';

/** Reads a lone text frame's bytes before ws does (HeartbeatGateway's pong reader); see LoneTextFrameTaker. */
export type LoneTextFrameReader = (socket: HeartbeatSocket, payload: Buffer) => boolean;

/**
 * The Heartbeat server's sockets (ws builds them through its `WebSocket` server option), and the
 * core's PeerTransport for `ws` (docs/server.md#architecture): the socket itself is the transport,
 * so that a connection costs no wrapper object. Every inbound frame finds its connection in a field
 * instead of a socket-keyed Map, which would cost a hash lookup per frame and an entry (about 46
 * bytes) per connection.
 */
export class HeartbeatSocket extends WebSocket implements PeerTransport, LoneTextFrameTaker, TurnTrackingSocket {
  static {
    autoPongCallbackOnDemand(this);
  }

  /** As ws's server builds it (`address` null); whatever WebSocket takes is passed on. */
  constructor(...args: unknown[]) {
    super(...(args as ConstructorParameters<typeof WebSocket>));
    // Before any listener is added: the gateway's three, Nest's error listener.
    compactListenerRecord(this);
  }

  /** Set by ConnectionRegistry from `open` until the socket closed. */
  connection: HeartbeatConnection | undefined = undefined;
  /** Shared by the server's sockets: a field, not a closure per connection. */
  loneFrameReader: LoneTextFrameReader | undefined = undefined;
  /** The turn of the event loop of its last frame (ws-fast-path.ts: later frames of a turn leave together). */
  lastWriteTurn = 0;

  get isOpen(): boolean {
    return this.readyState === WebSocket.OPEN;
  }

  /** The peer's address, read from the TCP socket without leaving a copy cached on it (ws-fast-path.ts). */
  peerAddress(): PeerAddress {
    return readPeer(this);
  }

  /**
   * Frames are written whole, a burst to this socket in one turn of the event loop together
   * (ws-fast-path.ts); UTF-8 bytes are framed once for every socket a broadcast goes to.
   */
  sendText(data: string | Buffer): void {
    writeTextFrame(this, data);
  }

  takeLoneTextFrame(payload: Buffer): boolean {
    return this.loneFrameReader?.(this, payload) ?? false;
  }
}

/** The connection of a socket a shared listener was called on (ws types listeners' `this` as a plain WebSocket). */
export function connectionOf(socket: WebSocket | PeerTransport): HeartbeatConnection | undefined {
  return (socket as PeerTransport).connection;
}
