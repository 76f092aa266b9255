import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '@heartbeat/testing/chromium';

/**
 * The Angular example in Debian's Chromium, served in front of the Nest example by
 * `npm run examples` (run-examples.mjs), which passes the page's address as EXAMPLE_URL.
 */
export default defineConfig({
  testDir: './src',
  testMatch: '**/*.e2e.ts',
  outputDir: '../../tmp/examples/playwright',
  globalSetup: './src/global-setup.ts',
  workers: 1,
  forbidOnly: !!process.env['CI'],
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: chromiumPath(), args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
