import { expect, test } from './support/fixtures.js';

test.describe('/admin', () => {
  test("lists this browser's connection with a live RTT, the stats and the charts", async ({ dashboard }) => {
    const { page } = dashboard;
    // Loaded directly, not by the in-app link: the server must answer the client-side route.
    await dashboard.open('/admin');
    await expect(dashboard.status).toHaveAttribute('data-status', 'connected');
    const session = (await page.getByTestId('session-id').textContent())?.trim() ?? '';
    expect(session).toMatch(/\w{6,}/);

    const own = page.locator(`[data-testid="connection-row"][data-session-id="${session}"]`);
    await expect(own).toHaveAttribute('data-own', 'true');
    await expect(own).toHaveAttribute('data-connection-id', /\S+/);
    const rtt = own.getByTestId('connection-rtt');
    await expect(rtt).toHaveAttribute('data-rtt-ms', /^\d+(\.\d+)?$/);
    await expect(rtt).toContainText(/\d+(\.\d)? ms/);
    // Live: the row follows the server's pings, polled every second.
    const pings = await own.getByTestId('connection-pings').textContent();
    await expect(own.getByTestId('connection-pings')).not.toHaveText(pings ?? '', { timeout: 5000 });
    const rtts = new Set<string | null>();
    for (let poll = 0; poll < 3; poll++) {
      rtts.add(await rtt.getAttribute('data-rtt-ms'));
      await page.waitForTimeout(1100);
    }
    console.log(`RTT of this browser's connection over 3 polls (ms): ${[...rtts].join(', ')}`);

    await expect(page.getByTestId('stat-active-connections')).toHaveText(/^[1-9]\d*$/);
    await expect(page.getByTestId('stat-pings-sent')).toHaveText(/^[1-9][\d,]*$/);
    await expect(page.locator('[data-testid="chart-rtt"] path.line')).toHaveAttribute('d', /^M[\d.]+,[\d.]+ L/);
    await expect(page.locator('[data-testid="chart-connections"] path.line')).toHaveAttribute('d', /^M[\d.]+,[\d.]+ L/);
    await dashboard.screenshot('admin');
  });

  test('"Disconnect" kicks this browser with 4003: it stays closed, in error', async ({ dashboard }) => {
    const { page, status } = dashboard;
    await page.getByRole('link', { name: 'Connections' }).click();
    const session = (await page.getByTestId('session-id').textContent())?.trim() ?? '';
    const own = page.locator(`[data-testid="connection-row"][data-session-id="${session}"]`);
    await expect(own).toBeVisible();

    await own.getByTestId('kick-connection').click();
    await expect(status).toHaveAttribute('data-status', 'error');
    await expect(own).toHaveCount(0);
    // 4003 means "stay closed": no attempt is scheduled.
    await page.waitForTimeout(1500);
    await expect(status).toHaveAttribute('data-status', 'error');
    await dashboard.openDetails();
    await expect(page.getByTestId('hb-countdown')).not.toHaveAttribute('data-seconds');
    await expect(page.getByTestId('hb-error')).not.toHaveText('');
  });
});
