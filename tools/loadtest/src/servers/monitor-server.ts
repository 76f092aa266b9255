/**
 * Benchmark subject (a): the monitor server's own application, built (apps/monitor-server/dist) and
 * configured from the environment as its main.js does (without the dashboard's static files), plus
 * the benchmark's requests — among them a burst of HeartbeatService.publish calls, which only code
 * inside the process can make.
 */
import { HeartbeatService } from '@heartbeat/nest';
import type { INestApplication } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serveBenchServer } from './bench-server-api.js';

interface MonitorAppModules {
  loadMonitorConfig(env: NodeJS.ProcessEnv): { port: number; host: string };
  createMonitorApp(config: unknown): Promise<INestApplication>;
  listenMonitorApp(app: INestApplication, port: number, host: string): Promise<unknown>;
}

const APP_DIR = new URL('../../../../apps/monitor-server/dist/app/', import.meta.url);

/** Imported at run time from the app's build: tools do not import apps at compile time. */
async function monitorApp(): Promise<MonitorAppModules> {
  const main = new URL('create-monitor-app.js', APP_DIR);
  if (!existsSync(fileURLToPath(main))) {
    throw new Error(`The monitor server is not built (${fileURLToPath(main)} is missing): run "npx nx run monitor-server:build" first.`);
  }
  const [config, app] = await Promise.all([import(new URL('config/monitor-config.js', APP_DIR).href), import(main.href)]);
  return { loadMonitorConfig: config.loadMonitorConfig, createMonitorApp: app.createMonitorApp, listenMonitorApp: app.listenMonitorApp };
}

const { loadMonitorConfig, createMonitorApp, listenMonitorApp } = await monitorApp();
const config = loadMonitorConfig(process.env);
const app = await createMonitorApp(config);
await listenMonitorApp(app, config.port, config.host);
const heartbeat = app.get(HeartbeatService);
serveBenchServer(
  {
    connections: () => heartbeat.connectionCount,
    heartbeats: () => heartbeat.getTotals().total_pongs_received,
    // The burst is published at once, as the bare servers broadcast theirs: every call made before
    // any is awaited (successive calls keep their order, docs/server.md#3-use-heartbeatservice). Awaiting
    // each in turn would make every event of a Redis-mode burst wait for the one before it to come
    // back through Redis.
    publish: async ({ topic, payload, count }) => {
      await Promise.all(Array.from({ length: count }, () => heartbeat.publish(topic, payload)));
    },
  },
  config.port,
);
