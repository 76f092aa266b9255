/** Figures of a run: quantiles of samples, rates over time windows, ratios. */

export interface Summary {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * The q-quantile (0..1) of `values`, interpolated between the two closest ranks (as spreadsheets
 * and numpy do by default), so that small samples do not jump from one value to the next.
 * NaN for no values.
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return quantileOfSorted(sorted, q);
}

function quantileOfSorted(sorted: Float64Array, q: number): number {
  const position = Math.min(1, Math.max(0, q)) * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  const lower = sorted[below] as number;
  return lower + ((sorted[above] as number) - lower) * (position - below);
}

export function summarize(values: readonly number[]): Summary {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => (sorted.length === 0 ? Number.NaN : quantileOfSorted(sorted, q));
  let total = 0;
  for (const value of sorted) total += value;
  return {
    count: sorted.length,
    min: at(0),
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: at(1),
    mean: sorted.length === 0 ? Number.NaN : total / sorted.length,
  };
}

/** The most `times` (ms) that fall within any `windowMs` (a sliding window, not aligned to a clock). */
export function peakInWindow(times: readonly number[], windowMs: number): number {
  const sorted = Float64Array.from(times).sort();
  let best = 0;
  let first = 0;
  sorted.forEach((time, last) => {
    while (time - (sorted[first] as number) >= windowMs) first += 1;
    best = Math.max(best, last - first + 1);
  });
  return best;
}

/** Counts of `times` (ms) in consecutive slices of `sliceMs` from `from`; times before `from` are left out. */
export function perSlice(times: readonly number[], from: number, sliceMs: number, slices: number): number[] {
  const counts = Array.from({ length: slices }, () => 0);
  for (const time of times) {
    const index = Math.floor((time - from) / sliceMs);
    if (index >= 0 && index < slices) counts[index] = (counts[index] as number) + 1;
  }
  return counts;
}

/** `value / baseline`, NaN when either is missing or the baseline is 0. */
export function ratio(value: number, baseline: number): number {
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) return Number.NaN;
  return value / baseline;
}

/** Rounds for display: 3 significant digits below 100, whole numbers above. */
export function round(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return Number(value.toPrecision(3)).toString();
}
