import { jest } from '@jest/globals';
import { type BackoffOptions, backoffDelay, longestBackoffDelay } from './backoff.js';
import { CLIENT_DEFAULTS } from './defaults.js';

/** The default reconnect schedule with jitter 0 (5 s × 1.5^n, docs/protocol.md#backoff), before the 30 s cap. */
const SOURCE_SCHEDULE = [5000, 7500, 11250, 16875, 25312.5];
const CAP = CLIENT_DEFAULTS.maxReconnectInterval;

const withJitter = (jitter: number): BackoffOptions => ({ ...CLIENT_DEFAULTS, jitter });

/** A `random` that always returns `value` and counts its calls. */
function fixedRandom(value: number): { random: () => number; calls: () => number } {
  let calls = 0;
  return {
    random: () => {
      calls += 1;
      return value;
    },
    calls: () => calls,
  };
}

/** The un-jittered delay of `attempt` for the options: the value jitter shortens. */
function baseDelay(attempt: number, options: BackoffOptions): number {
  return Math.min(options.reconnectInterval * options.backoffMultiplier ** attempt, options.maxReconnectInterval);
}


/** (jitter, value returned by the injected random) pairs covering both ends of the random range. */
const JITTER_CASES: [number, number][] = [
  [0.3, 0],
  [0.3, 0.5],
  [0.3, 0.999999],
  [1, 0],
  [1, 0.5],
  [1, 0.999999],
];

describe('backoffDelay', () => {
  describe('with jitter 0', () => {
    it('reproduces the default schedule 5000, 7500, 11250, 16875, 25312.5 with CLIENT_DEFAULTS', () => {
      const options = withJitter(0);

      expect(SOURCE_SCHEDULE.map((_, attempt) => backoffDelay(attempt, options))).toEqual(SOURCE_SCHEDULE);
    });

    it('gives exactly maxReconnectInterval (30000) for every attempt after the fifth', () => {
      const options = withJitter(0);

      for (let attempt = 5; attempt <= 50; attempt += 1) {
        expect(backoffDelay(attempt, options)).toBe(30_000);
      }
    });

    it('covers the default maxReconnectAttempts (5) before reaching the cap', () => {
      const options = withJitter(0);
      const fastAttempts = Array.from({ length: CLIENT_DEFAULTS.maxReconnectAttempts }, (_, n) => backoffDelay(n, options));

      expect(fastAttempts.every((delay) => delay < CAP)).toBe(true);
      expect(fastAttempts.reduce((sum, delay) => sum + delay, 0)).toBe(65_937.5);
    });

    it('stays at the cap, finite, for very large attempt numbers', () => {
      const options = withJitter(0);

      expect(backoffDelay(1_000, options)).toBe(CAP);
      expect(backoffDelay(100_000, options)).toBe(CAP);
      expect(backoffDelay(Number.MAX_SAFE_INTEGER, options)).toBe(CAP);
    });

    it('never calls random', () => {
      const { random, calls } = fixedRandom(0.5);

      for (let attempt = 0; attempt < 10; attempt += 1) backoffDelay(attempt, withJitter(0), random);

      expect(calls()).toBe(0);
    });

    it('follows other options: interval × multiplier^attempt, capped', () => {
      const options: BackoffOptions = { reconnectInterval: 1000, backoffMultiplier: 2, maxReconnectInterval: 10_000, jitter: 0 };

      expect([0, 1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, options))).toEqual([
        1000, 2000, 4000, 8000, 10_000, 10_000,
      ]);
    });

    it('gives a constant delay with multiplier 1', () => {
      const options: BackoffOptions = { reconnectInterval: 2500, backoffMultiplier: 1, maxReconnectInterval: 30_000, jitter: 0 };

      expect([0, 1, 7, 100].map((attempt) => backoffDelay(attempt, options))).toEqual([2500, 2500, 2500, 2500]);
    });
  });

  describe('with jitter', () => {
    it.each([0.3, 1])('returns the un-jittered delay when random gives 0 (jitter %p)', (jitter) => {
      const options = withJitter(jitter);
      const { random } = fixedRandom(0);

      expect(SOURCE_SCHEDULE.map((_, attempt) => backoffDelay(attempt, options, random))).toEqual(SOURCE_SCHEDULE);
      expect(backoffDelay(5, options, random)).toBe(CAP);
    });

    it('shortens the delay by jitter × random of itself', () => {
      const options = withJitter(0.3);

      expect(backoffDelay(0, options, () => 0.5)).toBeCloseTo(5000 * 0.85, 9);
      expect(backoffDelay(3, options, () => 0.5)).toBeCloseTo(16_875 * 0.85, 9);
      expect(backoffDelay(5, options, () => 0.5)).toBeCloseTo(25_500, 9);
      expect(backoffDelay(5, withJitter(1), () => 0.5)).toBeCloseTo(15_000, 9);
    });

    it('calls random exactly once per delay', () => {
      const { random, calls } = fixedRandom(0.25);

      backoffDelay(2, withJitter(0.3), random);

      expect(calls()).toBe(1);
    });

    it.each(JITTER_CASES)('stays within [delay × (1 - jitter), delay] and never above the cap (jitter %p, random %p)', (jitter, value) => {
      const options = withJitter(jitter);

      for (let attempt = 0; attempt <= 20; attempt += 1) {
        const base = baseDelay(attempt, options);
        const delay = backoffDelay(attempt, options, () => value);

        expect(delay).toBeLessThanOrEqual(CAP);
        expect(delay).toBeLessThanOrEqual(base);
        expect(delay).toBeGreaterThanOrEqual(base * (1 - jitter));
      }
    });

    it.each(JITTER_CASES)('at the cap stays within [cap × (1 - jitter), cap] (jitter %p, random %p)', (jitter, value) => {
      const options = withJitter(jitter);

      for (let attempt = 5; attempt <= 30; attempt += 1) {
        const delay = backoffDelay(attempt, options, () => value);

        expect(delay).toBeLessThanOrEqual(CAP);
        expect(delay).toBeGreaterThanOrEqual(CAP * (1 - jitter));
      }
    });

    it.each([0.3, 1])('keeps 10,000 Math.random samples within the bounds and spread over them (jitter %p)', (jitter) => {
      const options = withJitter(jitter);
      const atCap: number[] = [];

      for (let i = 0; i < 10_000; i += 1) {
        const attempt = i % 12;
        const base = baseDelay(attempt, options);
        const delay = backoffDelay(attempt, options);

        expect(delay).toBeLessThanOrEqual(Math.min(base, CAP));
        expect(delay).toBeGreaterThanOrEqual(base * (1 - jitter));
        if (attempt >= 5) atCap.push(delay);
      }

      const min = Math.min(...atCap);
      const max = Math.max(...atCap);
      expect(min).toBeGreaterThanOrEqual(CAP * (1 - jitter));
      expect(max).toBeLessThanOrEqual(CAP);
      // Thousands of uniform samples cover the range: none of this is luck-dependent in practice.
      expect(min).toBeLessThan(CAP * (1 - jitter) + CAP * jitter * 0.05);
      expect(max).toBeGreaterThan(CAP - CAP * jitter * 0.05);
      expect(new Set(atCap).size).toBeGreaterThan(atCap.length * 0.9);
    });

    it('uses Math.random when no random is injected', () => {
      const spy = jest.spyOn(Math, 'random').mockReturnValue(0.5);

      const delay = backoffDelay(5, CLIENT_DEFAULTS);

      expect(spy).toHaveBeenCalledTimes(1);
      expect(delay).toBeCloseTo(25_500, 9);
    });

    it('gives two clients at the cap with different random values different delays', () => {
      const options = withJitter(CLIENT_DEFAULTS.jitter);

      const first = backoffDelay(7, options, () => 0.1);
      const second = backoffDelay(7, options, () => 0.7);

      expect(first).not.toBe(second);
      expect(first).toBeCloseTo(30_000 * (1 - 0.3 * 0.1), 9);
      expect(second).toBeCloseTo(30_000 * (1 - 0.3 * 0.7), 9);
    });

    it('spreads a fleet of clients that all reached the cap', () => {
      const options = withJitter(CLIENT_DEFAULTS.jitter);
      const delays = Array.from({ length: 1000 }, () => backoffDelay(10, options));

      expect(new Set(delays).size).toBeGreaterThan(990);
    });
  });

  describe('with an invalid attempt', () => {
    it.each([-1, 1.5, -0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
      'throws a RangeError for %p',
      (attempt) => {
        expect(() => backoffDelay(attempt, CLIENT_DEFAULTS)).toThrow(RangeError);
      },
    );

    it('names the parameter, the rule and the bad value in the message', () => {
      expect(() => backoffDelay(-1, CLIENT_DEFAULTS)).toThrow(
        'backoffDelay: attempt must be a whole number from 0 up, got -1.',
      );
      expect(() => backoffDelay(1.5, CLIENT_DEFAULTS)).toThrow(/attempt must be a whole number from 0 up, got 1\.5\./);
    });

    it('does not call random before rejecting the attempt', () => {
      const { random, calls } = fixedRandom(0.5);

      expect(() => backoffDelay(-1, CLIENT_DEFAULTS, random)).toThrow(RangeError);
      expect(calls()).toBe(0);
    });
  });
});

