import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import {
  TOKEN_REFRESH_MAX_RETRIES,
  TOKEN_REFRESH_MIN_MARGIN_MS,
  TokenRefresh,
  tokenRefreshDelay,
} from './token-refresh.js';

const flush = () => jest.advanceTimersByTimeAsync(0);

/** A token provider the test answers, one call at a time. */
function setup(options: { sendAuth?: boolean } = {}) {
  const calls: { at: number; resolve: (token: string | undefined) => void; reject: (error: Error) => void }[] = [];
  const sent: { token: string; at: number }[] = [];
  const failures: string[] = [];
  const refresh = new TokenRefresh({
    fetchToken: () =>
      new Promise<string | undefined>((resolve, reject) => {
        calls.push({ at: Date.now(), resolve, reject });
      }),
    sendAuth: (token) => {
      sent.push({ token, at: Date.now() });
      return options.sendAuth ?? true;
    },
    failed: (message) => failures.push(message),
  });
  return { refresh, calls, sent, failures, start: Date.now() };
}

describe('tokenRefreshDelay', () => {
  it.each([
    // remaining, delay: 10 % before expiry when that is over 5 s, else 5 s before, else at once.
    [3_600_000, 3_240_000],
    [120_000, 108_000],
    [50_000, 45_000],
    [30_000, 25_000],
    [5_000, 0],
    [4_000, 0],
  ])('refreshes a token with %i ms left after %i ms', (remaining, delay) => {
    expect(tokenRefreshDelay(remaining)).toBe(delay);
  });

  it('uses a 5 s minimum margin', () => {
    expect(TOKEN_REFRESH_MIN_MARGIN_MS).toBe(5000);
  });
});

