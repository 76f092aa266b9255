import { type Locator, type Page, expect, test as base } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MonitorServerProcess } from '@heartbeat/testing';

const CLIENT_TOKEN = 'e2e-client-token';
/** The user CLIENT_TOKEN belongs to: the dashboards are this operator's, online in the presence of alerts. */
export const OPERATOR = 'operator-1';
const ADMIN_TOKEN = 'e2e-admin-token';

/** The server's environment: fixed tokens (the client token is OPERATOR's), a fast heartbeat (pings, pongs and RTTs within a second), 5 alerts/s. */
const SERVER_ENV = {
  CLIENT_TOKENS: `${OPERATOR}:${CLIENT_TOKEN}`,
  ADMIN_TOKEN,
  HEARTBEAT_PING_INTERVAL_MS: '1000',
  HEARTBEAT_INTERVAL_MS: '1000',
  HEARTBEAT_TIMEOUT_MS: '5000',
  ALERT_RATE: '5',
};

export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-output/screenshots', import.meta.url));

/**
 * Client options for the tests, as URL query parameters: fast reconnects without jitter, a client
 * ping every second (a pong timeout below it, as the client requires), and enough attempts to
 * outlast a server restart.
 */
export const FAST_CLIENT_QUERY: Readonly<Record<string, string>> = {
  reconnectInterval: '500',
  pingInterval: '1000',
  pongTimeout: '800',
  jitter: '0',
  maxReconnectAttempts: '20',
  token: CLIENT_TOKEN,
  adminToken: ADMIN_TOKEN,
};

interface WorkerFixtures {
  /** One monitor server per worker; a test that stops it starts it again (the next test checks). */
  server: MonitorServerProcess;
}

interface TestFixtures {
  /** The page with the dashboard open at `/`, connected. */
  dashboard: DashboardPage;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  server: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's dependencies from this pattern.
    async ({}, use) => {
      const server = await MonitorServerProcess.start(SERVER_ENV);
      await use(server);
      await server.kill('SIGTERM');
    },
    { scope: 'worker' },
  ],
  dashboard: async ({ page, server }, use) => {
    if (!server.running) await server.restart();
    const dashboard = new DashboardPage(page, server);
    await dashboard.open('/');
    await expect(dashboard.status).toHaveAttribute('data-status', 'connected');
    await use(dashboard);
  },
});

export { expect };

/** The dashboard in one browser page, with the locators the tests share. */
export class DashboardPage {
  readonly status: Locator;
  readonly details: Locator;
  readonly feedItems: Locator;
  readonly resyncMarkers: Locator;

  constructor(
    readonly page: Page,
    readonly server: MonitorServerProcess,
  ) {
    this.status = page.locator('hb-websocket-status');
    this.details = page.getByTestId('hb-status-details');
    this.feedItems = page.getByTestId('feed-item');
    this.resyncMarkers = page.getByTestId('feed-resync');
  }

  /** Loads the dashboard at `path` with FAST_CLIENT_QUERY, or `overrides` of it. */
  async open(path: string, overrides: Record<string, string> = {}): Promise<void> {
    const query = new URLSearchParams({ ...FAST_CLIENT_QUERY, ...overrides });
    await this.page.goto(`${this.server.url}${path}?${query}`);
  }

  async openDetails(): Promise<void> {
    if (!(await this.details.isVisible())) await this.page.getByTestId('hb-status-toggle').click();
    await expect(this.details).toBeVisible();
  }

  /** Closes the details panel, which covers the top of the feed. */
  async closeDetails(): Promise<void> {
    if (await this.details.isVisible()) await this.page.getByTestId('hb-status-toggle').click();
    await expect(this.details).toBeHidden();
  }

  /** The `data-seq` of the alerts shown, newest first, optionally of one epoch only. */
  async seqs(epoch?: string): Promise<number[]> {
    const items = epoch === undefined ? this.feedItems : this.page.locator(`[data-testid="feed-item"][data-epoch="${epoch}"]`);
    return (await items.evaluateAll((elements) => elements.map((element) => Number(element.getAttribute('data-seq')))));
  }

  /** The row of the alert with id `alertId`. */
  alertRow(alertId: string): Locator {
    return this.page.locator(`[data-testid="feed-item"][data-alert-id="${alertId}"]`);
  }

  /** The id of the alert in the feed's row `index` (0: newest). */
  async alertIdAt(index: number): Promise<string> {
    const id = await this.feedItems.nth(index).getAttribute('data-alert-id');
    if (!id) throw new Error(`Feed row ${index} has no data-alert-id attribute.`);
    return id;
  }

  async newestEpoch(): Promise<string> {
    const epoch = await this.feedItems.first().getAttribute('data-epoch');
    if (!epoch) throw new Error('The newest feed item has no data-epoch attribute.');
    return epoch;
  }

  async number(testId: string): Promise<number> {
    return Number((await this.page.getByTestId(testId).textContent())?.trim().split(/\s/)[0]);
  }

  /** Saves a full-page screenshot under test-output/screenshots and prints where. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const path = `${SCREENSHOT_DIR}/${name}.png`;
    await this.page.screenshot({ path, fullPage: true });
    console.log(`screenshot: ${path}`);
    return path;
  }
}

/** Asserts that `seqs` (newest first) are consecutive: no gap, no duplicate. */
export function expectConsecutiveDescending(seqs: number[]): void {
  expect(seqs.length).toBeGreaterThan(0);
  expect(seqs).toEqual(seqs.map((_, index) => seqs[0] - index));
}
