import { type BeforeApplicationShutdown, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { ConnectionDrainer } from './core/connection-drainer.js';
import { ConnectionRegistry } from './core/connection-registry.js';
import { HeartbeatSweeper } from './core/heartbeat-sweeper.js';
import { PingScheduler } from './core/ping-scheduler.js';

/**
 * The server core's part in Nest's lifecycle (docs/server.md#architecture), in one place: liveness
 * starts with the application, stops when it starts closing; the drain runs before the HTTP and
 * WebSocket servers close; whatever is left is destroyed at shutdown.
 */
@Injectable()
export class HeartbeatLifecycle implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    private readonly pings: PingScheduler,
    private readonly sweeper: HeartbeatSweeper,
    private readonly drainer: ConnectionDrainer,
    private readonly registry: ConnectionRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.pings.start();
    this.sweeper.start();
  }

  /**
   * Pings and the sweep stop when the application starts closing (an application's ScheduleModule
   * clears its timers then too); client pings are still answered during the drain that follows.
   */
  onModuleDestroy(): void {
    this.pings.stop();
    this.sweeper.stop();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.drainer.drain();
  }

  /** After the drain nothing should be left; if the application closed without one, what is left is destroyed. */
  onApplicationShutdown(): void {
    this.registry.terminateAll();
  }
}
