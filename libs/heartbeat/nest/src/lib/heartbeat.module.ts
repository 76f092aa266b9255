import { CloseCode } from '@heartbeat/protocol';
import { Logger, Module, type Type } from '@nestjs/common';
import { DiscoveryModule, ModuleRef } from '@nestjs/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { hostname } from 'node:os';
import { Clock } from './clock.js';
import { AddressConnectionLimiter } from './core/address-connection-limiter.js';
import type { CoreClock } from './core/clock.port.js';
import { ConnectionDrainer } from './core/connection-drainer.js';
import { ConnectionRegistry } from './core/connection-registry.js';
import { FrameRateLimiter } from './core/frame-rate-limiter.js';
import { FrameRouter } from './core/frame-router.js';
import { HandshakeService } from './core/handshake.service.js';
import { HeartbeatCounters } from './core/heartbeat-counters.js';
import type { HeartbeatModuleOptions, ResolvedHeartbeatOptions } from './core/heartbeat-options.interface.js';
import { HeartbeatSweeper } from './core/heartbeat-sweeper.js';
import { LifecycleEvents } from './core/lifecycle-events.js';
import type { CoreLogger } from './core/logger.port.js';
import { MessageInbox } from './core/message-inbox.js';
import { PingScheduler } from './core/ping-scheduler.js';
import { ProtocolViolations } from './core/protocol-violations.js';
import { MemorySessionStore } from './core/memory-session-store.js';
import { SessionRegistry } from './core/session-registry.js';
import { SessionStore } from './core/session-store.js';
import { TokenExpiry } from './core/token-expiry.js';
import { HEARTBEAT_LOGGER, HEARTBEAT_OPTIONS, HEARTBEAT_REDIS_LINK, HEARTBEAT_SCHEDULER } from './heartbeat.constants.js';
import { HeartbeatGateway } from './heartbeat.gateway.js';
import { HEARTBEAT_MODULE_OPTIONS, HeartbeatConfigurableModule } from './heartbeat.module-definition.js';
import { HeartbeatService } from './heartbeat.service.js';
import { HeartbeatHandlers } from './heartbeat-handlers.js';
import { HeartbeatLifecycle } from './heartbeat-lifecycle.js';
import { resolveHeartbeatOptions } from './heartbeat-options.validator.js';
import { Backplane } from './core/backplane.js';
import { MemoryBackplane } from './core/memory-backplane.js';
import { MemoryPresenceManager } from './core/memory-presence-manager.js';
import { PresenceManager } from './core/presence-manager.js';
import { TopicPresence } from './core/topic-presence.js';
import { errorText, HeartbeatMessages } from './core/heartbeat.messages.js';
import { TopicHub } from './core/topic-hub.js';
import { TopicAccess } from './core/topic-access.js';
import { TopicGate } from './core/topic-gate.js';
import { HeartbeatCluster } from './heartbeat-cluster.js';
import { LocalStats } from './local-stats.js';
import { NestClock } from './nest-clock.js';
import { RedisBackplane } from './redis/redis-backplane.js';
import { RedisLink } from './redis/redis-link.js';
import { RedisPresenceManager } from './redis/redis-presence-manager.js';
import { type LiveSession, RedisSessionStore } from './redis/redis-session-store.js';
import { TopicHubProvider } from './topic-hub.provider.js';

type Options = ResolvedHeartbeatOptions;

/**
 * A provider that Nest makes after the one that needs it (it needs that one in turn): looked up once,
 * on first use. ModuleRef.get throws for a provider the module lacks, so the result is never missing.
 */
function later<T>(moduleRef: ModuleRef, token: Type<T>): () => T {
  let found: { instance: T } | undefined;
  return () => (found ??= { instance: moduleRef.get(token) }).instance;
}

