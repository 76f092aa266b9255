import type { ServerFrame } from '@heartbeat/protocol';
import type { HeartbeatConnection } from '../lib/core/heartbeat-connection.js';
import type { PeerAddress, PeerTransport } from '../lib/core/peer-transport.js';

/**
 * A PeerTransport with no socket: it records the frames written to it and how it was closed, and
 * its `bufferedAmount` is whatever the test sets (a peer that stops reading). Closing it does not
 * end the connection: as with a real socket, that is the transport's `close` event, which a test
 * delivers with ConnectionRegistry.remove.
 */
export class FakePeer implements PeerTransport {
  connection: HeartbeatConnection | undefined = undefined;
  bufferedAmount = 0;
  /** Every frame written, decoded. */
  readonly frames: ServerFrame[] = [];
  /** The close frame sent, if any. */
  closeFrame: { code: number; reason: string } | undefined;
  terminated = false;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  private open = true;

  /** `ip` undefined: a peer whose address could not be read. */
  constructor(peer: { ip: string | undefined; port?: number } = { ip: '127.0.0.1', port: 40_000 }) {
    this.remoteAddress = peer.ip;
    this.remotePort = peer.port;
  }

  peerAddress(): PeerAddress {
    return { address: this.remoteAddress, port: this.remotePort };
  }

  get isOpen(): boolean {
    return this.open;
  }

  sendText(data: string | Buffer): void {
    if (!this.open) throw new Error('FakePeer: a frame was written to a closed transport');
    this.frames.push(JSON.parse(data.toString()) as ServerFrame);
  }

  close(code: number, reason: string): void {
    if (!this.open) throw new Error('FakePeer: close() on a transport that is no longer open');
    this.open = false;
    this.closeFrame = { code, reason };
  }

  terminate(): void {
    this.open = false;
    this.terminated = true;
  }

  /** The frames of one type written so far. */
  framesOf<T extends ServerFrame['type']>(type: T): Extract<ServerFrame, { type: T }>[] {
    return this.frames.filter((frame): frame is Extract<ServerFrame, { type: T }> => frame.type === type);
  }
}
