import { formatBytes, formatDuration, formatRtt } from './format';

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [850.4, '850 ms'],
    [42_500, '42 s'],
    [185_000, '3 min 05 s'],
    [7_620_000, '2 h 07 min'],
    [-1, '–'],
    [Number.NaN, '–'],
  ])('shows %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [3 * 1024 * 1024, '3.0 MiB'],
    [-5, '–'],
  ])('shows %d as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatRtt', () => {
  it.each([
    [null, '–'],
    [0.42, '0.4 ms'],
    [9.96, '10.0 ms'],
    [12.6, '13 ms'],
  ])('shows %p as %s', (ms, text) => {
    expect(formatRtt(ms)).toBe(text);
  });
});
