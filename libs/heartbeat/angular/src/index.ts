export {
  HeartbeatFeatureKind,
  provideHeartbeat,
  withClientFactory,
  withConnectOnStart,
  withDebug,
  withNetworkPreset,
  withOutbox,
  withPresence,
  withRequests,
  withResumeStorage,
  withStatusTexts,
  withTokenProvider,
  withTokenRefresh,
} from './lib/heartbeat.providers.js';
export type { HeartbeatFeature } from './lib/heartbeat.providers.js';
export {
  DEFAULT_HEARTBEAT_URL,
  HEARTBEAT_CLIENT_FACTORY,
  HEARTBEAT_CLIENT_OPTIONS,
  HEARTBEAT_CONFIG,
  HEARTBEAT_CONNECT_ON_START,
} from './lib/heartbeat.tokens.js';
export type { HeartbeatClientFactory, HeartbeatConfig, HeartbeatTokenFactory } from './lib/heartbeat.tokens.js';
export {
  HEARTBEAT_STATUS_TEXTS,
  HEARTBEAT_STATUS_TEXTS_EN,
  HEARTBEAT_STATUS_TEXTS_ZH_CN,
  statusTextsForLocale,
} from './lib/heartbeat-status.texts.js';
export type { HeartbeatStatusTexts, HeartbeatStatusTextsOverride } from './lib/heartbeat-status.texts.js';
export { WebSocketStore } from './lib/web-socket.store.js';
export { WebSocketStatusComponent } from './lib/web-socket-status.component.js';
export type { StatusPanelAlign } from './lib/status-panel-placement.js';
export { HeartbeatRequestError, HeartbeatSendError, HeartbeatTopicError } from '@heartbeat/client';
export type {
  ConnectionPhase,
  ConnectionStatus,
  HeartbeatClientApi,
  HeartbeatClientEventMap,
  HeartbeatClientEventName,
  HeartbeatClientOptions,
  HeartbeatClientState,
  HeartbeatRequestErrorCode,
  HeartbeatRequestOptions,
  HeartbeatSendErrorCode,
  HeartbeatTopicErrorCode,
  NetworkPreset,
  OutboxLimits,
  PresenceMember,
  RequestsOptions,
  ResumeStorageOptions,
  ServerMessage,
  StorageLike,
  TopicEvent,
} from '@heartbeat/client';
