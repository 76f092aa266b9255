import { type Page, expect, test } from '@playwright/test';

const VIEWPORTS = [
  { name: 'a desktop window', width: 1280, height: 800 },
  { name: 'a phone', width: 360, height: 640 },
];

test.describe(`the Angular example against the Nest example (${process.env['EXAMPLE_PLATFORM']})`, () => {
  for (const viewport of VIEWPORTS) {
    test(`connects, renders live alerts in order and keeps the details panel on screen in ${viewport.name}`, async ({ page }) => {
      await page.setViewportSize(viewport);
      const errors = collectErrors(page);
      await page.goto(process.env['EXAMPLE_URL'] ?? '');

      await expect(page.locator('hb-websocket-status')).toHaveAttribute('data-status', 'connected');
      const alerts = page.locator('li.alert');
      await expect.poll(() => alerts.count()).toBeGreaterThanOrEqual(3);
      const seqs = (await alerts.evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-seq'))))).slice(0, 3);
      // Newest first, each seq once and none skipped.
      expect(seqs).toEqual([seqs[0], seqs[0] - 1, seqs[0] - 2]);

      await page.getByTestId('hb-status-toggle').click();
      const panel = page.getByTestId('hb-status-details');
      await expect(panel).toBeVisible();
      const box = await panel.boundingBox();
      if (box === null) throw new Error('The details panel has no box: it is not rendered.');
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
      expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);

      expect(errors).toEqual([]);
    });
  }
});

/** Console errors and uncaught exceptions of the page, as they happen. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}
