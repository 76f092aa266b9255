export { Clock } from './lib/clock.js';
export { ConnectionDrainer } from './lib/core/connection-drainer.js';
export type { DrainState } from './lib/core/connection-drainer.js';
export { ConnectionRegistry } from './lib/core/connection-registry.js';
export { HeartbeatCounters } from './lib/core/heartbeat-counters.js';
export { LifecycleEvents } from './lib/core/lifecycle-events.js';
export { FrameRouter } from './lib/core/frame-router.js';
export { ProtocolViolations } from './lib/core/protocol-violations.js';
export type { PeerTransport } from './lib/core/peer-transport.js';
export type { CoreClock, TimerHandle, TimerOptions } from './lib/core/clock.port.js';
export { HeartbeatGateway } from './lib/heartbeat.gateway.js';
export { HEARTBEAT_OPTIONS } from './lib/heartbeat.constants.js';
export { HeartbeatMessages } from './lib/core/heartbeat.messages.js';
export { HeartbeatModule } from './lib/heartbeat.module.js';
export {
  HEARTBEAT_ASYNC_OPTIONS_TYPE,
  HEARTBEAT_MODULE_OPTIONS,
  HEARTBEAT_OPTIONS_TYPE,
} from './lib/heartbeat.module-definition.js';
export { HeartbeatService } from './lib/heartbeat.service.js';
export type { ConnectionDetails, HeartbeatStats, HeartbeatTotals, NodeStats } from '@heartbeat/protocol';
export { HeartbeatConnection, assertCloseFrame } from './lib/core/heartbeat-connection.js';
export type { ConnectionContext, ConnectionPhase, ConnectionState } from './lib/core/heartbeat-connection.js';
export type { HeartbeatClientMessage, HeartbeatLifecycleEvent, HeartbeatSample } from './lib/core/heartbeat-events.js';
export type {
  HeartbeatAuthContext,
  HeartbeatModuleOptions,
  HeartbeatRateLimitOptions,
  HeartbeatRedisOptions,
  HeartbeatReplayOptions,
  ResolvedHeartbeatOptions,
  TokenVerdict,
  VerifyToken,
} from './lib/core/heartbeat-options.interface.js';
export { HeartbeatOptionsError, resolveHeartbeatOptions } from './lib/heartbeat-options.validator.js';
export {
  ADDRESS_LIMIT_RETRY_AFTER_MS,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_RETAINED_SESSIONS,
  DEFAULT_MESSAGE_DEDUPE_WINDOW,
  DEFAULT_RATE_LIMIT,
  DEFAULT_REDIS,
  REFUSED_UPGRADE_LOG_INTERVAL_MS,
} from './lib/core/heartbeat-defaults.js';
export { AddressConnectionLimiter } from './lib/core/address-connection-limiter.js';
export { FrameRateLimiter } from './lib/core/frame-rate-limiter.js';
export { TokenBucket } from './lib/core/token-bucket.js';
export type { TokenRate } from './lib/core/token-bucket.js';
export { TokenExpiry } from './lib/core/token-expiry.js';
export { decideToken } from './lib/core/token-verdict.js';
export type { TokenDecision } from './lib/core/token-verdict.js';
export { HeartbeatSession } from './lib/core/heartbeat-session.js';
export { HeartbeatSocket, connectionOf } from './lib/heartbeat-socket.js';
export { HeartbeatSweeper } from './lib/core/heartbeat-sweeper.js';
export { HeartbeatWsAdapter } from './lib/heartbeat-ws.adapter.js';
export { PingScheduler } from './lib/core/ping-scheduler.js';
export { SessionRegistry } from './lib/core/session-registry.js';
export type { SessionAttachment } from './lib/core/session-registry.js';
export { TopicBroker } from './lib/topic-broker.js';
export type { LocalTopic, PublishResult, TopicSnapshot } from './lib/topic-broker.js';
export { InMemoryTopicBroker } from './lib/in-memory-topic-broker.js';
export { HeartbeatCluster, LocalCluster } from './lib/heartbeat-cluster.js';
export type { ClusterStatus } from './lib/heartbeat-cluster.js';
export { LocalStats } from './lib/local-stats.js';
export { sumTotals } from './lib/redis/sum-totals.js';
