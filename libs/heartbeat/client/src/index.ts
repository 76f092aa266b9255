export type { HeartbeatClientApi } from './lib/heartbeat-client-api.js';
export { NETWORK_PRESETS, DEFAULT_TIMING } from './lib/client-options.js';
export type {
  HeartbeatClientOptions,
  HeartbeatLogger,
  HeartbeatTimingOptions,
  NetworkPreset,
  TokenProvider,
} from './lib/client-options.js';
export type { HeartbeatClientEventMap, HeartbeatClientEventName, TopicEvent } from './lib/client-events.js';
export { STATUS_OF_PHASE, initialClientState } from './lib/client-state.js';
export type { ConnectionPhase, ConnectionStatus, HeartbeatClientState, LastErrorKind } from './lib/client-state.js';
export { browserConnectivitySignals } from './lib/connectivity-signals.js';
export type { ConnectivitySignals } from './lib/connectivity-signals.js';
export { SocketReadyState } from './lib/web-socket-like.js';
export type { WebSocketConstructor, WebSocketLike } from './lib/web-socket-like.js';
export { HeartbeatClient } from './lib/heartbeat-client.js';
export { HeartbeatClientOptionsError, TIMING_OPTION_NAMES, resolveUrl, timingOptionProblem } from './lib/resolve-client-options.js';
export { ConnectionFailure } from './lib/connection-failure.js';
export type { ConnectionFailureKind, ConnectStage } from './lib/connection-failure.js';
export { decideRetry, MAX_RETRY_HINT_MS } from './lib/retry-policy.js';
export type { RetryContext, RetryDecision } from './lib/retry-policy.js';
export { HeartbeatSendError } from './lib/heartbeat-send-error.js';
export type { HeartbeatSendErrorCode } from './lib/heartbeat-send-error.js';
export { DEFAULT_OUTBOX_LIMITS } from './lib/outbox.js';
export type { OutboxLimits } from './lib/outbox.js';
export { RESUME_KEY_PREFIX, RESUME_WRITE_INTERVAL_MS } from './lib/resume-store.js';
export type { StorageLike, TopicPosition } from './lib/resume-store.js';
export { TOKEN_REFRESH_MAX_RETRIES, TOKEN_REFRESH_MIN_MARGIN_MS, TOKEN_REFRESH_MARGIN_SHARE, tokenRefreshDelay } from './lib/token-refresh.js';
export type { BroadcastChannelFactory, BroadcastChannelLike } from './lib/session-claims.js';
