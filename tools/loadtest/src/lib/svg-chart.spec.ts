import { describe, expect, it } from '@jest/globals';
import { escapeXml, niceCeiling, renderSvgChart } from './svg-chart.js';

describe('niceCeiling', () => {
  it.each([
    [0, 1],
    [-3, 1],
    [0.7, 1],
    [1, 1],
    [1.2, 2],
    [3, 5],
    [7, 10],
    [19_000, 20_000],
    [45, 50],
  ])('rounds %p up to %p', (value, expected) => {
    expect(niceCeiling(value)).toBe(expected);
  });
});

describe('escapeXml', () => {
  it('escapes the characters that would break the markup', () => {
    expect(escapeXml('a<b & "c">')).toBe('a&lt;b &amp; &quot;c&quot;&gt;');
  });
});

describe('renderSvgChart', () => {
  const chart = renderSvgChart({
    title: 'restart <1000>',
    xLabel: 's',
    leftLabel: 'connections',
    rightLabel: 'lag (ms)',
    width: 400,
    height: 200,
    series: [
      { name: 'clients', color: '#00f', axis: 'left', points: [[0, 0], [5, 1000], [10, 1000]] },
      { name: 'lag', color: '#f00', axis: 'right', points: [[0, 2], [5, null], [10, 4]] },
    ],
    markers: [{ x: 5, label: 'SIGKILL' }],
  });

  it('is a standalone SVG document of the given size', () => {
    expect(chart.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200"')).toBe(true);
    expect(chart.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('escapes the title', () => {
    expect(chart).toContain('restart &lt;1000&gt;');
  });

  it('scales a left series to the plot: x 0..10 s over 72..328, y 0..1000 over 152..48', () => {
    expect(chart).toContain('points="72.0,152.0 200.0,48.0 328.0,48.0"');
  });

  it('breaks a line where a value is missing', () => {
    const lagLines = chart.split('\n').filter((line) => line.includes('stroke="#f00"') && line.startsWith('<polyline'));
    expect(lagLines).toHaveLength(2);
  });

  it('scales the right axis on its own (lag 2 of 5 ms is 40 % up)', () => {
    expect(chart).toContain('points="72.0,110.4"');
  });

  it('draws markers with their label and a legend entry per series', () => {
    expect(chart).toContain('>SIGKILL</text>');
    expect(chart).toContain('>clients (left)</text>');
    expect(chart).toContain('>lag (right)</text>');
  });
});
