import { describe, expect, it } from '@jest/globals';
import { ProgressLine, progressBar } from './progress.js';

function stream(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, written, write: (text: string) => written.push(text) };
}

describe('progressBar', () => {
  it('fills its width in proportion and shows the whole percent', () => {
    expect(progressBar(0.5, 10)).toBe('[#####.....]  50 %');
    expect(progressBar(1, 4)).toBe('[####] 100 %');
  });

  it('clamps shares outside 0..1 and treats NaN as 0', () => {
    expect(progressBar(2, 4)).toBe('[####] 100 %');
    expect(progressBar(Number.NaN, 4)).toBe('[....]   0 %');
  });
});

describe('ProgressLine', () => {
  describe('#update', () => {
    it('redraws one line in place on a terminal, blanking what a longer text left', () => {
      const out = stream(true);
      const line = new ProgressLine(out);
      line.update('connecting 10/100');
      line.update('done 1');
      expect(out.written).toEqual(['\rconnecting 10/100', '\rdone 1'.padEnd('\rconnecting 10/100'.length)]);
    });

    it('prints a line at most every interval in a log', () => {
      const out = stream(false);
      let now = 0;
      const line = new ProgressLine(out, 5_000, () => now);
      line.update('a');
      now = 1_000;
      line.update('b');
      now = 5_000;
      line.update('c');
      expect(out.written).toEqual(['a\n', 'c\n']);
    });
  });

  describe('#done', () => {
    it('always prints the final text and ends the line', () => {
      const out = stream(false);
      const line = new ProgressLine(out, 5_000, () => 0);
      line.update('a');
      line.done('finished');
      expect(out.written).toEqual(['a\n', 'finished\n']);
    });
  });
});
