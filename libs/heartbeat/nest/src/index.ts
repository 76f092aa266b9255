// The public API of @heartbeat/nest, one line each in docs/api.md. Everything else is internal and
// may change in any release.
export { HeartbeatModule } from './lib/heartbeat.module.js';
export type { HeartbeatModuleAsyncOptions } from './lib/heartbeat.module-definition.js';
export { HeartbeatWsAdapter } from './lib/heartbeat-ws.adapter.js';
export { HeartbeatService } from './lib/heartbeat.service.js';
export { HeartbeatHandler } from './lib/heartbeat-handler.decorator.js';
export type { HeartbeatRequestContext } from './lib/heartbeat-request-context.js';
export { HEARTBEAT_OPTIONS } from './lib/heartbeat.constants.js';
export { Clock } from './lib/clock.js';
export { HeartbeatOptionsError } from './lib/heartbeat-options.validator.js';
export type {
  AuthorizeTopic,
  HeartbeatAuthContext,
  HeartbeatModuleOptions,
  HeartbeatRateLimitOptions,
  HeartbeatRedisOptions,
  HeartbeatReplayOptions,
  ResolvedHeartbeatOptions,
  TokenVerdict,
  TopicAction,
  TopicRule,
  TopicRuleAllow,
  VerifyToken,
} from './lib/core/heartbeat-options.interface.js';
export type { HeartbeatIdentity } from './lib/core/heartbeat-identity.js';
export type { HeartbeatClientMessage, HeartbeatLifecycleEvent, HeartbeatSample } from './lib/core/heartbeat-events.js';
export type { PublishResult } from './lib/core/topic-hub.js';
export type { ClusterStatus } from './lib/core/backplane.js';
export type { ConnectionDetails, HeartbeatStats, HeartbeatTotals, NodeStats, PresenceMember } from '@heartbeat/protocol';
