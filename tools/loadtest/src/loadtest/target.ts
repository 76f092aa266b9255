/** The server under load: one the tool starts (the built monitor server), or one already running at --url. */
import { MonitorServerProcess } from '@heartbeat/testing';
import { defaultMetricsUrl, type LoadtestOptions } from './loadtest-options.js';

export const LOADTEST_CLIENT_TOKEN = 'loadtest-client';

export interface LoadTarget {
  readonly wsUrl: string;
  readonly metricsUrl: string;
  readonly token: string | undefined;
  /** Null for a server at --url: it cannot be killed or restarted. */
  readonly process: MonitorServerProcess | null;
  describe(): string;
}

/** The started server's environment: its defaults except what the options set. */
export function startedServerEnv(options: LoadtestOptions): Record<string, string> {
  const events = options.scenario === 'fanout' || options.scenario === 'resume' ? options.eventsPerSecond : 0;
  return {
    CLIENT_TOKENS: LOADTEST_CLIENT_TOKEN,
    ADMIN_TOKEN: 'loadtest-admin',
    ALERT_RATE: String(events),
    DRAIN_WINDOW_MS: String(options.drainWindow),
    ...(options.pingInterval === undefined ? {} : { HEARTBEAT_PING_INTERVAL_MS: String(options.pingInterval) }),
  };
}

export async function openTarget(options: LoadtestOptions): Promise<LoadTarget> {
  if (options.url !== undefined) {
    const url = options.url;
    return {
      wsUrl: url,
      metricsUrl: options.metricsUrl ?? defaultMetricsUrl(url),
      token: options.token,
      process: null,
      describe: () => `the server at ${url}`,
    };
  }
  const env = startedServerEnv(options);
  const server = await MonitorServerProcess.start(env);
  return {
    wsUrl: server.wsUrl,
    metricsUrl: options.metricsUrl ?? `${server.url}/metrics`,
    token: LOADTEST_CLIENT_TOKEN,
    process: server,
    describe: () => `the monitor server started on ${server.url} (${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')})`,
  };
}
