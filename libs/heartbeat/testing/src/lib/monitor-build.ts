import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The monitor server's build (docs/server.md#the-monitor-server): `main`, what `npm start` runs,
 * and `app`, its application for tools that run it in their own process (the benchmark's server).
 */
export const MONITOR_BUILD = {
  main: fileURLToPath(new URL('../../../../../apps/monitor-server/dist/main.js', import.meta.url)),
  app: fileURLToPath(new URL('../../../../../apps/monitor-server/dist/monitor-app.js', import.meta.url)),
} as const;

/**
 * What to do when a file of the monitor server's build is missing, naming the npm script that
 * builds it first when there is one; null when the file is there.
 */
export function monitorBuildMissing(file: string, npmScript?: string): string | null {
  if (existsSync(file)) return null;
  const script = npmScript ? `, or use ${npmScript}, which builds it` : '';
  return `The monitor server is not built (${file} is missing): run "npx nx run monitor-server:build"${script}.`;
}
