import { Module } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from './clock.js';
import { AddressConnectionLimiter } from './address-connection-limiter.js';
import { ConnectionDrainer } from './connection-drainer.js';
import { ConnectionRegistry } from './connection-registry.js';
import { HandshakeService } from './handshake.service.js';
import { HEARTBEAT_OPTIONS, HEARTBEAT_SCHEDULER } from './heartbeat.constants.js';
import { HeartbeatGateway } from './heartbeat.gateway.js';
import { HEARTBEAT_MODULE_OPTIONS, HeartbeatConfigurableModule } from './heartbeat.module-definition.js';
import { HeartbeatService } from './heartbeat.service.js';
import type { HeartbeatModuleOptions } from './heartbeat-options.interface.js';
import { resolveHeartbeatOptions } from './heartbeat-options.validator.js';
import { HeartbeatSweeper } from './heartbeat-sweeper.js';
import { FrameRateLimiter } from './frame-rate-limiter.js';
import { MessageInbox } from './message-inbox.js';
import { PingScheduler } from './ping-scheduler.js';
import { SessionRegistry } from './session-registry.js';
import { TokenExpiry } from './token-expiry.js';
import { Backplane } from './core/backplane.js';
import { MemoryBackplane } from './core/memory-backplane.js';
import { TopicHub } from './core/topic-hub.js';
import { HeartbeatCluster } from './heartbeat-cluster.js';
import { LocalStats } from './local-stats.js';
import { RedisBackplane } from './redis/redis-backplane.js';
import { RedisLink } from './redis/redis-link.js';
import { TopicHubProvider } from './topic-hub.provider.js';
import { hostname } from 'node:os';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';

/**
 * WebSocket heartbeat for Nest: `HeartbeatModule.forRoot(options)` or `forRootAsync({ useFactory, inject })`,
 * plus `app.useWebSocketAdapter(new HeartbeatWsAdapter(app))` in `main.ts`. Inject `HeartbeatService`.
 */
@Module({
  providers: [
    {
      provide: HEARTBEAT_SCHEDULER,
      useFactory: (registry?: SchedulerRegistry) => registry ?? new SchedulerRegistry(),
      inject: [{ token: SchedulerRegistry, optional: true }],
    },
    {
      provide: HEARTBEAT_OPTIONS,
      useFactory: (options: HeartbeatModuleOptions) => resolveHeartbeatOptions(options),
      inject: [HEARTBEAT_MODULE_OPTIONS],
    },
    Clock,
    ConnectionRegistry,
    PingScheduler,
    HeartbeatSweeper,
    {
      provide: Backplane,
      // In memory mode nothing of Redis (ioredis included) is loaded.
      useFactory: (options: ResolvedHeartbeatOptions, scheduler: SchedulerRegistry, clock: Clock) =>
        options.redis
          ? new RedisBackplane(new RedisLink(options.redis, scheduler, clock), options, scheduler, clock)
          : new MemoryBackplane({ nodeId: `${hostname()}-${process.pid}`, replay: options.replay, clock }),
      inject: [HEARTBEAT_OPTIONS, HEARTBEAT_SCHEDULER, Clock],
    },
    { provide: TopicHub, useClass: TopicHubProvider },
    HeartbeatCluster,
    LocalStats,
    SessionRegistry,
    ConnectionDrainer,
    FrameRateLimiter,
    AddressConnectionLimiter,
    TokenExpiry,
    HandshakeService,
    MessageInbox,
    HeartbeatService,
    HeartbeatGateway,
  ],
  exports: [HeartbeatService, HEARTBEAT_OPTIONS],
})
export class HeartbeatModule extends HeartbeatConfigurableModule {}
