import type { Page } from '@playwright/test';
import { DashboardPage, OPERATOR, expect, expectConsecutiveDescending, test } from './support/fixtures.js';

/** Every text frame the page sends or receives on WebSockets opened from now on. */
function recordFrames(page: Page): { sent: string[]; received: string[] } {
  const frames = { sent: [] as string[], received: [] as string[] };
  page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => frames.sent.push(String(payload)));
    socket.on('framereceived', ({ payload }) => frames.received.push(String(payload)));
  });
  return frames;
}

/** The `request` frames that acknowledge `alertId`. */
function ackRequests(sent: string[], alertId: string): { id: string }[] {
  return sent
    .map((text) => JSON.parse(text) as { type: string; id: string; topic?: string; data?: { alertId?: string } })
    .filter((frame) => frame.type === 'request' && frame.topic === 'alerts.ack' && frame.data?.alertId === alertId);
}

test.describe('acknowledging alerts', () => {
  test('an acknowledgement marks the alert in every open dashboard', async ({ dashboard, context, server }) => {
    const second = new DashboardPage(await context.newPage(), server);
    await second.open('/');
    await expect(second.status).toHaveAttribute('data-status', 'connected');
    await expect.poll(() => second.feedItems.count()).toBeGreaterThanOrEqual(2);
    // An alert that both pages show: the second page opened later, so its alerts are in the first.
    const alertId = await second.alertIdAt(1);
    await expect(dashboard.alertRow(alertId)).toHaveCount(1);
    await expect(second.alertRow(alertId)).toHaveAttribute('data-ack', 'none');

    await dashboard.alertRow(alertId).getByTestId('ack-button').click();

    await expect(dashboard.alertRow(alertId)).toHaveAttribute('data-ack', 'acknowledged');
    // The server's answer to the request: when it recorded the acknowledgement.
    await expect(dashboard.alertRow(alertId).getByTestId('ack-status')).toContainText(/✓ Acknowledged at \d\d:\d\d:\d\d/);
    await expect(second.alertRow(alertId)).toHaveAttribute('data-ack', 'acknowledged');
    await expect(second.alertRow(alertId).getByTestId('ack-status')).toContainText('Acknowledged');
    await expect(second.alertRow(alertId).getByTestId('ack-button')).toHaveCount(0);
    await dashboard.screenshot('acknowledged');
  });

  test('an acknowledgement clicked while disconnected is queued and requested once after the reconnect', async ({ dashboard }) => {
    const { page, status } = dashboard;
    const frames = recordFrames(page);
    await expect.poll(() => dashboard.feedItems.count()).toBeGreaterThanOrEqual(3);
    await dashboard.openDetails();
    await page.getByTestId('hb-disconnect').click();
    await expect(status).toHaveAttribute('data-status', 'disconnected');
    await dashboard.closeDetails();
    const alertId = await dashboard.alertIdAt(1);

    await dashboard.alertRow(alertId).getByTestId('ack-button').click();
    await expect(dashboard.alertRow(alertId)).toHaveAttribute('data-ack', 'queued');
    await expect(dashboard.alertRow(alertId)).toContainText('Queued (offline)');
    await page.waitForTimeout(1000);
    expect(ackRequests(frames.sent, alertId)).toEqual([]);

    await dashboard.openDetails();
    await page.getByTestId('hb-reconnect').click();
    await expect(status).toHaveAttribute('data-status', 'connected');
    await expect(dashboard.alertRow(alertId)).toHaveAttribute('data-ack', 'acknowledged');
    await expect(page.getByTestId('session-resumed')).toHaveAttribute('data-resumed', 'true');
    // Sent once, on the new connection, after its welcome and resubscriptions; answered once.
    const sent = ackRequests(frames.sent, alertId);
    expect(sent).toHaveLength(1);
    const types = frames.sent.map((text) => (JSON.parse(text) as { type: string }).type);
    expect(types.indexOf('request')).toBeGreaterThan(types.lastIndexOf('subscribe'));
    const results = frames.received.filter((text) => text.includes('"result"') && text.includes(sent[0].id));
    expect(results).toHaveLength(1);
  });

  test('an acknowledgement clicked while the server is down is delivered to the restarted server, in a new session', async ({ dashboard }) => {
    const { page, server, status } = dashboard;
    await expect.poll(() => dashboard.feedItems.count()).toBeGreaterThanOrEqual(3);
    const sessionBefore = await page.getByTestId('session-id').textContent();
    await server.kill();
    await expect(status).not.toHaveAttribute('data-status', 'connected');
    const alertId = await dashboard.alertIdAt(0);

    await dashboard.alertRow(alertId).getByTestId('ack-button').click();
    await expect(dashboard.alertRow(alertId)).toHaveAttribute('data-ack', 'queued');

    await server.restart();
    await expect(status).toHaveAttribute('data-status', 'connected', { timeout: 30_000 });
    await expect(dashboard.alertRow(alertId)).toHaveAttribute('data-ack', 'acknowledged');
    // Honest about what a restart costs: the in-memory server forgot the session and the alerts.
    await expect(page.getByTestId('session-resumed')).toHaveAttribute('data-resumed', 'false');
    await expect(page.getByTestId('session-id')).not.toHaveText(sessionBefore ?? '');
    await expect(dashboard.resyncMarkers.first()).toContainText('The session could not be resumed');
  });

  test('a page reload resumes the session and replays the alerts it missed', async ({ dashboard }) => {
    const { page, status } = dashboard;
    await expect.poll(() => dashboard.feedItems.count()).toBeGreaterThanOrEqual(3);
    // Disconnected first, so that the last alert seen before the reload is known exactly.
    await dashboard.openDetails();
    await page.getByTestId('hb-disconnect').click();
    await expect(status).toHaveAttribute('data-status', 'disconnected');
    const lastBefore = (await dashboard.seqs())[0];
    const epoch = await dashboard.newestEpoch();
    const session = await page.getByTestId('session-id').textContent();

    await page.reload();
    await expect(status).toHaveAttribute('data-status', 'connected');
    await expect(page.getByTestId('session-id')).toHaveText(session ?? '');
    await expect(page.getByTestId('session-resumed')).toHaveAttribute('data-resumed', 'true');
    await expect.poll(async () => (await dashboard.seqs(epoch)).length).toBeGreaterThanOrEqual(5);
    const seqs = await dashboard.seqs(epoch);
    expect(seqs.at(-1)).toBe(lastBefore + 1);
    expectConsecutiveDescending(seqs);
    await expect(dashboard.resyncMarkers).toHaveCount(0);
  });

  test('the online panel shows the operator, with one more dashboard for each page open', async ({ dashboard, context, server }) => {
    const member = dashboard.page.locator(`[data-testid="online-member"][data-user-id="${OPERATOR}"]`);
    await expect(member).toContainText('1 dashboard');

    const second = new DashboardPage(await context.newPage(), server);
    await second.open('/');
    await expect(second.status).toHaveAttribute('data-status', 'connected');
    await expect(member).toContainText('2 dashboards');
    await dashboard.screenshot('online');

    await second.page.close();
    await expect(member).toContainText('1 dashboard');
    await expect(dashboard.page.getByTestId('online-count')).toHaveText('1');
  });
});
