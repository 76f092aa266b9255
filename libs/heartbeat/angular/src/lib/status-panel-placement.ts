/**
 * Which edge of the indicator the details panel lines up with: `'start'` (the panel opens towards
 * the line's end, i.e. to the right in a left-to-right page), `'end'` (towards the start), or
 * `'auto'`: the end edge when the panel fits there, else the start edge, else the side that cuts
 * off less — and the panel is clamped to the viewport in every case.
 */
export type StatusPanelAlign = 'auto' | 'start' | 'end';

/** The indicator's box in viewport coordinates (what `getBoundingClientRect()` returns). */
export interface PlacementAnchor {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

export interface PlacementSize {
  readonly width: number;
  readonly height: number;
}

export interface StatusPanelPlacementOptions {
  readonly align?: StatusPanelAlign;
  /** Right-to-left text: the start edge is the right one. */
  readonly rtl?: boolean;
  /** Space between the indicator and the panel, in px. */
  readonly gap?: number;
  /** Space kept free between the panel and the viewport's edges, in px. */
  readonly margin?: number;
}

export interface StatusPanelPlacement {
  /** Whether the panel opened under the indicator or over it. */
  readonly side: 'below' | 'above';
  /** The indicator edge the panel is aligned to (before clamping), in logical terms. */
  readonly align: 'start' | 'end';
  /** The panel's top-left corner in viewport coordinates. */
  readonly left: number;
  readonly top: number;
  /** Set when the panel is taller than the room on either side; it then scrolls. */
  readonly maxHeight: number | null;
}

export const STATUS_PANEL_GAP_PX = 6;
export const STATUS_PANEL_MARGIN_PX = 8;

/**
 * Where the status panel goes for an indicator at `anchor`: under it when it fits there, else over
 * it, else on the roomier side with a `maxHeight`; aligned to one of the indicator's inline edges;
 * then moved, if need be, so that it stays `margin` px inside the viewport.
 */
export function placeStatusPanel(
  anchor: PlacementAnchor,
  panel: PlacementSize,
  viewport: PlacementSize,
  { align = 'auto', rtl = false, gap = STATUS_PANEL_GAP_PX, margin = STATUS_PANEL_MARGIN_PX }: StatusPanelPlacementOptions = {},
): StatusPanelPlacement {
  const horizontal = placeHorizontally(anchor, panel.width, viewport.width, align, rtl, margin);
  const vertical = placeVertically(anchor, panel.height, viewport.height, gap, margin);
  return { ...horizontal, ...vertical };
}

function placeHorizontally(
  anchor: PlacementAnchor,
  width: number,
  viewportWidth: number,
  align: StatusPanelAlign,
  rtl: boolean,
  margin: number,
): Pick<StatusPanelPlacement, 'align' | 'left'> {
  const leftWhenAligned = (edge: 'start' | 'end'): number =>
    (edge === 'start') !== rtl ? anchor.left : anchor.right - width;
  const minLeft = margin;
  const maxLeft = viewportWidth - margin - width;
  const overflow = (left: number): number => Math.max(0, minLeft - left) + Math.max(0, left - maxLeft);

  let edge: 'start' | 'end';
  if (align !== 'auto') {
    edge = align;
  } else {
    // The end edge first: that is where the panel always opened, and the usual spot for a status
    // indicator is the end of a top bar.
    edge = overflow(leftWhenAligned('end')) <= overflow(leftWhenAligned('start')) ? 'end' : 'start';
  }

  let left = leftWhenAligned(edge);
  if (maxLeft < minLeft) {
    // Wider than the viewport allows: keep the panel's start edge, where its text begins, in view.
    left = rtl ? maxLeft : minLeft;
  } else {
    left = Math.min(Math.max(left, minLeft), maxLeft);
  }
  return { align: edge, left };
}

function placeVertically(
  anchor: PlacementAnchor,
  height: number,
  viewportHeight: number,
  gap: number,
  margin: number,
): Pick<StatusPanelPlacement, 'side' | 'top' | 'maxHeight'> {
  const roomBelow = viewportHeight - margin - (anchor.bottom + gap);
  const roomAbove = anchor.top - gap - margin;

  let side: 'below' | 'above';
  let maxHeight: number | null = null;
  if (height <= roomBelow) side = 'below';
  else if (height <= roomAbove) side = 'above';
  else {
    side = roomAbove > roomBelow ? 'above' : 'below';
    maxHeight = Math.max(0, Math.min(Math.max(roomAbove, roomBelow), viewportHeight - 2 * margin));
  }

  const shown = maxHeight ?? height;
  const top = side === 'below' ? anchor.bottom + gap : anchor.top - gap - shown;
  // An indicator scrolled partly out of view still gets a panel inside the viewport.
  const clamped = Math.min(Math.max(top, margin), Math.max(margin, viewportHeight - margin - shown));
  return { side, top: clamped, maxHeight };
}
