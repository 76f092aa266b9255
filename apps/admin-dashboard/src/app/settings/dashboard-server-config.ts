/** `GET /api/dashboard/config` of the monitor server (apps/monitor-server, dashboard-config.controller.ts). */
export interface DashboardServerConfig {
  /** The WebSocket path (the server's WS_PATH). */
  wsPath: string;
  /** Only in demo mode (the server generated its tokens) and only for a browser on the server's machine. */
  clientToken?: string;
  adminToken?: string;
}

export const DASHBOARD_CONFIG_URL = '/api/dashboard/config';

/** Asks the server that serves the dashboard how to connect; rejects when it does not answer. */
export async function fetchDashboardServerConfig(): Promise<DashboardServerConfig> {
  const response = await fetch(DASHBOARD_CONFIG_URL, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${DASHBOARD_CONFIG_URL} answered ${response.status}.`);
  return (await response.json()) as DashboardServerConfig;
}
