import { describe, expect, it } from '@jest/globals';
import { StreamCheck } from './stream-check.js';

function check(events: [string, number][], gapBefore: number[] = []): StreamCheck {
  const stream = new StreamCheck();
  events.forEach(([epoch, seq], i) => {
    if (gapBefore.includes(i)) stream.gap();
    stream.event(epoch, seq);
  });
  return stream;
}

describe('StreamCheck', () => {
  describe('#event', () => {
    it('counts a stream without holes as complete', () => {
      expect(check([['e', 5], ['e', 6], ['e', 7]])).toMatchObject({ delivered: 3, lost: 0, duplicates: 0 });
    });

    it('counts the seqs skipped without a gap as lost', () => {
      expect(check([['e', 1], ['e', 4], ['e', 5]])).toMatchObject({ lost: 2, duplicates: 0 });
    });

    it('counts a seq at or below the last one as a duplicate', () => {
      expect(check([['e', 1], ['e', 2], ['e', 2], ['e', 1], ['e', 3]])).toMatchObject({ delivered: 5, lost: 0, duplicates: 2 });
    });

    it('counts an epoch change nobody announced apart from losses', () => {
      expect(check([['a', 1], ['b', 1]])).toMatchObject({ lost: 0, silentEpochChanges: 1 });
    });
  });

  describe('#gap', () => {
    it('makes the next jump a reported loss, not a silent one', () => {
      expect(check([['e', 1], ['e', 10], ['e', 12]], [1])).toMatchObject({ gaps: 1, lost: 1 });
    });

    it('announces an epoch change', () => {
      expect(check([['a', 1], ['b', 7]], [1])).toMatchObject({ gaps: 1, silentEpochChanges: 0, lost: 0 });
    });
  });
});
