import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { withinMs } from './within-ms.js';

describe('withinMs', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('is the promise’s value when it settles in time, and leaves no timer behind', async () => {
    await expect(withinMs(Promise.resolve('PONG'), 100)).resolves.toBe('PONG');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('is timeout when the promise has not settled within the time', async () => {
    const answer = withinMs(new Promise(() => undefined), 100);
    jest.advanceTimersByTime(100);
    await expect(answer).resolves.toBe('timeout');
  });

  it('rejects as the promise does within the time', async () => {
    await expect(withinMs(Promise.reject(new Error('READONLY')), 100)).rejects.toThrow('READONLY');
    expect(jest.getTimerCount()).toBe(0);
  });
});
