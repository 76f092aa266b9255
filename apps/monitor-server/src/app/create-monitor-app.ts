import { HeartbeatWsAdapter } from '@heartbeat/nest';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AppModule } from './app.module.js';
import type { MonitorConfig } from './config/monitor-config.js';
import { spaFallback } from './http/spa-fallback.middleware.js';

/**
 * Builds the monitor server application (not yet listening) the same way for main.ts and tests.
 * Shutdown hooks are main.ts's business: a test process must not exit on a signal.
 */
export async function createMonitorApp(config: MonitorConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    logger: config.logLevels,
  });
  app.useWebSocketAdapter(new HeartbeatWsAdapter(app));
  const { dashboardDir } = config;
  if (dashboardDir && existsSync(join(dashboardDir, 'index.html'))) {
    app.useStaticAssets(dashboardDir, {
      index: 'index.html',
      setHeaders: (response, path) => {
        if (basename(path) === 'index.html') response.setHeader('Cache-Control', 'no-cache');
      },
    });
    app.use(spaFallback(join(dashboardDir, 'index.html'), ['/api', '/health', '/metrics', config.wsPath]));
  }
  return app;
}
