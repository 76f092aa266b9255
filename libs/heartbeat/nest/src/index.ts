export { Clock } from './lib/clock.js';
export { ConnectionDrainer } from './lib/connection-drainer.js';
export type { DrainState } from './lib/connection-drainer.js';
export { ConnectionRegistry } from './lib/connection-registry.js';
export type { HeartbeatCounters } from './lib/connection-registry.js';
export { HeartbeatGateway } from './lib/heartbeat.gateway.js';
export { HEARTBEAT_OPTIONS } from './lib/heartbeat.constants.js';
export { HeartbeatMessages } from './lib/heartbeat.messages.js';
export { HeartbeatModule } from './lib/heartbeat.module.js';
export {
  HEARTBEAT_ASYNC_OPTIONS_TYPE,
  HEARTBEAT_MODULE_OPTIONS,
  HEARTBEAT_OPTIONS_TYPE,
} from './lib/heartbeat.module-definition.js';
export { HeartbeatService } from './lib/heartbeat.service.js';
export type { ConnectionDetails, HeartbeatStats, HeartbeatTotals, NodeStats } from '@heartbeat/protocol';
export { HeartbeatConnection, assertCloseFrame } from './lib/heartbeat-connection.js';
export type { ConnectionState, SendBufferLimit } from './lib/heartbeat-connection.js';
export type { HeartbeatClientMessage, HeartbeatLifecycleEvent, HeartbeatSample } from './lib/heartbeat-events.js';
export type {
  HeartbeatAuthContext,
  HeartbeatModuleOptions,
  HeartbeatRateLimitOptions,
  HeartbeatRedisOptions,
  HeartbeatReplayOptions,
  ResolvedHeartbeatOptions,
  TokenVerdict,
  VerifyToken,
} from './lib/heartbeat-options.interface.js';
export { HeartbeatOptionsError, resolveHeartbeatOptions } from './lib/heartbeat-options.validator.js';
export {
  ADDRESS_LIMIT_RETRY_AFTER_MS,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_RETAINED_SESSIONS,
  DEFAULT_MESSAGE_DEDUPE_WINDOW,
  DEFAULT_RATE_LIMIT,
  DEFAULT_REDIS,
  REFUSED_UPGRADE_LOG_INTERVAL_MS,
} from './lib/heartbeat-defaults.js';
export { AddressConnectionLimiter } from './lib/address-connection-limiter.js';
export { FrameRateLimiter } from './lib/frame-rate-limiter.js';
export { TokenBucket } from './lib/token-bucket.js';
export type { TokenRate } from './lib/token-bucket.js';
export { TokenExpiry } from './lib/token-expiry.js';
export { decideToken } from './lib/token-verdict.js';
export type { TokenDecision } from './lib/token-verdict.js';
export { HeartbeatSession } from './lib/heartbeat-session.js';
export { HeartbeatSocket, connectionOf } from './lib/heartbeat-socket.js';
export { HeartbeatSweeper } from './lib/heartbeat-sweeper.js';
export { HeartbeatWsAdapter } from './lib/heartbeat-ws.adapter.js';
export { PingScheduler } from './lib/ping-scheduler.js';
export { SessionRegistry } from './lib/session-registry.js';
export type { SessionAttachment } from './lib/session-registry.js';
export { Backplane } from './lib/core/backplane.js';
export type {
  BackplaneEvent,
  ClusterStatus,
  ControlAnswers,
  ControlReply,
  ControlRequest,
  EventPosition,
  LocalNode,
  NodeReport,
  TopicHistory,
} from './lib/core/backplane.js';
export { MemoryBackplane } from './lib/core/memory-backplane.js';
export type { MemoryBackplaneOptions } from './lib/core/memory-backplane.js';
export type { PublishResult } from './lib/core/topic-hub.js';
export { TopicBroker } from './lib/topic-broker.js';
export { InMemoryTopicBroker } from './lib/in-memory-topic-broker.js';
export { HeartbeatCluster } from './lib/heartbeat-cluster.js';
export { LocalStats } from './lib/local-stats.js';
export { sumTotals } from './lib/redis/sum-totals.js';
