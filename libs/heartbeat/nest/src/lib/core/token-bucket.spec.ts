import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  describe('#take', () => {
    it('admits a whole burst at once, then refuses', () => {
      const bucket = new TokenBucket({ messagesPerSecond: 10, burst: 5 }, 0);
      expect(Array.from({ length: 5 }, () => bucket.take(0))).toEqual([true, true, true, true, true]);
      expect(bucket.take(0)).toBe(false);
    });

    it('refills at the rate: one token per 1000 / rate ms', () => {
      const bucket = new TokenBucket({ messagesPerSecond: 10, burst: 5 }, 0);
      for (let i = 0; i < 5; i++) bucket.take(0);
      expect(bucket.take(99)).toBe(false);
      expect(bucket.take(100)).toBe(true);
      expect(bucket.take(100)).toBe(false);
    });

    it('sustains exactly the rate over time', () => {
      const bucket = new TokenBucket({ messagesPerSecond: 50, burst: 1 }, 0);
      let admitted = 0;
      for (let t = 0; t <= 10_000; t += 5) if (bucket.take(t)) admitted++;
      // 1 at t = 0, then one per 20 ms for 10 s.
      expect(admitted).toBe(501);
    });

    it('never holds more than the burst, however long it stayed idle', () => {
      const bucket = new TokenBucket({ messagesPerSecond: 10, burst: 3 }, 0);
      const later = 3_600_000;
      expect(Array.from({ length: 4 }, () => bucket.take(later))).toEqual([true, true, true, false]);
    });

    it('ignores a clock that goes backwards', () => {
      const bucket = new TokenBucket({ messagesPerSecond: 10, burst: 1 }, 1_000);
      expect(bucket.take(1_000)).toBe(true);
      expect(bucket.take(500)).toBe(false);
      expect(bucket.take(1_100)).toBe(true);
    });
  });

  describe('#msUntilFull', () => {
    it('is 0 for a full bucket and the refill time of what was taken otherwise', () => {
      const bucket = new TokenBucket({ messagesPerSecond: 100, burst: 200 }, 0);
      expect(bucket.msUntilFull(0)).toBe(0);
      for (let i = 0; i < 200; i++) bucket.take(0);
      expect(bucket.msUntilFull(0)).toBe(2_000);
      expect(bucket.msUntilFull(500)).toBe(1_500);
    });
  });
});
