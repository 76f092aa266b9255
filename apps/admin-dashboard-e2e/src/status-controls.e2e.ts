import { expect, test } from './support/fixtures.js';

test.describe('<hb-websocket-status> controls', () => {
  test('"send ping" sends a ping and shows its pong and RTT', async ({ dashboard }) => {
    const { page, status } = dashboard;
    // No automatic client pings in this test, so that every count comes from the button.
    await dashboard.open('/', { pingInterval: '600000' });
    await expect(status).toHaveAttribute('data-status', 'connected');
    await dashboard.openDetails();
    await expect(page.getByTestId('hb-ping-count')).toHaveText('0');

    await page.getByTestId('hb-send-ping').click();
    await expect(page.getByTestId('hb-ping-count')).toHaveText('1');
    await expect(page.getByTestId('hb-pong-count')).toHaveText('1');
    await expect(page.getByTestId('hb-rtt')).toContainText(/\d/);
    await page.getByTestId('hb-send-ping').click();
    await expect(page.getByTestId('hb-ping-count')).toHaveText('2');
    await expect(page.getByTestId('hb-missed-pongs')).toHaveText('0');
  });

  test('"disconnect" closes the connection and "reconnect" opens it again', async ({ dashboard }) => {
    const { page, status } = dashboard;
    await dashboard.openDetails();
    await page.getByTestId('hb-disconnect').click();
    await expect(status).toHaveAttribute('data-status', 'disconnected');
    await expect(page.getByTestId('hb-send-ping')).toBeDisabled();
    await expect(page.getByTestId('hb-countdown')).not.toHaveAttribute('data-seconds');

    await page.getByTestId('hb-reconnect').click();
    await expect(status).toHaveAttribute('data-status', 'connected');
    await expect(page.getByTestId('hb-send-ping')).toBeEnabled();
  });

  test('"reset" starts the reconnect attempts over', async ({ dashboard }) => {
    const { page, server, status } = dashboard;
    await dashboard.openDetails();
    await server.kill();
    await expect(status).toHaveAttribute('data-status', 'connecting');
    await expect.poll(() => dashboard.number('hb-reconnect-attempts')).toBeGreaterThanOrEqual(3);
    const attempts = await dashboard.number('hb-reconnect-attempts');

    await page.getByTestId('hb-reset').click();
    await expect.poll(() => dashboard.number('hb-reconnect-attempts')).toBeLessThan(attempts);

    await server.restart();
    await expect(status).toHaveAttribute('data-status', 'connected', { timeout: 30_000 });
    await expect(page.getByTestId('hb-reconnect-attempts')).toContainText(/^\s*0/);
  });

  test('with auto-reconnect off, a lost connection stays down with no attempt scheduled', async ({ dashboard }) => {
    const { page, server, status } = dashboard;
    await dashboard.openDetails();
    const toggle = page.getByTestId('hb-auto-reconnect');
    await expect(toggle).toBeChecked();
    await toggle.uncheck();
    await expect(toggle).not.toBeChecked();

    await server.kill();
    await expect(status).toHaveAttribute('data-status', 'disconnected');
    await expect(status).toHaveAttribute('data-phase', 'idle');
    await server.restart();
    // Long enough for several attempts at the test's 500 ms reconnect interval, had any been scheduled.
    await page.waitForTimeout(2000);
    await expect(status).toHaveAttribute('data-status', 'disconnected');
    await expect(page.getByTestId('hb-countdown')).not.toHaveAttribute('data-seconds');
    await expect(page.getByTestId('hb-reconnect-attempts')).toContainText(/^\s*0/);

    // Turning it back on reconnects the link that was lost while it was off, with no other click.
    await toggle.check();
    await expect(status).toHaveAttribute('data-status', 'connected');
  });
});
