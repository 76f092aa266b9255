import { HeartbeatWsAdapter } from '@heartbeat/nest';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AppModule } from './app.module.js';
import type { MonitorConfig } from './config/monitor-config.js';
import { EVENT_BODY_PARSER, eventBodyErrors } from './http/event-body.js';
import { securityHeaders } from './http/security-headers.js';
import { spaFallback } from './http/spa-fallback.middleware.js';

/**
 * Pending connections the kernel may queue for `accept` (capped by net.core.somaxconn). After a
 * restart thousands of clients reconnect within seconds; Node's default of 511 overflows, and every
 * overflow is a SYN the client retransmits a second later or more (npm run bench counted 236,066
 * overflows for 19,000 clients).
 */
export const LISTEN_BACKLOG = 4096;

/**
 * `app.listen(port, host)` with {@link LISTEN_BACKLOG}: Nest hands extra arguments on to
 * `http.Server#listen(port, host, backlog, callback)`, which its types do not show.
 */
export function listenMonitorApp(app: INestApplication, port: number, host: string): Promise<unknown> {
  const listen = app.listen.bind(app) as unknown as (port: number, host: string, backlog: number) => Promise<unknown>;
  return listen(port, host, LISTEN_BACKLOG);
}

/**
 * Builds the monitor server application (not yet listening) the same way for main.ts and tests.
 * Shutdown hooks are main.ts's business: a test process must not exit on a signal.
 */
export async function createMonitorApp(config: MonitorConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    logger: config.logLevels,
  });
  app.useWebSocketAdapter(new HeartbeatWsAdapter(app));
  // First, so that the dashboard's files, the API, /health and /metrics all answer with them.
  app.use(securityHeaders());
  app.useBodyParser('json', EVENT_BODY_PARSER);
  app.use(eventBodyErrors);
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