/**
 * WebSocket heartbeat for Nest: `HeartbeatModule.forRoot(options)` or `forRootAsync({ useFactory, inject })`,
 * plus `app.useWebSocketAdapter(new HeartbeatWsAdapter(app))` in `main.ts`. Inject `HeartbeatService`.
 *
 * The server core (./core, docs/server.md#architecture) imports nothing of Nest: its objects are
 * built here, by factories, and HeartbeatLifecycle ties them to the application's lifecycle.
 */
@Module({
  // DiscoveryModule finds the application's @HeartbeatHandler methods (HeartbeatHandlers).
  imports: [DiscoveryModule],
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
    { provide: HEARTBEAT_LOGGER, useFactory: (): CoreLogger => new Logger('Heartbeat') },
    Clock,
    {
      provide: NestClock,
      useFactory: (clock: Clock, scheduler: SchedulerRegistry) => new NestClock(clock, scheduler),
      inject: [Clock, HEARTBEAT_SCHEDULER],
    },
    { provide: HeartbeatCounters, useFactory: () => new HeartbeatCounters() },
    { provide: LifecycleEvents, useFactory: () => new LifecycleEvents() },
    {
      provide: PingScheduler,
      useFactory: (options: Options, clock: CoreClock, counters: HeartbeatCounters, events: LifecycleEvents, logger: CoreLogger) =>
        new PingScheduler(options, clock, counters, events, logger),
      inject: [HEARTBEAT_OPTIONS, NestClock, HeartbeatCounters, LifecycleEvents, HEARTBEAT_LOGGER],
    },
    {
      provide: SessionStore,
      // ConnectionRegistry is made after it: looked up once, at the first keep-alive.
      useFactory: (options: Options, link: RedisLink | null, scheduler: SchedulerRegistry, clock: CoreClock, moduleRef: ModuleRef, logger: CoreLogger) => {
        if (!link) return new MemorySessionStore(options, clock);
        const registry = later(moduleRef, ConnectionRegistry);
        return new RedisSessionStore(link, options, scheduler, clock, {
          live: () => liveSessions(registry()),
          // Closed as the request of the node that took the session would have closed it.
          taken: ({ sessionId, connectionId }, nodeId) => {
            const connection = registry().getById(connectionId);
            if (!connection?.isOpen) return;
            logger.warn(HeartbeatMessages.logTakenElsewhere(connectionId, sessionId, nodeId));
            connection.close(CloseCode.HeartbeatTimeout, HeartbeatMessages.closeSuperseded());
          },
        });
      },
      inject: [HEARTBEAT_OPTIONS, HEARTBEAT_REDIS_LINK, HEARTBEAT_SCHEDULER, NestClock, ModuleRef, HEARTBEAT_LOGGER],
    },
    {
      provide: SessionRegistry,
      // ConnectionRegistry and HeartbeatCluster are made after it (they need it, through the registry's
      // releasers): each looked up once, when a hello first needs it.
      useFactory: (options: Options, clock: CoreClock, moduleRef: ModuleRef, store: SessionStore, logger: CoreLogger) => {
        const registry = later(moduleRef, ConnectionRegistry);
        const cluster = later(moduleRef, HeartbeatCluster);
        return new SessionRegistry(
          options,
          clock,
          (id) => registry().getById(id),
          store,
          ({ nodeId, connectionId }, by, sessionId) => {
            // Not awaited: the hello goes on. One line when the request is settled: a node that died has
            // nothing to close and answers nothing; one that is running and did not hear it drops the
            // connection at the session's keep-alive (RedisSessionStore).
            const said = (outcome: string) => logger.warn(HeartbeatMessages.logSupersededElsewhere(connectionId, nodeId, by, sessionId, outcome));
            void cluster()
              .disconnect(connectionId, CloseCode.HeartbeatTimeout, HeartbeatMessages.closeSuperseded(by))
              .then(
                (closed) => said(closed ? HeartbeatMessages.supersedeDone() : HeartbeatMessages.supersedeUnanswered()),
                (error: unknown) => said(HeartbeatMessages.supersedeFailed(errorText(error))),
              );
          },
        );
      },
      inject: [HEARTBEAT_OPTIONS, NestClock, ModuleRef, SessionStore, HEARTBEAT_LOGGER],
    },
    {
      provide: AddressConnectionLimiter,
      useFactory: (options: Options, clock: CoreClock, counters: HeartbeatCounters, events: LifecycleEvents, logger: CoreLogger) =>
        new AddressConnectionLimiter(options, clock, counters, events, logger),
      inject: [HEARTBEAT_OPTIONS, NestClock, HeartbeatCounters, LifecycleEvents, HEARTBEAT_LOGGER],
    },
    {
      provide: ConnectionRegistry,
      // The order a closed connection is released in (docs/server.md#architecture).
      useFactory: (
        options: Options,
        clock: CoreClock,
        events: LifecycleEvents,
        counters: HeartbeatCounters,
        logger: CoreLogger,
        pings: PingScheduler,
        sessions: SessionRegistry,
        addresses: AddressConnectionLimiter,
        topics: TopicHub,
      ) => new ConnectionRegistry(options, clock, events, counters, logger, { pings, sessions, addresses, topics }),
      inject: [
        HEARTBEAT_OPTIONS,
        NestClock,
        LifecycleEvents,
        HeartbeatCounters,
        HEARTBEAT_LOGGER,
        PingScheduler,
        SessionRegistry,
        AddressConnectionLimiter,
        TopicHub,
      ],
    },
    {
      provide: HeartbeatSweeper,
      useFactory: (options: Options, registry: ConnectionRegistry, pings: PingScheduler, clock: CoreClock, counters: HeartbeatCounters) =>
        new HeartbeatSweeper(options, registry, pings, clock, counters),
      inject: [HEARTBEAT_OPTIONS, ConnectionRegistry, PingScheduler, NestClock, HeartbeatCounters],
    },
    {
      provide: ConnectionDrainer,
      useFactory: (options: Options, registry: ConnectionRegistry, events: LifecycleEvents, clock: CoreClock, logger: CoreLogger) =>
        new ConnectionDrainer(options, registry, events, clock, logger),
      inject: [HEARTBEAT_OPTIONS, ConnectionRegistry, LifecycleEvents, NestClock, HEARTBEAT_LOGGER],
    },
    {
      provide: TokenExpiry,
      useFactory: (clock: CoreClock, counters: HeartbeatCounters, events: LifecycleEvents, logger: CoreLogger) =>
        new TokenExpiry(clock, counters, events, logger),
      inject: [NestClock, HeartbeatCounters, LifecycleEvents, HEARTBEAT_LOGGER],
    },
    {
      provide: FrameRateLimiter,
      useFactory: (options: Options, counters: HeartbeatCounters, events: LifecycleEvents, logger: CoreLogger) =>
        new FrameRateLimiter(options, counters, events, logger),
      inject: [HEARTBEAT_OPTIONS, HeartbeatCounters, LifecycleEvents, HEARTBEAT_LOGGER],
    },
    { provide: ProtocolViolations, useFactory: (options: Options) => new ProtocolViolations(options), inject: [HEARTBEAT_OPTIONS] },
    {
      provide: MessageInbox,
      useFactory: (sessions: SessionRegistry, counters: HeartbeatCounters) => new MessageInbox(sessions, counters),
      inject: [SessionRegistry, HeartbeatCounters],
    },
    {
      provide: HEARTBEAT_REDIS_LINK,
      // In memory mode nothing of Redis (ioredis included) is loaded.
      useFactory: (options: Options, scheduler: SchedulerRegistry, clock: Clock) =>
        options.redis ? new RedisLink(options.redis, scheduler, clock) : null,
      inject: [HEARTBEAT_OPTIONS, HEARTBEAT_SCHEDULER, Clock],
    },
    {
      provide: Backplane,
      useFactory: (options: Options, link: RedisLink | null, scheduler: SchedulerRegistry, clock: Clock) =>
        link
          ? new RedisBackplane(link, options, scheduler, clock)
          : new MemoryBackplane({ nodeId: `${hostname()}-${process.pid}`, replay: options.replay, clock }),
      inject: [HEARTBEAT_OPTIONS, HEARTBEAT_REDIS_LINK, HEARTBEAT_SCHEDULER, Clock],
    },
    {
      provide: PresenceManager,
      useFactory: (link: RedisLink | null, scheduler: SchedulerRegistry) =>
        link ? new RedisPresenceManager(link, scheduler) : new MemoryPresenceManager(),
      inject: [HEARTBEAT_REDIS_LINK, HEARTBEAT_SCHEDULER],
    },
    {
      provide: TopicPresence,
      useFactory: (options: Options, manager: PresenceManager, clock: CoreClock, logger: CoreLogger) =>
        new TopicPresence(manager, { patterns: options.presence, clock, logger, messages: HeartbeatMessages }),
      inject: [HEARTBEAT_OPTIONS, PresenceManager, NestClock, HEARTBEAT_LOGGER],
    },
    { provide: TopicHub, useClass: TopicHubProvider },
    {
      provide: TopicGate,
      // Every way onto a topic passes the gate (docs/server.md#topic-authorization).
      useFactory: (options: Options, hub: TopicHub, logger: CoreLogger) => new TopicGate(new TopicAccess(options.authorize), hub, logger, options.maxTopicsPerConnection),
      inject: [HEARTBEAT_OPTIONS, TopicHub, HEARTBEAT_LOGGER],
    },
    HeartbeatCluster,
    HeartbeatHandlers,
    {
      provide: HandshakeService,
      useFactory: (
        options: Options,
        clock: CoreClock,
        counters: HeartbeatCounters,
        events: LifecycleEvents,
        logger: CoreLogger,
        pings: PingScheduler,
        topics: TopicGate,
        sessions: SessionRegistry,
        drainer: ConnectionDrainer,
        expiry: TokenExpiry,
        violations: ProtocolViolations,
      ) => new HandshakeService(options, clock, counters, events, logger, { pings, topics, sessions, drainer, expiry, violations }),
      inject: [
        HEARTBEAT_OPTIONS,
        NestClock,
        HeartbeatCounters,
        LifecycleEvents,
        HEARTBEAT_LOGGER,
        PingScheduler,
        TopicGate,
        SessionRegistry,
        ConnectionDrainer,
        TokenExpiry,
        ProtocolViolations,
      ],
    },
    {
      provide: FrameRouter,
      useFactory: (
        registry: ConnectionRegistry,
        clock: CoreClock,
        logger: CoreLogger,
        handshake: HandshakeService,
        pings: PingScheduler,
        topics: TopicGate,
        inbox: MessageInbox,
        requests: HeartbeatHandlers,
        drainer: ConnectionDrainer,
        rateLimiter: FrameRateLimiter,
        addressLimiter: AddressConnectionLimiter,
        violations: ProtocolViolations,
      ) =>
        new FrameRouter(registry, clock, logger, { handshake, pings, topics, inbox, requests, drainer, rateLimiter, addressLimiter, violations }),
      inject: [
        ConnectionRegistry,
        NestClock,
        HEARTBEAT_LOGGER,
        HandshakeService,
        PingScheduler,
        TopicGate,
        MessageInbox,
        HeartbeatHandlers,
        ConnectionDrainer,
        FrameRateLimiter,
        AddressConnectionLimiter,
        ProtocolViolations,
      ],
    },
    LocalStats,
    HeartbeatLifecycle,
    HeartbeatService,
    HeartbeatGateway,
  ],
  exports: [HeartbeatService, HEARTBEAT_OPTIONS],
})
export class HeartbeatModule extends HeartbeatConfigurableModule {}

/** The sessions attached on this node, for the Redis session store's keep-alive. */
function* liveSessions(registry: ConnectionRegistry): Iterable<LiveSession> {
  for (const connection of registry.values()) {
    const sessionId = connection.sessionId;
    if (connection.isOpen && sessionId !== undefined) yield { sessionId, userId: connection.userId, connectionId: connection.id };
  }
}
