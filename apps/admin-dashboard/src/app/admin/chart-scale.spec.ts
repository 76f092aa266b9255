import { type ChartFrame, linePath, niceCeiling, yAxisMax } from './chart-scale';

const FRAME: ChartFrame = { width: 100, height: 50, from: 1000, to: 2000 };

describe('niceCeiling', () => {
  it.each([
    [7, 10],
    [10, 10],
    [12, 20],
    [21, 25],
    [26, 50],
    [0.3, 0.5],
    [0.0042, 0.005],
    [180, 200],
    [1, 1],
  ])('rounds %d up to %d', (value, expected) => {
    expect(niceCeiling(value)).toBeCloseTo(expected, 10);
  });

  it.each([0, -3, Number.NaN, Number.POSITIVE_INFINITY])('gives 1 for %d', (value) => {
    expect(niceCeiling(value)).toBe(1);
  });
});

describe('yAxisMax', () => {
  it('takes the largest value inside the window', () => {
    const points = [
      { t: 500, value: 900 },
      { t: 1500, value: 42 },
      { t: 1800, value: null },
    ];
    expect(yAxisMax(points, FRAME)).toBe(50);
  });

  it('gives 1 for an empty window', () => {
    expect(yAxisMax([], FRAME)).toBe(1);
  });
});

describe('linePath', () => {
  it('maps time to x and value to y with 0 at the bottom', () => {
    const points = [
      { t: 1000, value: 0 },
      { t: 1500, value: 5 },
      { t: 2000, value: 10 },
    ];
    expect(linePath(points, FRAME, 10)).toBe('M0,50 L50,25 L100,0');
  });

  it('lifts the pen at a missing value', () => {
    const points = [
      { t: 1000, value: 1 },
      { t: 1250, value: 1 },
      { t: 1500, value: null },
      { t: 1750, value: 1 },
    ];
    expect(linePath(points, FRAME, 2)).toBe('M0,25 L25,25 M75,25');
  });

  it('leaves out points outside the window and clamps values above yMax', () => {
    const points = [
      { t: 900, value: 1 },
      { t: 1100, value: 30 },
      { t: 2100, value: 1 },
    ];
    expect(linePath(points, FRAME, 10)).toBe('M10,0');
  });

  it('draws nothing for an empty window', () => {
    expect(linePath([{ t: 1000, value: 1 }], { ...FRAME, to: 1000 }, 1)).toBe('');
  });
});