describe('longestBackoffDelay', () => {
  it('is maxReconnectInterval (30000) with jitter 0', () => {
    expect(longestBackoffDelay(withJitter(0))).toBe(30_000);
  });

  it('is at least every delay of the schedule with jitter 0', () => {
    const options = withJitter(0);
    const longest = longestBackoffDelay(options);

    for (let attempt = 0; attempt <= 20; attempt += 1) {
      expect(backoffDelay(attempt, options)).toBeLessThanOrEqual(longest);
    }
  });

  it('equals the jittered delay of an attempt at the cap for the same random value', () => {
    const options = withJitter(0.3);

    for (const value of [0, 0.25, 0.5, 0.999999]) {
      expect(longestBackoffDelay(options, () => value)).toBe(backoffDelay(9, options, () => value));
    }
  });

  it.each([
    [0.3, 0, 30_000],
    [0.3, 0.5, 25_500],
    [1, 0.5, 15_000],
  ])('shortens the cap by jitter × random (jitter %p, random %p → %p)', (jitter, value, expected) => {
    expect(longestBackoffDelay(withJitter(jitter), () => value)).toBeCloseTo(expected, 9);
  });

  it.each([0.3, 1])('stays within [cap × (1 - jitter), cap] for Math.random samples (jitter %p)', (jitter) => {
    const options = withJitter(jitter);

    for (let i = 0; i < 2_000; i += 1) {
      const delay = longestBackoffDelay(options);
      expect(delay).toBeLessThanOrEqual(CAP);
      expect(delay).toBeGreaterThanOrEqual(CAP * (1 - jitter));
    }
  });

  it('uses Math.random when no random is injected', () => {
    const spy = jest.spyOn(Math, 'random').mockReturnValue(0);

    expect(longestBackoffDelay(CLIENT_DEFAULTS)).toBe(30_000);
    expect(spy).toHaveBeenCalledTimes(1);
  });
});
