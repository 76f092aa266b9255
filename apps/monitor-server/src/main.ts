import { HeartbeatService } from '@heartbeat/nest';
import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMonitorApp, listenMonitorApp } from './app/create-monitor-app.js';
import { type MonitorConfig, MonitorConfigError, loadMonitorConfig } from './app/config/monitor-config.js';

const DASHBOARD_DIR = fileURLToPath(new URL('../../admin-dashboard/dist/browser', import.meta.url));

async function main(): Promise<void> {
  const config = loadMonitorConfig(process.env, DASHBOARD_DIR);
  const app = await createMonitorApp(config);
  // SIGTERM/SIGINT: app.close() drains the WebSocket connections (1012 spread over DRAIN_WINDOW_MS),
  // then the process exits with 0 instead of dying of the signal.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  exitOnSecondSignal();
  await listenMonitorApp(app, config.port, config.host);
  const logger = new Logger('MonitorServer');
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const port = config.port || (app.getHttpServer().address() as { port: number }).port;
  logger.log(`Listening on http://${shownHost}:${port} — WebSocket ws://${shownHost}:${port}${config.wsPath}`);
  const cluster = app.get(HeartbeatService).getClusterStatus();
  logger.log(
    cluster.mode === 'redis'
      ? `Redis mode: node ${cluster.nodeId} shares topics, stats and disconnects through ${describeRedis(config.redis)}`
      : 'Memory mode: topics and replay buffers live in this process (set REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES to run several nodes).',
  );
  // Generated secrets go to stdout unconditionally: without them nobody can connect.
  if (config.generated.includes('CLIENT_TOKENS')) console.log(`Client token (CLIENT_TOKENS unset, generated): ${config.clientTokens[0].token}`);
  if (config.generated.includes('ADMIN_TOKEN')) console.log(`Admin token (ADMIN_TOKEN unset, generated): ${config.adminToken}`);
  console.log(dashboardNotice(`http://${shownHost}:${port}/`, config));
}

/** Which Redis, for the log: a URL without its password, or the sentinels and the name they watch. */
function describeRedis(redis: MonitorConfig['redis']): string {
  if (redis === undefined) return 'no Redis';
  const list = (nodes: readonly { host: string; port: number }[]) => nodes.map(({ host, port }) => `${host}:${port}`).join(', ');
  if ('url' in redis) return redactedUrl(redis.url);
  if ('cluster' in redis) return `the Redis Cluster of ${list(redis.cluster.nodes)}`;
  return `the primary "${redis.sentinel.name}" of the sentinels ${list(redis.sentinel.nodes)}`;
}

/** The URL without its password, for logs. */
function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** A second SIGTERM/SIGINT (Ctrl-C pressed again) does not wait for the drain to finish. */
function exitOnSecondSignal(): void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    received++;
    if (received === 1) {
      new Logger('MonitorServer').log(`${signal} received: draining connections before exit; send it again to exit at once.`);
      return;
    }
    console.error(`${signal} received again: exiting without finishing the drain.`);
    process.exit(1);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** How to open the dashboard, and where its tokens come from. */
function dashboardNotice(url: string, config: MonitorConfig): string {
  if (!existsSync(join(DASHBOARD_DIR, 'index.html'))) {
    return `Dashboard: not built, ${url} lists the endpoints instead. Run "npm start" (or "npx nx run admin-dashboard:build") to build it.`;
  }
  if (config.generated.length > 0) {
    return (
      `Dashboard: ${url} (demo mode: ${config.generated.join(' and ')} generated, so /api/dashboard/config hands them to browsers on this machine only; ` +
      'set CLIENT_TOKENS and ADMIN_TOKEN to turn demo mode off)'
    );
  }
  return `Dashboard: ${url}?token=<client token>&adminToken=<admin token> (or enter the tokens in its sign-in form)`;
}

main().catch((error: unknown) => {
  if (error instanceof MonitorConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
