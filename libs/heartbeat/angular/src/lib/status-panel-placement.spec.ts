import { placeStatusPanel, type PlacementAnchor } from './status-panel-placement.js';

describe('placeStatusPanel', () => {
  const viewport = { width: 1000, height: 700 };
  const panel = { width: 300, height: 400 };
  const options = { gap: 6, margin: 8 };

  /** An indicator 100 × 30 px with its top-left corner at (left, top). */
  function indicator(left: number, top: number): PlacementAnchor {
    return { left, top, right: left + 100, bottom: top + 30 };
  }

  /** The panel's box for a placement, to check it against the viewport. */
  function box(place: ReturnType<typeof placeStatusPanel>): { left: number; top: number; right: number; bottom: number } {
    const height = place.maxHeight ?? panel.height;
    return { left: place.left, top: place.top, right: place.left + panel.width, bottom: place.top + height };
  }

  describe('in general', () => {
    it('opens under an indicator at the end of a top bar, aligned to its end edge', () => {
      const place = placeStatusPanel(indicator(880, 10), panel, viewport, options);

      expect(place).toEqual({ side: 'below', align: 'end', left: 680, top: 46, maxHeight: null });
    });

    it('keeps the panel inside the viewport wherever the indicator sits', () => {
      for (const left of [0, 250, 450, 900]) {
        for (const top of [0, 335, 670]) {
          const place = box(placeStatusPanel(indicator(left, top), panel, viewport, options));

          expect([left, top, place.left >= 8 && place.right <= 992]).toEqual([left, top, true]);
          expect([left, top, place.top >= 8 && place.bottom <= 692]).toEqual([left, top, true]);
        }
      }
    });

    it('brings the panel of an indicator scrolled partly out of view back into the viewport', () => {
      const place = placeStatusPanel(indicator(450, -20), panel, viewport, options);

      expect(place).toMatchObject({ side: 'below', top: 16 });
      expect(placeStatusPanel(indicator(450, -100), panel, viewport, options).top).toBe(8);
    });

    it('uses a 6 px gap and an 8 px margin by default', () => {
      expect(placeStatusPanel(indicator(0, 10), panel, viewport)).toMatchObject({ left: 8, top: 46 });
    });
  });

  describe('horizontally', () => {
    it('aligns to the start edge of an indicator at the left edge, so the panel opens to the right', () => {
      const place = placeStatusPanel(indicator(0, 10), panel, viewport, options);

      expect(place).toEqual({ side: 'below', align: 'start', left: 8, top: 46, maxHeight: null });
    });

    it('aligns to the edge that overflows less when neither fits, then clamps', () => {
      // 180 px wide: aligned to the end the panel starts at -100 (108 px out), aligned to the start
      // it ends at 450 (58 px out of a 400 px viewport).
      const place = placeStatusPanel({ left: 150, top: 10, right: 200, bottom: 40 }, panel, { width: 400, height: 700 }, options);

      expect(place.align).toBe('start');
      expect(place.left).toBe(92);
    });

    it('honours a forced alignment and still clamps it', () => {
      expect(placeStatusPanel(indicator(450, 10), panel, viewport, { ...options, align: 'start' })).toMatchObject({ align: 'start', left: 450 });
      expect(placeStatusPanel(indicator(450, 10), panel, viewport, { ...options, align: 'end' })).toMatchObject({ align: 'end', left: 250 });
      expect(placeStatusPanel(indicator(0, 10), panel, viewport, { ...options, align: 'end' })).toMatchObject({ align: 'end', left: 8 });
    });

    it('mirrors start and end in right-to-left text', () => {
      // The start edge is the right one: an indicator at the right edge of an RTL bar is at its start.
      const atStart = placeStatusPanel(indicator(900, 10), panel, viewport, { ...options, rtl: true });
      const atEnd = placeStatusPanel(indicator(0, 10), panel, viewport, { ...options, rtl: true });

      expect(atStart).toMatchObject({ align: 'start', left: 692 });
      expect(atEnd).toMatchObject({ align: 'end', left: 8 });
    });

    it('shows the start of a panel wider than the viewport', () => {
      const wide = { width: 1200, height: 100 };

      expect(placeStatusPanel(indicator(450, 10), wide, viewport, options).left).toBe(8);
      expect(placeStatusPanel(indicator(450, 10), wide, viewport, { ...options, rtl: true }).left).toBe(-208);
    });
  });

  describe('vertically', () => {
    it('opens above an indicator at the bottom of the viewport', () => {
      const place = placeStatusPanel(indicator(450, 660), panel, viewport, options);

      expect(place).toEqual({ side: 'above', align: 'end', left: 250, top: 254, maxHeight: null });
    });

    it('takes the roomier side and a max height when the panel fits neither above nor below', () => {
      // 386 px above, 256 px below.
      const above = placeStatusPanel(indicator(450, 400), { width: 300, height: 600 }, viewport, options);
      // 286 px above, 356 px below.
      const below = placeStatusPanel(indicator(450, 300), { width: 300, height: 600 }, viewport, options);

      expect(above).toMatchObject({ side: 'above', maxHeight: 386, top: 8 });
      expect(below).toMatchObject({ side: 'below', maxHeight: 356, top: 336 });
    });
  });
});
