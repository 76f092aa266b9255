/**
 * What every lifecycle event says of its connection. `userId`: the user `verifyToken` named
 * (docs/server.md#identity); undefined for an anonymous connection and before the handshake.
 */
interface ConnectionEventBase {
  connectionId: string;
  remoteAddress: string;
  userId?: string;
}

/** Connection lifecycle, as emitted by `HeartbeatService.events$`. Times are epoch ms. */
export type HeartbeatLifecycleEvent = ConnectionEventBase & (
  | { type: 'connected'; at: number }
  | {
      type: 'authenticated';
      sessionId: string;
      /** True when the `hello` resumed a session the server still kept. */
      resumed: boolean;
      at: number;
    }
  | {
      type: 'timed_out';
      /** `missed_pings`: too many pings in a row unanswered; `heartbeat_timeout`: silent too long. */
      cause: 'missed_pings' | 'heartbeat_timeout';
      missedPings: number;
      silentForMs: number;
      at: number;
    }
  | { type: 'disconnected'; code: number; reason: string; at: number }
  /** The connection's token expired before an `auth` renewed it; it is closed with 4001. */
  | { type: 'token_expired'; at: number }
  /** The peer sent frames faster than `rateLimit` allows; it is closed with 4429 and told to wait `retryAfterMs`. */
  | { type: 'rate_limited'; retryAfterMs: number; at: number }
  /** The socket's IP address already had `limit` connections (`maxConnectionsPerAddress`); it is closed with 1013. */
  | { type: 'address_limited'; limit: number; at: number }
  /** The peer stopped reading: its send buffer held `bufferedBytes`, above `maxBufferedBytes`; it is closed with 4009. */
  | { type: 'slow_consumer'; bufferedBytes: number; at: number }
  /**
   * The graceful shutdown closes this connection with 1012: the `position`-th of the `of`
   * connections the drain closes, at (position − 1) × drainWindow / of after it began.
   */
  | { type: 'draining'; position: number; of: number; at: number }
);

/** One answered server ping, as emitted by `HeartbeatService.heartbeats$`. */
export interface HeartbeatSample {
  connectionId: string;
  rttMs: number;
  clockOffsetMs: number;
  at: number;
}

/** A `message` frame from an authenticated client, as emitted by `HeartbeatService.messages$`. */
export interface HeartbeatClientMessage {
  connectionId: string;
  sessionId: string;
  /** The sender's user (docs/server.md#identity); undefined for an anonymous connection. */
  userId?: string;
  id: string;
  topic: string | undefined;
  data: unknown;
}
