import { msUntilFull, refilledTokens } from './token-bucket.js';

describe('token bucket', () => {
  const rate = { messagesPerSecond: 10, burst: 5 };

  describe('refilledTokens', () => {
    it('adds one token per 1000 / rate ms', () => {
      expect(refilledTokens(rate, 0, 0, 99)).toBeCloseTo(0.99);
      expect(refilledTokens(rate, 0, 0, 100)).toBe(1);
      expect(refilledTokens(rate, 2, 1_000, 1_250)).toBe(4.5);
    });

    it('never holds more than the burst, however long it stayed idle', () => {
      expect(refilledTokens(rate, 0, 0, 3_600_000)).toBe(5);
    });

    it('refills nothing on a clock that went backwards', () => {
      expect(refilledTokens(rate, 0.5, 1_000, 500)).toBe(0.5);
    });
  });

  describe('msUntilFull', () => {
    it('is 0 for a full bucket and the refill time of what is missing otherwise', () => {
      expect(msUntilFull({ messagesPerSecond: 100, burst: 200 }, 200)).toBe(0);
      expect(msUntilFull({ messagesPerSecond: 100, burst: 200 }, 0)).toBe(2_000);
      expect(msUntilFull({ messagesPerSecond: 3, burst: 1 }, 0)).toBe(334);
    });
  });
});
