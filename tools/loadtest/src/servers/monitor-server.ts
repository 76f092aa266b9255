/**
 * Benchmark subject (a): the monitor server's own application, built (apps/monitor-server/dist, a bundle) and
 * configured from the environment as its main.js does (without the dashboard's static files), plus
 * the benchmark's requests — among them a burst of HeartbeatService.publish calls, which only code
 * inside the process can make.
 */
import type { HeartbeatService } from '@heartbeat/nest';
import { MONITOR_BUILD, monitorBuildMissing } from '@heartbeat/testing/monitor-build';
import type { INestApplication } from '@nestjs/common';
import { pathToFileURL } from 'node:url';
import { serveBenchServer } from './bench-server-api.js';

/** What apps/monitor-server/src/monitor-app.ts exports. */
interface MonitorAppModule {
  HeartbeatService: typeof HeartbeatService;
  loadMonitorConfig(env: NodeJS.ProcessEnv): { port: number; host: string };
  createMonitorApp(config: unknown): Promise<INestApplication>;
  listenMonitorApp(app: INestApplication, port: number, host: string): Promise<unknown>;
}

/**
 * Imported at run time from the app's build, the bundle `npm start` runs too (tools do not import
 * apps at compile time). Its HeartbeatService is the one its injector holds.
 */
async function monitorApp(): Promise<MonitorAppModule> {
  const missing = monitorBuildMissing(MONITOR_BUILD.app);
  if (missing) throw new Error(missing);
  return (await import(pathToFileURL(MONITOR_BUILD.app).href)) as MonitorAppModule;
}

const { HeartbeatService: Service, loadMonitorConfig, createMonitorApp, listenMonitorApp } = await monitorApp();
const config = loadMonitorConfig(process.env);
const app = await createMonitorApp(config);
await listenMonitorApp(app, config.port, config.host);
const heartbeat = app.get(Service);
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
