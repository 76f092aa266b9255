import { InjectionToken } from '@angular/core';
import { HeartbeatClient, type HeartbeatClientApi, type HeartbeatClientFeature, type HeartbeatClientOptions } from '@heartbeat/client';
import { DEFAULT_WS_PATH } from '@heartbeat/protocol';
import type { Observable } from 'rxjs';

/**
 * What `provideHeartbeat()` takes: the client's options, with `url` optional because most apps are
 * served by the same server as the WebSocket endpoint.
 */
export type HeartbeatConfig = Omit<HeartbeatClientOptions, 'url'> & {
  /** Server endpoint; default `/ws` on the page's own origin (ws:// or wss:// to match the page). */
  readonly url?: string;
};

/** Creates the client the store wraps; replace it to use a custom or fake client. */
export type HeartbeatClientFactory = (options: HeartbeatClientOptions) => HeartbeatClientApi;

/**
 * Returns the token for one connection attempt. Runs in an injection context, so it may call
 * `inject()`; it may return the token, a Promise or an Observable of it (the first value counts).
 */
export type HeartbeatTokenFactory = () =>
  | string
  | null
  | undefined
  | PromiseLike<string | null | undefined>
  | Observable<string | null | undefined>;

// Each token's name is for Angular's development-mode errors: an Angular CLI production build
// (`ngDevMode` false) drops it, as Angular does with its own tokens.

/** The server module's default path, so that a default server and a default client meet. */
export const DEFAULT_HEARTBEAT_URL = DEFAULT_WS_PATH;

/** The config given to `provideHeartbeat()`, as given. */
export const HEARTBEAT_CONFIG = new InjectionToken<HeartbeatConfig>(
  typeof ngDevMode === 'undefined' || ngDevMode ? 'HEARTBEAT_CONFIG' : '',
);

/** Options handed to the client factory: the config with every feature applied. */
export const HEARTBEAT_CLIENT_OPTIONS = new InjectionToken<HeartbeatClientOptions>(
  typeof ngDevMode === 'undefined' || ngDevMode ? 'HEARTBEAT_CLIENT_OPTIONS' : '',
);

export const HEARTBEAT_CLIENT_FACTORY = new InjectionToken<HeartbeatClientFactory>(
  typeof ngDevMode === 'undefined' || ngDevMode ? 'HEARTBEAT_CLIENT_FACTORY' : '',
  {
    providedIn: 'root',
    factory: () => (options) => new HeartbeatClient(options),
  },
);

/** Connect (with auto-reconnect on) as soon as the injector that provides Heartbeat starts. */
export const HEARTBEAT_CONNECT_ON_START = new InjectionToken<boolean>(
  typeof ngDevMode === 'undefined' || ngDevMode ? 'HEARTBEAT_CONNECT_ON_START' : '',
  {
    providedIn: 'root',
    factory: () => false,
  },
);

/** Set by withNetworkPreset(). */
export const HEARTBEAT_NETWORK_PRESET = new InjectionToken<HeartbeatClientOptions['preset']>(
  typeof ngDevMode === 'undefined' || ngDevMode ? 'HEARTBEAT_NETWORK_PRESET' : '',
);
/** Set by withTokenProvider(). */
export const HEARTBEAT_TOKEN_FACTORY = new InjectionToken<HeartbeatTokenFactory>(
  typeof ngDevMode === 'undefined' || ngDevMode ? 'HEARTBEAT_TOKEN_FACTORY' : '',
);
/** Set by withOutbox(), withPresence(), withRequests(), withResumeStorage(), withTokenRefresh(): the client's features. */
export const HEARTBEAT_CLIENT_FEATURES = new InjectionToken<readonly HeartbeatClientFeature[]>(
  typeof ngDevMode === 'undefined' || ngDevMode ? 'HEARTBEAT_CLIENT_FEATURES' : '',
);
/** Set by withDebug(). */
export const HEARTBEAT_DEBUG = new InjectionToken<NonNullable<HeartbeatClientOptions['debug']>>(
  typeof ngDevMode === 'undefined' || ngDevMode ? 'HEARTBEAT_DEBUG' : '',
);
