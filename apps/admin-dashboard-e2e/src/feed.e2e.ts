import { expect, expectConsecutiveDescending, test } from './support/fixtures.js';

test.describe('the live alert feed', () => {
  test('shows alerts of topic "alerts" newest first, with consecutive seq', async ({ dashboard }) => {
    await expect.poll(() => dashboard.feedItems.count()).toBeGreaterThanOrEqual(5);
    const seqs = await dashboard.seqs();
    expectConsecutiveDescending(seqs);
    await expect.poll(async () => (await dashboard.seqs())[0]).toBeGreaterThan(seqs[0]);
    await expect(dashboard.feedItems.first()).toContainText(/block|review|flag/);
    await expect(dashboard.feedItems.first()).toContainText(/cnt_\d+/);
    await dashboard.screenshot('feed');
  });

  test('misses no alert across a disconnect and a reconnect', async ({ dashboard }) => {
    const { page, status } = dashboard;
    await expect.poll(() => dashboard.feedItems.count()).toBeGreaterThanOrEqual(3);
    await dashboard.openDetails();
    await page.getByTestId('hb-disconnect').click();
    await expect(status).toHaveAttribute('data-status', 'disconnected');
    const lastBefore = (await dashboard.seqs())[0];
    // The server publishes 5 alerts a second meanwhile; the client must fetch them on resume.
    await page.waitForTimeout(1500);
    expect((await dashboard.seqs())[0]).toBe(lastBefore);

    await page.getByTestId('hb-reconnect').click();
    await expect(status).toHaveAttribute('data-status', 'connected');
    await expect.poll(async () => (await dashboard.seqs())[0]).toBeGreaterThan(lastBefore + 5);
    expectConsecutiveDescending(await dashboard.seqs());
    await expect(dashboard.resyncMarkers).toHaveCount(0);
  });

  test('reconnects after the server is killed and restarted, and marks the resync', async ({ dashboard }) => {
    const { page, server, status } = dashboard;
    await expect.poll(() => dashboard.feedItems.count()).toBeGreaterThanOrEqual(3);
    const oldEpoch = await dashboard.newestEpoch();

    await server.kill();
    const killedAt = Date.now();
    await expect(status).not.toHaveAttribute('data-status', 'connected');
    const detectedMs = Date.now() - killedAt;
    await dashboard.openDetails();
    await expect(page.getByTestId('hb-countdown')).toHaveAttribute('data-seconds', /^\d+$/);
    await expect(status).toHaveAttribute('data-status', 'connecting');
    await dashboard.screenshot('reconnecting');

    const restartAt = Date.now();
    await server.restart();
    const listeningAt = Date.now();
    await expect(status).toHaveAttribute('data-status', 'connected', { timeout: 30_000 });
    const connectedAt = Date.now();
    console.log(
      `server killed → dashboard noticed: ${detectedMs} ms; server restart → connected: ${connectedAt - restartAt} ms ` +
        `(server boot ${listeningAt - restartAt} ms, then listening → connected ${connectedAt - listeningAt} ms)`,
    );

    // The restarted server lost its in-memory buffer: a new epoch, and the feed says so.
    await expect(dashboard.resyncMarkers.first()).toBeVisible();
    await expect.poll(() => dashboard.newestEpoch()).not.toBe(oldEpoch);
    const newEpoch = await dashboard.newestEpoch();
    await expect.poll(async () => (await dashboard.seqs(newEpoch)).length).toBeGreaterThanOrEqual(5);
    expectConsecutiveDescending(await dashboard.seqs(newEpoch));
  });
});
