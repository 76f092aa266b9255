import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '@heartbeat/testing/chromium';

/**
 * The dashboard in Debian's Chromium against the built monitor server (started and killed by the
 * tests themselves). One worker: the tests stop and restart a server, so they run one after another.
 */
export default defineConfig({
  testDir: './src',
  testMatch: '**/*.e2e.ts',
  outputDir: './test-output/playwright',
  globalSetup: './src/support/global-setup.ts',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env['CI'],
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1440, height: 900 },
    launchOptions: { executablePath: chromiumPath(), args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