describe('TokenRefresh', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  describe('#start', () => {
    it('asks for a token 10 % of the lifetime before the expiry and sends auth with it', async () => {
      const { refresh, calls, sent, start } = setup();
      refresh.start(start + 60_000);

      await jest.advanceTimersByTimeAsync(53_999);
      expect(calls).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(calls.map((c) => c.at - start)).toEqual([54_000]);
      calls[0].resolve('fresh');
      await flush();
      expect(sent).toEqual([{ token: 'fresh', at: start + 54_000 }]);
    });

    it('refreshes at once a token with less than 5 s left', async () => {
      const { refresh, calls, start } = setup();
      refresh.start(start + 3_000);

      await flush();

      expect(calls.map((c) => c.at - start)).toEqual([0]);
    });

    it('does nothing for a token that does not expire or has expired already', async () => {
      const { refresh, calls, start } = setup();
      refresh.start(null);
      refresh.start(start - 1);

      await jest.advanceTimersByTimeAsync(600_000);

      expect(calls).toHaveLength(0);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('replaces the plan of an earlier start', async () => {
      const { refresh, calls, start } = setup();
      refresh.start(start + 60_000);
      refresh.start(start + 120_000);

      await jest.advanceTimersByTimeAsync(120_000);

      expect(calls.map((c) => c.at - start)).toEqual([108_000]);
    });
  });

  describe('#authenticated', () => {
    it('plans the next refresh from the new expiry', async () => {
      const { refresh, calls, sent, start } = setup();
      refresh.start(start + 60_000);
      await jest.advanceTimersByTimeAsync(54_000);
      calls[0].resolve('fresh');
      await flush();

      refresh.authenticated(start + 54_000 + 100_000);
      await jest.advanceTimersByTimeAsync(89_999);
      expect(calls).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(calls.map((c) => c.at - start)).toEqual([54_000, 144_000]);
      expect(sent).toHaveLength(1);
    });

    it('stops, with a failure saying why, when the new token expires no later than the old one', async () => {
      const { refresh, calls, failures, start } = setup();
      refresh.start(start + 60_000);
      await jest.advanceTimersByTimeAsync(54_000);
      calls[0].resolve('same');
      await flush();

      refresh.authenticated(start + 60_000);

      expect(failures).toEqual([
        'The refreshed token expires no later than the one it replaces; not refreshing again. Make the token provider return a new token.',
      ]);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('stops refreshing when the new token does not expire', async () => {
      const { refresh, calls, start } = setup();
      refresh.start(start + 60_000);
      await jest.advanceTimersByTimeAsync(54_000);
      calls[0].resolve('forever');
      await flush();

      refresh.authenticated(null);

      expect(jest.getTimerCount()).toBe(0);
    });

    it('ignores an authenticated frame it did not ask for', async () => {
      const { refresh, calls, start } = setup();
      refresh.start(start + 60_000);

      refresh.authenticated(start + 10_000);
      await jest.advanceTimersByTimeAsync(54_000);

      expect(calls).toHaveLength(1);
    });
  });

  describe('when the token provider fails', () => {
    it(`tries again ${TOKEN_REFRESH_MAX_RETRIES} times, each half-way to the expiry, then gives up before it`, async () => {
      const { refresh, calls, failures, start } = setup();
      const answered: typeof calls = [];
      refresh.start(start + 60_000);

      // Each call is answered with a failure as soon as it is made.
      while (Date.now() < start + 60_000) {
        await jest.advanceTimersByTimeAsync(250);
        for (const call of calls.splice(0)) {
          answered.push(call);
          call.reject(new Error('auth service down'));
        }
      }

      expect(answered.map((c) => c.at - start)).toEqual([54_000, 57_000, 58_500, 59_250]);
      expect(failures).toEqual([
        'Refreshing the token failed (auth service down); trying again before it expires.',
        'Refreshing the token failed (auth service down); trying again before it expires.',
        'Refreshing the token failed (auth service down); trying again before it expires.',
        'Refreshing the token failed (auth service down) and there is no time left to try again; the server will close the connection with 4001 at expiry and the client will reconnect with a token from the provider.',
      ]);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('counts a provider that returns no token as a failure', async () => {
      const { refresh, calls, sent, failures, start } = setup();
      refresh.start(start + 60_000);
      await jest.advanceTimersByTimeAsync(54_000);

      calls[0].resolve(undefined);
      await flush();

      expect(sent).toEqual([]);
      expect(failures).toEqual(['Refreshing the token failed (the token provider returned no token); trying again before it expires.']);
      await jest.advanceTimersByTimeAsync(3_000);
      expect(calls).toHaveLength(2);
    });

    it('succeeds on a retry and starts over with the full number of retries', async () => {
      const { refresh, calls, sent, start } = setup();
      refresh.start(start + 60_000);
      await jest.advanceTimersByTimeAsync(54_000);
      calls[0].reject(new Error('flaky'));
      await jest.advanceTimersByTimeAsync(3_000);
      calls[1].resolve('fresh');
      await flush();

      expect(sent).toEqual([{ token: 'fresh', at: start + 57_000 }]);
      refresh.authenticated(start + 57_000 + 30_000);
      await jest.advanceTimersByTimeAsync(25_000);
      expect(calls).toHaveLength(3);
    });
  });

  describe('#refused', () => {
    it('counts an error answer to the auth frame as a failed refresh and tries again', async () => {
      const { refresh, calls, failures, start } = setup();
      refresh.start(start + 60_000);
      await jest.advanceTimersByTimeAsync(54_000);
      calls[0].resolve('fresh');
      await flush();

      refresh.refused('unknown_type');

      expect(failures).toEqual(['Refreshing the token failed (the server refused the auth frame: unknown_type); trying again before it expires.']);
      await jest.advanceTimersByTimeAsync(3_000);
      expect(calls).toHaveLength(2);
    });
  });

  describe('#stop', () => {
    it('releases the timer', () => {
      const { refresh, start } = setup();
      refresh.start(start + 60_000);

      refresh.stop();
      refresh.stop();

      expect(jest.getTimerCount()).toBe(0);
    });

    it('drops a provider answer that arrives after it', async () => {
      const { refresh, calls, sent, failures, start } = setup();
      refresh.start(start + 60_000);
      await jest.advanceTimersByTimeAsync(54_000);

      refresh.stop();
      calls[0].resolve('late');
      await flush();

      expect(sent).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('from a handler of the failure it reports, leaves no retry behind', async () => {
      const failures: string[] = [];
      const calls: (() => void)[] = [];
      const refresh: TokenRefresh = new TokenRefresh({
        fetchToken: () => new Promise((_, reject) => calls.push(() => reject(new Error('down')))),
        sendAuth: () => true,
        failed: (message) => {
          failures.push(message);
          refresh.stop();
        },
      });
      refresh.start(Date.now() + 60_000);
      await jest.advanceTimersByTimeAsync(54_000);

      calls[0]();
      await flush();

      expect(failures).toHaveLength(1);
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});
