import type { Locator, Page } from '@playwright/test';
import { expect, test } from './support/fixtures.js';

/**
 * Where the indicator is moved to, as CSS for the dashboard page. The first one is the layout
 * docs/angular.md shows: the indicator at the start of the top bar.
 */
const POSITIONS = [
  { name: 'the start (left edge) of the top bar', css: '.top-bar { padding-inline: 0 !important } .top-bar hb-websocket-status { order: -1 }', placement: 'below-start' },
  { name: 'the end (right edge) of the top bar', css: '.top-bar { padding-inline: 0 !important }', placement: 'below-end' },
  { name: 'the bottom left corner', css: 'hb-websocket-status { position: fixed !important; left: 0; bottom: 0 }', placement: 'above-start' },
  { name: 'the bottom right corner', css: 'hb-websocket-status { position: fixed !important; right: 0; bottom: 0 }', placement: 'above-end' },
] as const;

/** Replaces the test's style sheet on the page. */
async function placeIndicator(page: Page, css: string): Promise<void> {
  await page.evaluate((text) => {
    let style = document.getElementById('e2e-indicator-position');
    if (!style) {
      style = document.createElement('style');
      style.id = 'e2e-indicator-position';
      document.head.append(style);
    }
    style.textContent = text;
  }, css);
}

/** Waits until `element`'s box lies fully inside the page's viewport, and returns that box. */
async function expectInsideViewport(page: Page, element: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const viewport = page.viewportSize();
  if (!viewport) throw new Error('The page has no fixed viewport size.');
  await expect
    .poll(async () => {
      const box = await element.boundingBox();
      return box !== null && box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width && box.y + box.height <= viewport.height;
    }, { message: `the panel lies inside the ${viewport.width} × ${viewport.height} viewport` })
    .toBe(true);
  const box = await element.boundingBox();
  if (!box) throw new Error('The panel disappeared.');
  return box;
}

test.describe('<hb-websocket-status> panel placement', () => {
  for (const position of POSITIONS) {
    test(`at ${position.name}, the panel opens ${position.placement.replace('-', ', aligned to the ')} edge, fully on screen`, async ({ dashboard }) => {
      const { page, details } = dashboard;
      await placeIndicator(page, position.css);
      const indicator = await page.getByTestId('hb-status-toggle').boundingBox();
      if (!indicator) throw new Error('The indicator is not rendered.');

      await dashboard.openDetails();
      const panel = await expectInsideViewport(page, details);

      await expect(details).toHaveAttribute('data-placement', position.placement);
      if (position.placement.startsWith('below')) expect(panel.y).toBeGreaterThanOrEqual(indicator.y + indicator.height);
      else expect(panel.y + panel.height).toBeLessThanOrEqual(indicator.y);
      // Still the same disclosure: the button says it is open, Escape closes and gives focus back.
      await expect(page.getByTestId('hb-status-toggle')).toHaveAttribute('aria-expanded', 'true');
      await page.getByTestId('hb-send-ping').focus();
      await page.keyboard.press('Escape');
      await expect(details).toBeHidden();
      await expect(page.getByTestId('hb-status-toggle')).toBeFocused();
    });
  }

  test('a panel whose content grows while it is open is placed again, without a ResizeObserver error', async ({ dashboard }) => {
    const { page, details } = dashboard;
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await placeIndicator(page, POSITIONS[2].css);
    await dashboard.openDetails();
    const before = await expectInsideViewport(page, details);

    // As a long error text would: the panel, opened above the indicator, grows downwards over it.
    await page.getByTestId('hb-error').evaluate((element) => {
      element.textContent = 'A long explanation of what went wrong and what to check. '.repeat(12);
    });

    await expect.poll(async () => (await details.boundingBox())?.height ?? 0).toBeGreaterThan(before.height);
    await expectInsideViewport(page, details);
    await expect(details).toHaveAttribute('data-placement', 'above-start');
    expect(errors).toEqual([]);
  });

  test('a window made smaller while the panel is open gets the panel placed again, scrolling if it must', async ({ dashboard }) => {
    const { page, details } = dashboard;
    await placeIndicator(page, POSITIONS[0].css);
    await dashboard.openDetails();
    await expectInsideViewport(page, details);

    await page.setViewportSize({ width: 360, height: 300 });

    await expectInsideViewport(page, details);
    // Too tall for the room under the top bar: it scrolls, so the last control is still reachable.
    const scrolls = await details.evaluate((element) => element.scrollHeight > element.clientHeight);
    expect(scrolls).toBe(true);
    await page.getByTestId('hb-auto-reconnect').scrollIntoViewIfNeeded();
    await expect(page.getByTestId('hb-auto-reconnect')).toBeInViewport();
  });
});
