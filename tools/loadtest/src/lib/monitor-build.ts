import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The monitor server's application as its build bundles it (apps/monitor-server/src/monitor-app.ts,
 * docs/server.md#the-monitor-server): what the tools run in their server processes.
 */
export const MONITOR_APP_BUILD = fileURLToPath(new URL('../../../../apps/monitor-server/dist/monitor-app.js', import.meta.url));

/** What to do when the monitor server is not built (and the npm script that builds it first, if any); null when it is. */
export function monitorBuildMissing(npmScript?: string): string | null {
  if (existsSync(MONITOR_APP_BUILD)) return null;
  const script = npmScript ? `, or use ${npmScript}, which builds it` : '';
  return `The monitor server is not built (${MONITOR_APP_BUILD} is missing): run "npx nx run monitor-server:build"${script}.`;
}
