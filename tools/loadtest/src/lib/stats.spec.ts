import { describe, expect, it } from '@jest/globals';
import { peakInWindow, perSlice, quantile, ratio, round, summarize } from './stats.js';

describe('quantile', () => {
  it('interpolates between the two closest ranks', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 0], 0.25)).toBe(2.5);
  });

  it('gives the ends for 0 and 1, clamping beyond them', () => {
    expect(quantile([5, 1, 3], 0)).toBe(1);
    expect(quantile([5, 1, 3], 1)).toBe(5);
    expect(quantile([5, 1, 3], 7)).toBe(5);
  });

  it('is NaN for no values', () => {
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe('summarize', () => {
  it('gives count, extremes, mean and the usual quantiles', () => {
    const values = Array.from({ length: 101 }, (_, i) => i);
    expect(summarize(values)).toEqual({ count: 101, min: 0, p50: 50, p90: 90, p99: 99, max: 100, mean: 50 });
  });

  it('is NaN throughout for no values, with a count of 0', () => {
    const summary = summarize([]);
    expect(summary.count).toBe(0);
    expect(summary.p99).toBeNaN();
    expect(summary.mean).toBeNaN();
  });
});

describe('peakInWindow', () => {
  it('counts the most times within any window, not only clock-aligned ones', () => {
    expect(peakInWindow([900, 1_000, 1_100, 1_800, 3_000], 1_000)).toBe(4);
  });

  it('keeps a time exactly one window later out of the window', () => {
    expect(peakInWindow([0, 1_000], 1_000)).toBe(1);
  });

  it('is 0 for no times', () => {
    expect(peakInWindow([], 1_000)).toBe(0);
  });
});

describe('perSlice', () => {
  it('counts times per slice from the start, leaving out those before or after', () => {
    expect(perSlice([-1, 0, 99, 100, 250, 300], 0, 100, 3)).toEqual([2, 1, 1]);
  });
});

describe('ratio', () => {
  it('divides, and is NaN for a missing value or a zero baseline', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeNaN();
    expect(ratio(Number.NaN, 2)).toBeNaN();
  });
});

describe('round', () => {
  it('keeps three significant digits below 100 and whole numbers with separators above', () => {
    expect(round(0.012345)).toBe('0.0123');
    expect(round(12.345)).toBe('12.3');
    expect(round(12_345.6)).toBe('12,346');
  });

  it('shows a dash for what is not a number', () => {
    expect(round(Number.NaN)).toBe('—');
  });
});
