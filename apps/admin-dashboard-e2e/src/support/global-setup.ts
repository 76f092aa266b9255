import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assertChromiumInstalled } from '@heartbeat/testing/chromium';

const BUILDS = {
  'monitor-server': fileURLToPath(new URL('../../../monitor-server/dist/main.js', import.meta.url)),
  'admin-dashboard': fileURLToPath(new URL('../../../admin-dashboard/dist/browser/index.html', import.meta.url)),
};

/** Fails the run up front, saying what to do, when the browser or a build is missing. */
export default function globalSetup(): void {
  assertChromiumInstalled();
  for (const [project, file] of Object.entries(BUILDS)) {
    if (!existsSync(file)) {
      throw new Error(`${project} is not built (${file} is missing): run "npx nx run admin-dashboard-e2e:e2e", which builds it first.`);
    }
  }
}
