import { assertChromiumInstalled } from '@heartbeat/testing/chromium';

export default function globalSetup(): void {
  assertChromiumInstalled();
  if (!process.env['EXAMPLE_URL']) {
    throw new Error('EXAMPLE_URL is not set: run these tests through `npm run examples`, which builds, starts and serves the examples.');
  }
}
