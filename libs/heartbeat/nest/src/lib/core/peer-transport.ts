import type { HeartbeatConnection } from './heartbeat-connection.js';

/**
 * What the core needs of a peer's socket (docs/server.md#architecture). The `ws` implementation is
 * HeartbeatSocket itself, so that a connection costs no wrapper object; unit tests use FakePeer
 * (src/testing/fake-peer.ts).
 */
/** Where a peer connects from. */
export interface PeerAddress {
  readonly address: string | undefined;
  readonly port: number | undefined;
}

export interface PeerTransport {
  /**
   * The connection this transport carries, from ConnectionRegistry.open until it closed: listeners
   * shared by every socket find it in a field, not in a transport-keyed Map.
   */
  connection: HeartbeatConnection | undefined;
  /** True while frames can be written (neither closing nor closed). */
  readonly isOpen: boolean;
  /** Bytes written but not yet handed to the network: the peer's unread backlog. */
  readonly bufferedAmount: number;
  /**
   * The peer's IP address and port, read together; undefined when the socket was gone before they
   * were read. The connection reads them once, when it opens, and keeps them.
   */
  peerAddress(): PeerAddress;
  /**
   * Writes one text frame (JSON text, or its UTF-8 bytes). A Buffer must not change once sent: a
   * broadcast hands the same one to every subscriber, and the transport may frame it once for all.
   */
  sendText(data: string | Buffer): void;
  /** Starts the closing handshake: a close frame with this code and reason. */
  close(code: number, reason: string): void;
  /** Destroys the socket at once, without a closing handshake. */
  terminate(): void;
}
