import { describe, expect, it } from '@jest/globals';
import { manualClock } from './manual-clock.js';

describe('manualClock', () => {
  describe('#advance', () => {
    it('runs the timers that fall due in due order, each at its time, and moves to the end', () => {
      const clock = manualClock(1000);
      const ran: string[] = [];
      clock.setTimeout(() => ran.push(`b@${clock.now()}`), 20);
      clock.setTimeout(() => ran.push(`a@${clock.now()}`), 10);
      clock.setTimeout(() => ran.push('late'), 31);
      clock.advance(30);
      expect(ran).toEqual(['a@1010', 'b@1020']);
      expect(clock.now()).toBe(1030);
      expect(clock.pending).toBe(1);
    });

    it('repeats an interval until it is cleared, and runs a timer set by a timer that falls due', () => {
      const clock = manualClock();
      const ticks: number[] = [];
      const interval = clock.setInterval(() => ticks.push(clock.now()), 5);
      clock.setTimeout(() => clock.setTimeout(() => ticks.push(-clock.now()), 1), 7);
      clock.advance(12);
      clock.clearInterval(interval);
      clock.advance(100);
      expect(ticks).toEqual([5, -8, 10]);
      expect(clock.pending).toBe(0);
    });

    it('runs nothing that was cleared', () => {
      const clock = manualClock();
      const handle = clock.setTimeout(() => {
        throw new Error('cleared timer ran');
      }, 1);
      clock.clearTimeout(handle);
      clock.advance(10);
      expect(clock.pending).toBe(0);
    });
  });
});
