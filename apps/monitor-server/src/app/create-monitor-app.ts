import { HeartbeatWsAdapter } from '@heartbeat/nest';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import { AppModule } from './app.module.js';
import type { MonitorConfig } from './config/monitor-config.js';

/** Builds the monitor server application (not yet listening) the same way for main.ts and tests. */
export async function createMonitorApp(config: MonitorConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    logger: config.logLevels,
  });
  app.useWebSocketAdapter(new HeartbeatWsAdapter(app));
  app.enableShutdownHooks();
  if (config.dashboardDir && existsSync(config.dashboardDir)) {
    app.useStaticAssets(config.dashboardDir, { index: 'index.html' });
  }
  return app;
}
