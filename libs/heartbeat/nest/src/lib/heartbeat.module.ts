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
import { TopicBroker } from './topic-broker.js';
import { InMemoryTopicBroker } from './in-memory-topic-broker.js';
import { HeartbeatCluster, LocalCluster } from './heartbeat-cluster.js';
import { LocalStats } from './local-stats.js';
import { RedisCluster } from './redis/redis-cluster.js';
import { RedisLink } from './redis/redis-link.js';
import { RedisTopicBroker } from './redis/redis-topic-broker.js';
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
      provide: RedisLink,
      // null in memory mode: nothing of Redis (ioredis included) is loaded then.
      useFactory: (options: ResolvedHeartbeatOptions, scheduler: SchedulerRegistry, clock: Clock) =>
        options.redis ? new RedisLink(options.redis, scheduler, clock) : null,
      inject: [HEARTBEAT_OPTIONS, HEARTBEAT_SCHEDULER, Clock],
    },
    {
      provide: TopicBroker,
      useFactory: (options: ResolvedHeartbeatOptions, registry: ConnectionRegistry, clock: Clock, link: RedisLink | null) =>
        link ? new RedisTopicBroker(options, registry, clock, link) : new InMemoryTopicBroker(options, registry, clock),
      inject: [HEARTBEAT_OPTIONS, ConnectionRegistry, Clock, RedisLink],
    },
    {
      provide: HeartbeatCluster,
      useFactory: (
        link: RedisLink | null,
        local: LocalStats,
        registry: ConnectionRegistry,
        broker: TopicBroker,
        scheduler: SchedulerRegistry,
        clock: Clock,
      ) =>
        link
          ? new RedisCluster(link, local, registry, broker as RedisTopicBroker, scheduler, clock)
          : new LocalCluster(`${hostname()}-${process.pid}`, local, registry, clock),
      inject: [RedisLink, LocalStats, ConnectionRegistry, TopicBroker, HEARTBEAT_SCHEDULER, Clock],
    },
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
