import { HeartbeatModule } from '@heartbeat/nest';
import { type DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AlertAckHandler } from './alerts/alert-ack.handler.js';
import { AlertSimulator } from './alerts/alert-simulator.service.js';
import { ALERTS_TOPIC } from './alerts/moderation-alert.js';
import { clientTokenVerifier } from './auth/client-token-verifier.js';
import { monitorTopicRules } from './auth/monitor-topic-rules.js';
import { MonitorConfig } from './config/monitor-config.js';
import { DashboardConfigController } from './http/dashboard-config.controller.js';
import { DashboardController } from './http/dashboard.controller.js';
import { HealthController } from './http/health.controller.js';
import { HeartbeatAdminController } from './http/heartbeat-admin.controller.js';
import { AdminTokenGuard } from './http/admin-token.guard.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { MetricsService } from './metrics/metrics.service.js';

@Module({})
class MonitorConfigModule {
  static register(config: MonitorConfig): DynamicModule {
    return { module: MonitorConfigModule, global: true, providers: [{ provide: MonitorConfig, useValue: config }], exports: [MonitorConfig] };
  }
}

/** The monitor server: HeartbeatModule configured from the environment, the alert feed, the admin API. */
@Module({})
export class AppModule {
  static register(config: MonitorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MonitorConfigModule.register(config),
        ScheduleModule.forRoot(),
        HeartbeatModule.forRootAsync({
          inject: [MonitorConfig],
          useFactory: (monitor: MonitorConfig) => ({
            path: monitor.wsPath,
            pingInterval: monitor.pingInterval,
            heartbeatInterval: monitor.heartbeatInterval,
            heartbeatTimeout: monitor.heartbeatTimeout,
            maxMissedPings: monitor.maxMissedPings,
            drainWindow: monitor.drainWindow,
            maxConnectionsPerAddress: monitor.maxConnectionsPerAddress,
            maxTopicsPerConnection: monitor.maxTopicsPerConnection,
            rateLimit: monitor.rateLimit,
            verifyToken: clientTokenVerifier(monitor.clientTokens, monitor.clientTokenTtl),
            authorize: monitorTopicRules(monitor.publicTopics),
            // The operators online: every user with a connection subscribed to the alerts (docs/dashboard.md).
            presence: [ALERTS_TOPIC],
            replay: monitor.replay,
            redis: monitor.redis === undefined ? undefined : { ...monitor.redis, keyPrefix: monitor.redisKeyPrefix, nodeId: monitor.nodeId },
          }),
        }),
      ],
      controllers: [HealthController, MetricsController, HeartbeatAdminController, DashboardConfigController, DashboardController],
      providers: [AlertSimulator, AlertAckHandler, MetricsService, AdminTokenGuard],
    };
  }
}
