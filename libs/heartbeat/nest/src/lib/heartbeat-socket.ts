import { WebSocket } from 'ws';
import type { HeartbeatConnection } from './heartbeat-connection.js';

/**
 * The Heartbeat server's sockets (ws builds them through its `WebSocket` server option): a socket
 * with a slot for its connection record. Every inbound frame finds its connection in a field
 * instead of a socket-keyed Map, which would cost a hash lookup per frame and an entry (about 46
 * bytes) per connection.
 */
export class HeartbeatSocket extends WebSocket {
  /** Set by ConnectionRegistry from `open` until the socket closed. */
  connection: HeartbeatConnection | undefined = undefined;
}

/** The connection of a socket a shared listener was called on (ws types listeners' `this` as a plain WebSocket). */
export function connectionOf(socket: WebSocket): HeartbeatConnection | undefined {
  return (socket as HeartbeatSocket).connection;
}
