/**
 * A time chart as a standalone SVG file: lines on a left and an optional right axis (e.g.
 * connections and event-loop lag), vertical markers for moments such as a restart. Written by
 * hand: a chart dependency would be larger than this file.
 */

/** x in seconds; y null where there is no value (the line breaks there). */
export type ChartPoint = readonly [x: number, y: number | null];

export interface ChartSeries {
  readonly name: string;
  readonly color: string;
  readonly axis: 'left' | 'right';
  readonly points: readonly ChartPoint[];
}

export interface ChartMarker {
  readonly x: number;
  readonly label: string;
}

export interface LineChart {
  readonly title: string;
  readonly xLabel: string;
  readonly leftLabel: string;
  readonly rightLabel?: string;
  readonly series: readonly ChartSeries[];
  readonly markers?: readonly ChartMarker[];
  readonly width?: number;
  readonly height?: number;
}

const MARGIN = { top: 48, right: 72, bottom: 48, left: 72 };
const TICKS = 5;

/** The smallest 1, 2 or 5 × 10^k at or above `value` (an axis end that reads well); 1 for 0 or less. */
export function niceCeiling(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((factor) => factor * magnitude >= value * (1 - 1e-12)) as number;
  return step * magnitude;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function tickLabel(value: number): string {
  if (value >= 10_000) return `${Number((value / 1000).toPrecision(3))}k`;
  return Number(value.toPrecision(3)).toString();
}

/** Consecutive runs of points with a value, as `x,y` lists for polylines. */
function segments(points: readonly ChartPoint[], toX: (x: number) => number, toY: (y: number) => number): string[] {
  const runs: string[] = [];
  let current: string[] = [];
  for (const [x, y] of points) {
    if (y === null || !Number.isFinite(y)) {
      if (current.length) runs.push(current.join(' '));
      current = [];
      continue;
    }
    current.push(`${toX(x).toFixed(1)},${toY(y).toFixed(1)}`);
  }
  if (current.length) runs.push(current.join(' '));
  return runs;
}

export function renderSvgChart(chart: LineChart): string {
  const width = chart.width ?? 900;
  const height = chart.height ?? 400;
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const valuesOn = (axis: 'left' | 'right') =>
    chart.series.filter((s) => s.axis === axis).flatMap((s) => s.points.map(([, y]) => y).filter((y): y is number => y !== null && Number.isFinite(y)));
  const xs = chart.series.flatMap((s) => s.points.map(([x]) => x));
  const xMax = niceCeiling(Math.max(0, ...xs, ...(chart.markers ?? []).map((m) => m.x)));
  const leftMax = niceCeiling(Math.max(0, ...valuesOn('left')));
  const rightMax = niceCeiling(Math.max(0, ...valuesOn('right')));
  const toX = (x: number) => MARGIN.left + (x / xMax) * plotWidth;
  const toY = (max: number) => (y: number) => MARGIN.top + plotHeight - (Math.min(y, max) / max) * plotHeight;
  const bottom = MARGIN.top + plotHeight;
  const right = MARGIN.left + plotWidth;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`,
  ];
  for (let i = 0; i <= TICKS; i++) {
    const y = MARGIN.top + plotHeight - (i / TICKS) * plotHeight;
    const x = MARGIN.left + (i / TICKS) * plotWidth;
    parts.push(
      `<line x1="${MARGIN.left}" y1="${y.toFixed(1)}" x2="${right}" y2="${y.toFixed(1)}" stroke="#e5e5e5"/>`,
      `<text x="${MARGIN.left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${tickLabel((leftMax * i) / TICKS)}</text>`,
      `<text x="${x.toFixed(1)}" y="${bottom + 18}" text-anchor="middle">${tickLabel((xMax * i) / TICKS)}</text>`,
    );
    if (chart.rightLabel) parts.push(`<text x="${right + 6}" y="${(y + 4).toFixed(1)}">${tickLabel((rightMax * i) / TICKS)}</text>`);
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.leftLabel)}</text>`,
  );
  if (chart.rightLabel) {
    parts.push(`<text transform="translate(${width - 12} ${MARGIN.top + plotHeight / 2}) rotate(90)" text-anchor="middle">${escapeXml(chart.rightLabel)}</text>`);
  }
  (chart.markers ?? []).forEach((marker, index) => {
    const x = toX(marker.x);
    // Labels of markers close together (SIGKILL, then listening) alternate between two rows.
    const labelY = bottom - 6 - (index % 2) * 14;
    parts.push(
      `<line x1="${x.toFixed(1)}" y1="${MARGIN.top}" x2="${x.toFixed(1)}" y2="${bottom}" stroke="#999" stroke-dasharray="4 3"/>`,
      `<text x="${(x + 3).toFixed(1)}" y="${labelY}" fill="#555">${escapeXml(marker.label)}</text>`,
    );
  });
  chart.series.forEach((series, index) => {
    const scale = toY(series.axis === 'left' ? leftMax : rightMax);
    for (const run of segments(series.points, toX, scale)) {
      parts.push(`<polyline fill="none" stroke="${escapeXml(series.color)}" stroke-width="1.8" points="${run}"/>`);
    }
    // The legend sits between the title and the plot, where no line can run under it.
    const legendX = MARGIN.left + index * 220;
    const legendY = MARGIN.top - 12;
    parts.push(
      `<line x1="${legendX}" y1="${legendY}" x2="${legendX + 18}" y2="${legendY}" stroke="${escapeXml(series.color)}" stroke-width="3"/>`,
      `<text x="${legendX + 24}" y="${legendY + 4}">${escapeXml(`${series.name} (${series.axis})`)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
