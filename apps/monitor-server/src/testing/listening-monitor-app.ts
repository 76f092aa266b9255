import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { loadMonitorConfig } from '../app/config/monitor-config.js';
import { createMonitorApp } from '../app/create-monitor-app.js';

/** A monitor server of a spec, listening on a free loopback port. */
export interface ListeningMonitorApp {
  readonly app: NestExpressApplication;
  readonly port: number;
}

/**
 * Starts the monitor server as main.ts does, on 127.0.0.1 and a free port, with `env` over quiet
 * defaults for specs: no simulated alerts, errors only in the log, connections closed at once on close.
 */
export async function listeningMonitorApp(env: NodeJS.ProcessEnv): Promise<ListeningMonitorApp> {
  const app = await createMonitorApp(
    loadMonitorConfig({ PORT: '0', HOST: '127.0.0.1', ALERT_RATE: '0', LOG_LEVEL: 'error', DRAIN_WINDOW_MS: '0', ...env }),
  );
  await app.listen(0, '127.0.0.1');
  return { app, port: (app.getHttpServer().address() as AddressInfo).port };
}
