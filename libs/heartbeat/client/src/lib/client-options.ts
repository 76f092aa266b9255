import { CLIENT_DEFAULTS } from '@heartbeat/protocol';
import type { ConnectivitySignals } from './connectivity-signals.js';
import type { HeartbeatClientFeature } from './client-feature.js';
import type { WebSocketConstructor } from './web-socket-like.js';

/** Called on every connection attempt; may return a fresh token. A rejection fails that attempt. */
export type TokenProvider = () => string | null | undefined | Promise<string | null | undefined>;

/** Receives the client's debug lines when `debug` is on. */
export type HeartbeatLogger = (message: string, ...details: unknown[]) => void;

/**
 * Timing presets for stable, unstable and mobile networks (docs/client.md, Network presets);
 * explicit options override them.
 */
export type NetworkPreset = 'stable' | 'unstable' | 'mobile';

/** The numbers the reconnect and heartbeat logic run on. */
export interface HeartbeatTimingOptions {
  /** Fast reconnect attempts before giving up or slowing down. Default 5. */
  maxReconnectAttempts: number;
  /** Delay before the first reconnect attempt, ms. Default 5000. */
  reconnectInterval: number;
  /** Growth of the delay between attempts. Default 1.5. */
  backoffMultiplier: number;
  /** Longest delay between attempts, ms. Default 30000. */
  maxReconnectInterval: number;
  /** The client's own ping period, ms. Default 30000. */
  pingInterval: number;
  /** How long a ping may wait for any inbound frame before it counts as missed, ms. Default 10000. */
  pongTimeout: number;
  /** Missed pongs in a row after which the connection is dead. Default 3. */
  maxMissedPongs: number;
  /**
   * Random share (0..1) taken off each backoff delay; 0 gives the exact default schedule 5000, 7500,
   * 11250, 16875, 25312.5 ms (docs/client.md#options). Default 0.3.
   */
  jitter: number;
  /** Longest time an attempt may take from opening the socket to `welcome`, ms. Default 10000. */
  connectTimeout: number;
  /** Period of the slow retries after the fast attempts ran out, ms; 0 stops instead. Default 60000. */
  suspendedRetryInterval: number;
}

export interface HeartbeatClientOptions extends Partial<HeartbeatTimingOptions> {
  /**
   * Server endpoint: `ws://` or `wss://`; in a browser also `http(s)://` or a path such as `/ws`,
   * resolved against the page's address.
   */
  url: string;
  /** Sent in `hello`. A provider is called on every attempt, and again after a 4001 close. */
  token?: string | TokenProvider;
  /** A set of timing defaults for the network the app runs on. Default `stable`. */
  preset?: NetworkPreset;
  /** Reconnect after a lost connection. Default true. */
  autoReconnect?: boolean;
  /** Log the client's decisions: true for the console, or a function of your own. */
  debug?: boolean | HeartbeatLogger;
  /** WebSocket implementation; defaults to the global one. In Node 20 pass `WebSocket` from `ws`. */
  webSocket?: WebSocketConstructor;
  /** Network and page hints; defaults to the browser's, or none outside a browser. */
  connectivity?: ConnectivitySignals;
  /** Sent in `hello` so the server can tell clients apart. */
  clientInfo?: { name: string; version: string };
  /**
   * Opt-in features (docs/client.md#features): withOutbox() for send(), withRequests() for request(),
   * withResumeStorage() to resume across page reloads, withTokenRefresh() to refresh the token on the
   * open connection. Each at most once. What a client is created without stays out of the bundle.
   */
  features?: readonly HeartbeatClientFeature[];
}

/** The default timeout of withRequests(): long enough for a handler that queries a database, short enough for a user to wait. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** Options of one `request()`. */
export interface HeartbeatRequestOptions {
  /** How long to wait, from the call, for a connection and then for the answer, ms. Default: withRequests()' `timeout`. */
  readonly timeout?: number;
}

export const NETWORK_PRESETS: Readonly<Record<NetworkPreset, Readonly<Partial<HeartbeatTimingOptions>>>> = Object.freeze({
  /** The default timing options (docs/client.md#options). */
  stable: Object.freeze({}),
  /** More attempts and more patience: lossy links where a pong may take long to come back. */
  unstable: Object.freeze({
    maxReconnectAttempts: 10,
    maxReconnectInterval: 60_000,
    pongTimeout: 20_000,
    connectTimeout: 20_000,
  }),
  /**
   * Frequent heartbeat so that carrier NAT and proxies do not drop an idle link, and a dead link is
   * noticed sooner; auto-reconnect stays on.
   */
  mobile: Object.freeze({
    maxReconnectAttempts: 8,
    pingInterval: 15_000,
    pongTimeout: 8_000,
    connectTimeout: 15_000,
  }),
});

export const DEFAULT_TIMING: Readonly<HeartbeatTimingOptions> = CLIENT_DEFAULTS;
