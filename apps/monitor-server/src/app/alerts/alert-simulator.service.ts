import { HeartbeatService } from '@heartbeat/nest';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { MonitorConfig } from '../config/monitor-config.js';
import { ALERTS_TOPIC, simulateAlert } from './moderation-alert.js';

const ALERT_INTERVAL = 'monitor:alert-simulator';
/** Timers below ~10 ms are not kept by Node; higher rates publish several alerts per tick. */
const MIN_TICK_MS = 10;

/**
 * The alert feed: publishes `ALERT_RATE` simulated moderation alerts per second on topic `alerts`
 * (the operators' acknowledgements of them are AlertAckHandler's).
 */
@Injectable()
export class AlertSimulator implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AlertSimulator');
  private published = 0;
  private startedAt = 0;

  constructor(
    private readonly config: MonitorConfig,
    private readonly heartbeat: HeartbeatService,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  get count(): number {
    return this.published;
  }

  onApplicationBootstrap(): void {
    if (this.config.alertRate <= 0) return;
    this.startedAt = Date.now();
    const tickMs = Math.max(MIN_TICK_MS, 1000 / this.config.alertRate);
    this.scheduler.addInterval(ALERT_INTERVAL, setInterval(() => this.tick(), tickMs));
  }

  onModuleDestroy(): void {
    if (this.scheduler.doesExist('interval', ALERT_INTERVAL)) this.scheduler.deleteInterval(ALERT_INTERVAL);
  }

  /** Publishes as many alerts as the rate calls for by now, so late timers do not lower the rate. */
  private tick(): void {
    const due = Math.floor(((Date.now() - this.startedAt) / 1000) * this.config.alertRate);
    // After a long stall, skip what is older than a second instead of flooding subscribers with it.
    this.published = Math.max(this.published, due - Math.ceil(this.config.alertRate));
    while (this.published < due) {
      // Rejected only when Redis has been away for so long that the publish backlog is full: that alert is dropped.
      this.heartbeat.publish(ALERTS_TOPIC, simulateAlert(new Date())).catch((error: Error) => this.logger.warn(error.message));
      this.published++;
    }
  }
}
