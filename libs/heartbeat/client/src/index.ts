export { HeartbeatClient } from './lib/heartbeat-client.js';
export type { HeartbeatClientApi } from './lib/heartbeat-client-api.js';
export { DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_TIMING, NETWORK_PRESETS } from './lib/client-options.js';
export type {
  HeartbeatClientOptions,
  HeartbeatLogger,
  HeartbeatRequestOptions,
  HeartbeatTimingOptions,
  NetworkPreset,
  TokenProvider,
} from './lib/client-options.js';
export { HeartbeatClientOptionsError, TIMING_OPTION_NAMES, timingOptionProblem } from './lib/resolve-client-options.js';
export { STATUS_OF_PHASE } from './lib/client-state.js';
export type { ConnectionPhase, ConnectionStatus, HeartbeatClientState, LastErrorKind } from './lib/client-state.js';
export type { HeartbeatClientEventMap, HeartbeatClientEventName, ServerMessage, TopicEvent } from './lib/client-events.js';
export { ConnectionFailure } from './lib/connection-failure.js';
export type { ConnectionFailureKind } from './lib/connection-failure.js';
export { HeartbeatSendError } from './lib/heartbeat-send-error.js';
export type { HeartbeatSendErrorCode } from './lib/heartbeat-send-error.js';
export { HeartbeatRequestError } from './lib/heartbeat-request-error.js';
export type { HeartbeatRequestErrorCode } from './lib/heartbeat-request-error.js';
export { HeartbeatTopicError } from './lib/heartbeat-topic-error.js';
export type { HeartbeatTopicErrorCode } from './lib/heartbeat-topic-error.js';
export { isValidTopicName, topicNameProblem } from '@heartbeat/protocol';
export type { PresenceMember } from '@heartbeat/protocol';
export type { ClientFeatureKind, HeartbeatClientFeature } from './lib/client-feature.js';
export { withNodeDiagnostics } from './lib/node-diagnostics.feature.js';
export { withOutbox } from './lib/outbox.feature.js';
export type { OutboxLimits } from './lib/outbox.js';
export { withPresence } from './lib/presence.feature.js';
export { withRequests } from './lib/requests.feature.js';
export type { RequestsOptions } from './lib/requests.feature.js';
export { withResumeStorage } from './lib/resume-storage.feature.js';
export type { ResumeStorageOptions } from './lib/resume-storage.feature.js';
export { withTokenRefresh } from './lib/token-refresh.feature.js';
export { RESUME_KEY_PREFIX } from './lib/resume-store.js';
export type { StorageLike } from './lib/resume-store.js';
export type { BroadcastChannelFactory, BroadcastChannelLike } from './lib/session-claims.js';
export { browserConnectivitySignals } from './lib/connectivity-signals.js';
export type { ConnectivitySignals } from './lib/connectivity-signals.js';
export type { WebSocketConstructor, WebSocketLike } from './lib/web-socket-like.js';
