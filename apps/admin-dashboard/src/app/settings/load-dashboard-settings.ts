import { DEFAULT_WS_PATH } from '@heartbeat/protocol';
import { parseClientQuery, withoutTokens } from './client-query-options';
import { storeCredentials } from './dashboard-credentials';
import { fetchDashboardServerConfig } from './dashboard-server-config';
import type { DashboardSettings } from './dashboard-settings';

/**
 * Everything the app needs before it starts: the WebSocket path from the server, client options
 * from the URL query. Tokens in the URL move to sessionStorage and out of the address bar.
 */
export async function loadDashboardSettings(window: Window): Promise<DashboardSettings> {
  const { search, pathname, hash } = window.location;
  const query = parseClientQuery(search);
  for (const warning of query.warnings) console.warn(warning);
  if (query.token || query.adminToken) {
    storeCredentials(window.sessionStorage, {
      ...(query.token ? { clientToken: query.token } : {}),
      ...(query.adminToken ? { adminToken: query.adminToken } : {}),
    });
    window.history.replaceState(window.history.state, '', `${pathname}${withoutTokens(search)}${hash}`);
  }
  const wsPath = await fetchDashboardServerConfig().then(
    (config) => config.wsPath,
    (error: unknown) => {
      console.warn(`The dashboard config could not be loaded (${String(error)}); connecting to ${DEFAULT_WS_PATH}.`);
      return DEFAULT_WS_PATH;
    },
  );
  return { wsPath, clientOptions: query.options };
}
