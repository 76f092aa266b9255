/** Injection token of the validated options ({@link ResolvedHeartbeatOptions}). */
export const HEARTBEAT_OPTIONS = Symbol('HEARTBEAT_OPTIONS');

/** Marks the gateway's metadata so that HeartbeatWsAdapter applies the module's options to it. */
export const HEARTBEAT_GATEWAY = '__heartbeatGateway__';

/** Set on WebSocket servers created by HeartbeatWsAdapter. */
export const HEARTBEAT_SERVER = Symbol('HEARTBEAT_SERVER');

/** SchedulerRegistry names of the module's timers. */
export { PING_TICK_INTERVAL } from './core/ping-scheduler.js';
export { SWEEP_INTERVAL } from './core/heartbeat-sweeper.js';

/** Injection token of the server core's logger (Nest's `Logger` with the `Heartbeat` context). */
export const HEARTBEAT_LOGGER = Symbol('HEARTBEAT_LOGGER');

/**
 * The SchedulerRegistry the module registers its timers in: the application's own when it imports
 * ScheduleModule.forRoot(), otherwise a private one (importing ScheduleModule here would run the
 * application's @Interval/@Cron jobs twice).
 */
export const HEARTBEAT_SCHEDULER = Symbol('HEARTBEAT_SCHEDULER');

/** Injection token of the node's RedisLink in Redis mode (null in memory mode): the backplane and presence share it. */
export const HEARTBEAT_REDIS_LINK = Symbol('HEARTBEAT_REDIS_LINK');
