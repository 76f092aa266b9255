/** One sample of a time series; `value` null where nothing was measured (the line breaks there). */
export interface ChartPoint {
  t: number;
  value: number | null;
}

/** The drawing area in SVG units and the time window it shows (epoch ms). */
export interface ChartFrame {
  width: number;
  height: number;
  from: number;
  to: number;
}

/**
 * The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `value`, so that the y axis
 * ends on a round number; 1 for nothing to show.
 */
export function niceCeiling(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((factor) => factor * power >= value * (1 - 1e-12)) ?? 10;
  return step * power;
}

/** The y-axis top for these points: the largest value in the window, rounded up by `niceCeiling`. */
export function yAxisMax(points: readonly ChartPoint[], frame: ChartFrame): number {
  let max = 0;
  for (const point of points) {
    if (point.value !== null && point.t >= frame.from && point.t <= frame.to) max = Math.max(max, point.value);
  }
  return niceCeiling(max);
}

/**
 * An SVG path `d` drawing the points inside the window from left (`from`) to right (`to`), 0 at the
 * bottom and `yMax` at the top. A null value lifts the pen, so a gap in the data shows as a gap.
 */
export function linePath(points: readonly ChartPoint[], frame: ChartFrame, yMax: number): string {
  const span = frame.to - frame.from;
  if (span <= 0 || yMax <= 0) return '';
  const commands: string[] = [];
  let penDown = false;
  for (const point of points) {
    if (point.t < frame.from || point.t > frame.to || point.value === null) {
      penDown = false;
      continue;
    }
    const x = ((point.t - frame.from) / span) * frame.width;
    const y = frame.height - (Math.min(point.value, yMax) / yMax) * frame.height;
    commands.push(`${penDown ? 'L' : 'M'}${round(x)},${round(y)}`);
    penDown = true;
  }
  return commands.join(' ');
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
