import type { RequestFrame } from '@heartbeat/protocol';
import type { HeartbeatConnection } from './heartbeat-connection.js';

/**
 * What the core hands `request` frames to: the application's request handlers
 * (docs/server.md#requestresponse-handlers). It answers on the connection itself, with `result` or
 * an `error` whose `ref` is the request's id, and drops the answer when the connection closed before
 * the handler finished. FrameRouter does not wait for it: requests run concurrently with the
 * connection's other frames.
 */
export interface RequestFrames {
  request(connection: HeartbeatConnection, frame: RequestFrame): void | Promise<void>;
}
