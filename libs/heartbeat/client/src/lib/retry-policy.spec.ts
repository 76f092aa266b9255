import { CLIENT_DEFAULTS, CloseCode, formatRetryHint } from '@heartbeat/protocol';
import * as ClientMessages from './client.messages.js';
import type { HeartbeatTimingOptions } from './client-options.js';
import { ConnectionFailure } from './connection-failure.js';
import { decideRetry, MAX_RETRY_HINT_MS, type RetryContext, type RetryDecision } from './retry-policy.js';

/** The default backoff schedule with jitter 0 (5000 × 1.5^n, docs/client.md#options) for attempts 1..5. */
const SOURCE_SCHEDULE = [5000, 7500, 11250, 16875, 25312.5];
const CAP = 30_000;

const timing = (overrides: Partial<HeartbeatTimingOptions> = {}): HeartbeatTimingOptions => ({ ...CLIENT_DEFAULTS, jitter: 0, ...overrides });

/** A failure built from the real close-code table, as the client builds it. */
const closed = (code: number, established = true): ConnectionFailure => ConnectionFailure.closed(code, 'test reason', false, established);

/** A close whose reason carries the server's retry hint, worded as the server words it. */
const hinted = (code: number, retryAfterMs: number): ConnectionFailure =>
  ConnectionFailure.closed(code, formatRetryHint('too many messages', retryAfterMs), true, true);

function context(overrides: Partial<RetryContext> = {}): RetryContext {
  return {
    failure: closed(CloseCode.Abnormal),
    attemptsMade: 0,
    unauthorizedInARow: 0,
    autoReconnect: true,
    online: true,
    timing: timing(),
    random: () => 0.5,
    ...overrides,
  };
}

/** `random` that returns `value` and counts how often it was asked. */
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

function retryOf(decision: RetryDecision): Extract<RetryDecision, { kind: 'retry' }> {
  if (decision.kind !== 'retry') throw new Error(`expected a retry decision, got ${JSON.stringify(decision)}`);
  return decision;
}

describe('decideRetry', () => {
  describe('backoff schedule (jitter 0, default timing)', () => {
    it('checks the defaults it runs on are the documented ones', () => {
      expect(timing()).toMatchObject({
        reconnectInterval: 5000,
        backoffMultiplier: 1.5,
        maxReconnectInterval: CAP,
        maxReconnectAttempts: 5,
        suspendedRetryInterval: 60_000,
      });
    });

    it.each(SOURCE_SCHEDULE.map((delayMs, index) => [index + 1, index, delayMs]))(
      'schedules attempt %i (after %i attempts made) after %d ms',
      (attempt, attemptsMade, delayMs) => {
        expect(decideRetry(context({ attemptsMade }))).toEqual({ kind: 'retry', attempt, delayMs, suspended: false, exhaustedNow: false });
      },
    );

    it('produces exactly 5000, 7500, 11250, 16875, 25312.5 over the five fast attempts', () => {
      const delays = [0, 1, 2, 3, 4].map((attemptsMade) => retryOf(decideRetry(context({ attemptsMade }))).delayMs);

      expect(delays).toEqual(SOURCE_SCHEDULE);
    });

    it('caps the delay at maxReconnectInterval once the schedule would exceed it', () => {
      const decision = retryOf(decideRetry(context({ attemptsMade: 5, timing: timing({ maxReconnectAttempts: 10 }) })));

      expect(decision.delayMs).toBe(CAP);
      expect(decision.attempt).toBe(6);
    });

    it('follows other timing options (reconnectInterval 1000, ×2)', () => {
      const custom = timing({ reconnectInterval: 1000, backoffMultiplier: 2 });
      const delays = [0, 1, 2, 3].map((attemptsMade) => retryOf(decideRetry(context({ attemptsMade, timing: custom }))).delayMs);

      expect(delays).toEqual([1000, 2000, 4000, 8000]);
    });
  });

  describe('after the fast attempts ran out', () => {
    it('retries slowly every suspendedRetryInterval (60000), flagging only the first as exhaustedNow', () => {
      expect(decideRetry(context({ attemptsMade: 5 }))).toEqual({ kind: 'retry', attempt: 6, delayMs: 60_000, suspended: true, exhaustedNow: true });
      expect(decideRetry(context({ attemptsMade: 6 }))).toEqual({ kind: 'retry', attempt: 7, delayMs: 60_000, suspended: true, exhaustedNow: false });
      expect(decideRetry(context({ attemptsMade: 20 }))).toEqual({ kind: 'retry', attempt: 21, delayMs: 60_000, suspended: true, exhaustedNow: false });
    });

    it('does not jitter the slow retries', () => {
      const decision = retryOf(decideRetry(context({ attemptsMade: 5, timing: timing({ jitter: 0.3 }), random: () => 0.9 })));

      expect(decision.delayMs).toBe(60_000);
    });

    it('stops as failed and exhausted when suspendedRetryInterval is 0 (no slow retries)', () => {
      const failure = closed(CloseCode.Abnormal);
      const decision = decideRetry(context({ failure, attemptsMade: 5, timing: timing({ suspendedRetryInterval: 0 }) }));

      expect(decision).toEqual({
        kind: 'stop',
        phase: 'failed',
        error: ClientMessages.attemptsExhausted(5, failure.message),
        exhausted: true,
      });
    });

    it('keeps the last failure in the message it stops with, so that the cause is not lost', () => {
      const refused = ConnectionFailure.beforeOpen({ error: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) }, 'ws://127.0.0.1:9/ws');
      const decision = decideRetry(context({ failure: refused, attemptsMade: 1, timing: timing({ maxReconnectAttempts: 1, suspendedRetryInterval: 0 }) }));

      expect(decision).toMatchObject({ kind: 'stop', phase: 'failed', exhausted: true });
      expect((decision as { error: string }).error).toBe(
        `Could not reconnect after 1 attempt; call connect() to try again. Last error: ${refused.message}`,
      );
    });

    it('still runs the last fast attempt when suspendedRetryInterval is 0', () => {
      const decision = decideRetry(context({ attemptsMade: 4, timing: timing({ suspendedRetryInterval: 0 }) }));

      expect(decision).toEqual({ kind: 'retry', attempt: 5, delayMs: 25_312.5, suspended: false, exhaustedNow: false });
    });

    it('with maxReconnectAttempts 0 goes straight to the slow retries', () => {
      expect(decideRetry(context({ attemptsMade: 0, timing: timing({ maxReconnectAttempts: 0 }) }))).toEqual({
        kind: 'retry',
        attempt: 1,
        delayMs: 60_000,
        suspended: true,
        exhaustedNow: true,
      });
    });
  });

  describe('jitter', () => {
    const jittered = timing({ jitter: 0.3 });

    it.each(SOURCE_SCHEDULE.map((delay, attemptsMade) => [attemptsMade, delay]))(
      'keeps the delay after %i attempts within [0.7 × %d, the delay] for any random value',
      (attemptsMade, delay) => {
        for (const value of [0, 0.1, 0.25, 0.5, 0.75, 0.999999]) {
          const { delayMs } = retryOf(decideRetry(context({ attemptsMade, timing: jittered, random: () => value })));

          expect(delayMs).toBeGreaterThanOrEqual(0.7 * delay);
          expect(delayMs).toBeLessThanOrEqual(delay);
        }
      },
    );

    it('gives the un-jittered delay when random() returns 0', () => {
      expect(retryOf(decideRetry(context({ attemptsMade: 2, timing: jittered, random: () => 0 }))).delayMs).toBe(11_250);
    });

    it('gives 0.7 × the delay when random() returns 1', () => {
      expect(retryOf(decideRetry(context({ attemptsMade: 2, timing: jittered, random: () => 1 }))).delayMs).toBeCloseTo(0.7 * 11_250, 9);
    });

    it('approaches 0.7 × the delay as random() approaches 1', () => {
      const { delayMs } = retryOf(decideRetry(context({ attemptsMade: 2, timing: jittered, random: () => 1 - Number.EPSILON })));

      expect(delayMs).toBeCloseTo(0.7 * 11_250, 6);
      expect(delayMs).toBeGreaterThanOrEqual(0.7 * 11_250);
    });

    it('takes random() × jitter off the delay', () => {
      expect(retryOf(decideRetry(context({ attemptsMade: 1, timing: jittered, random: () => 0.5 }))).delayMs).toBeCloseTo(7500 * 0.85, 9);
    });

    it('never exceeds the cap, whatever the attempt and random value', () => {
      const longSchedule = timing({ jitter: 0.3, maxReconnectAttempts: 50 });
      for (let attemptsMade = 0; attemptsMade < 50; attemptsMade += 1) {
        for (const value of [0, 0.5, 0.999999]) {
          const { delayMs } = retryOf(decideRetry(context({ attemptsMade, timing: longSchedule, random: () => value })));

          expect(delayMs).toBeLessThanOrEqual(CAP);
          expect(delayMs).toBeGreaterThanOrEqual(0);
        }
      }
    });

    it('does not consult random() with jitter 0', () => {
      const { random, calls } = fixedRandom(0.5);

      decideRetry(context({ attemptsMade: 3, random }));

      expect(calls()).toBe(0);
    });
  });

  describe('close-code reactions (docs/protocol.md, Close codes)', () => {
    it('stays closed without an error after 1000 (normal)', () => {
      expect(decideRetry(context({ failure: closed(CloseCode.Normal) }))).toEqual({ kind: 'stop', phase: 'idle', error: null, exhausted: false });
    });

    it.each([
      [CloseCode.Kicked, 'kicked by an admin'],
      [CloseCode.ProtocolViolation, 'protocol violation'],
    ])('stays closed with status error after %i (%s), carrying the failure message', (code, _meaning) => {
      const failure = closed(code);

      expect(decideRetry(context({ failure }))).toEqual({ kind: 'stop', phase: 'failed', error: failure.message, exhausted: false });
    });

    it.each([CloseCode.Normal, CloseCode.Kicked, CloseCode.ProtocolViolation])(
      'stays closed after %i whatever autoReconnect, network and attempts say',
      (code) => {
        for (const overrides of [{ autoReconnect: false }, { online: false }, { attemptsMade: 5 }, { attemptsMade: 2 }]) {
          expect(decideRetry(context({ failure: closed(code), ...overrides })).kind).toBe('stop');
        }
      },
    );

    it.each([
      CloseCode.Abnormal,
      CloseCode.InternalError,
      CloseCode.HeartbeatTimeout,
      CloseCode.HandshakeTimeout,
      CloseCode.MessageTooBig,
      CloseCode.SlowConsumer,
    ])(
      'reconnects on the backoff schedule after %i',
      (code) => {
        const delays = [0, 1, 2, 3, 4].map((attemptsMade) => retryOf(decideRetry(context({ failure: closed(code), attemptsMade }))).delayMs);

        expect(delays).toEqual(SOURCE_SCHEDULE);
      },
    );

    it('treats an unknown close code (4999) as abnormal: backoff', () => {
      expect(decideRetry(context({ failure: closed(4999), attemptsMade: 1 }))).toEqual({
        kind: 'retry',
        attempt: 2,
        delayMs: 7500,
        suspended: false,
        exhaustedNow: false,
      });
    });

    describe.each([
      [CloseCode.GoingAway, 'going away'],
      [CloseCode.ServiceRestart, 'restarting'],
    ])('after %i (server %s)', (code, _meaning) => {
      it('reconnects after random() × the un-jittered delay of the attempt', () => {
        const first = retryOf(decideRetry(context({ failure: closed(code), random: () => 0.25 })));
        const third = retryOf(decideRetry(context({ failure: closed(code), attemptsMade: 2, random: () => 0.4 })));

        expect(first).toEqual({ kind: 'retry', attempt: 1, delayMs: 1250, suspended: false, exhaustedNow: false });
        expect(third.delayMs).toBeCloseTo(0.4 * 11_250, 9);
      });

      it('uses the whole [0, delay) range, ignoring the jitter setting', () => {
        const withJitter = timing({ jitter: 0.3 });

        expect(retryOf(decideRetry(context({ failure: closed(code), timing: withJitter, random: () => 0 }))).delayMs).toBe(0);
        expect(retryOf(decideRetry(context({ failure: closed(code), timing: withJitter, random: () => 0.999 }))).delayMs).toBeCloseTo(4995, 9);
      });

      it('asks random() exactly once', () => {
        const { random, calls } = fixedRandom(0.5);

        decideRetry(context({ failure: closed(code), timing: timing({ jitter: 0.3 }), random }));

        expect(calls()).toBe(1);
      });
    });

    describe.each([
      [CloseCode.TryAgainLater, 'overloaded'],
      [CloseCode.RateLimited, 'rate limited'],
    ])('after %i (%s)', (code, _meaning) => {
      it('waits the longest backoff (the cap) even on the first attempt', () => {
        expect(decideRetry(context({ failure: closed(code) }))).toEqual({ kind: 'retry', attempt: 1, delayMs: CAP, suspended: false, exhaustedNow: false });
      });

      it('jitters the longest backoff within [0.7 × cap, cap]', () => {
        const withJitter = timing({ jitter: 0.3 });

        expect(retryOf(decideRetry(context({ failure: closed(code), timing: withJitter, random: () => 0 }))).delayMs).toBe(CAP);
        expect(retryOf(decideRetry(context({ failure: closed(code), timing: withJitter, random: () => 0.5 }))).delayMs).toBeCloseTo(25_500, 9);
        const nearOne = retryOf(decideRetry(context({ failure: closed(code), timing: withJitter, random: () => 0.999999 }))).delayMs;
        expect(nearOne).toBeGreaterThanOrEqual(0.7 * CAP);
        expect(nearOne).toBeLessThan(0.7 * CAP + 1);
      });

      it('follows a custom maxReconnectInterval', () => {
        expect(retryOf(decideRetry(context({ failure: closed(code), timing: timing({ maxReconnectInterval: 12_000 }) }))).delayMs).toBe(12_000);
      });

      it('waits the hinted delay when the reason asks for longer than the longest backoff', () => {
        expect(decideRetry(context({ failure: hinted(code, 45_000) }))).toEqual({
          kind: 'retry',
          attempt: 1,
          delayMs: 45_000,
          suspended: false,
          exhaustedNow: false,
        });
      });

      it('keeps the longest backoff when the hint is shorter', () => {
        expect(retryOf(decideRetry(context({ failure: hinted(code, 5000) }))).delayMs).toBe(CAP);
      });

      it('takes the hint as given, without jitter, and the jittered cap only when that is longer', () => {
        const withJitter = timing({ jitter: 0.3 });

        expect(retryOf(decideRetry(context({ failure: hinted(code, 40_000), timing: withJitter, random: () => 0.5 }))).delayMs).toBe(40_000);
        expect(retryOf(decideRetry(context({ failure: hinted(code, 20_000), timing: withJitter, random: () => 0.5 }))).delayMs).toBeCloseTo(25_500, 9);
      });

      it('cuts a hint longer than MAX_RETRY_HINT_MS (5 minutes) to it', () => {
        expect(MAX_RETRY_HINT_MS).toBe(300_000);
        expect(retryOf(decideRetry(context({ failure: hinted(code, 3_600_000) }))).delayMs).toBe(300_000);
      });

      it('honours a hint longer than suspendedRetryInterval after the fast attempts ran out', () => {
        expect(decideRetry(context({ failure: hinted(code, 90_000), attemptsMade: 5 }))).toEqual({
          kind: 'retry',
          attempt: 6,
          delayMs: 90_000,
          suspended: true,
          exhaustedNow: true,
        });
        expect(retryOf(decideRetry(context({ failure: hinted(code, 1000), attemptsMade: 6 }))).delayMs).toBe(60_000);
      });
    });

    it('ignores a retry hint in the reason of a close code that does not ask to stay away', () => {
      expect(retryOf(decideRetry(context({ failure: hinted(CloseCode.Abnormal, 99_000) }))).delayMs).toBe(5000);
      expect(retryOf(decideRetry(context({ failure: hinted(CloseCode.SlowConsumer, 99_000), attemptsMade: 1 }))).delayMs).toBe(7500);
    });

    describe('after 4001 (unauthorized)', () => {
      const unauthorized = closed(CloseCode.Unauthorized, false);

      it('retries once at once, without counting a reconnect attempt', () => {
        expect(decideRetry(context({ failure: unauthorized, unauthorizedInARow: 1, attemptsMade: 2 }))).toEqual({
          kind: 'retry',
          attempt: 2,
          delayMs: 0,
          suspended: false,
          exhaustedNow: false,
        });
      });

      it('fails with the unauthorizedTwice message on the second 4001 in a row', () => {
        expect(decideRetry(context({ failure: unauthorized, unauthorizedInARow: 2 }))).toEqual({
          kind: 'stop',
          phase: 'failed',
          error: ClientMessages.unauthorizedTwice(),
          exhausted: false,
        });
      });

      it('fails on any later 4001 in a row too', () => {
        expect(decideRetry(context({ failure: unauthorized, unauthorizedInARow: 3 }))).toMatchObject({ kind: 'stop', phase: 'failed' });
      });

      it('runs the token retry even with autoReconnect off', () => {
        expect(decideRetry(context({ failure: unauthorized, unauthorizedInARow: 1, autoReconnect: false }))).toMatchObject({ kind: 'retry', delayMs: 0 });
        expect(decideRetry(context({ failure: unauthorized, unauthorizedInARow: 2, autoReconnect: false }))).toMatchObject({
          kind: 'stop',
          phase: 'failed',
          error: ClientMessages.unauthorizedTwice(),
        });
      });

      it('runs the token retry even after the fast attempts ran out', () => {
        expect(decideRetry(context({ failure: unauthorized, unauthorizedInARow: 1, attemptsMade: 5 }))).toMatchObject({
          kind: 'retry',
          delayMs: 0,
          suspended: false,
        });
      });
    });
  });

  describe('autoReconnect off', () => {
    it.each([CloseCode.Abnormal, CloseCode.GoingAway, CloseCode.TryAgainLater, CloseCode.HeartbeatTimeout])(
      'stops as idle after %i, keeping the failure message',
      (code) => {
        const failure = closed(code);

        expect(decideRetry(context({ failure, autoReconnect: false }))).toEqual({ kind: 'stop', phase: 'idle', error: failure.message, exhausted: false });
      },
    );

    it('stops rather than waiting for the network when offline', () => {
      expect(decideRetry(context({ autoReconnect: false, online: false })).kind).toBe('stop');
    });
  });

  describe('offline', () => {
    it.each([CloseCode.Abnormal, CloseCode.GoingAway, CloseCode.TryAgainLater])('waits for online after %i without burning an attempt', (code) => {
      expect(decideRetry(context({ failure: closed(code), online: false, attemptsMade: 2 }))).toEqual({ kind: 'wait-online', attempt: 3 });
    });

    it('waits for online rather than stopping after the fast attempts ran out', () => {
      expect(decideRetry(context({ online: false, attemptsMade: 5, timing: timing({ suspendedRetryInterval: 0 }) }))).toEqual({
        kind: 'wait-online',
        attempt: 6,
      });
    });

    it('does not consult random() while waiting for the network', () => {
      const { random, calls } = fixedRandom(0.5);

      decideRetry(context({ failure: closed(CloseCode.GoingAway), online: false, random }));

      expect(calls()).toBe(0);
    });
  });

  describe('failures that never reached the server', () => {
    it.each([
      ['connect timeout', ConnectionFailure.connectTimeout(10_000, 'opening', 'ws://server.test/ws')],
      ['missing welcome', ConnectionFailure.connectTimeout(10_000, 'welcome', 'ws://server.test/ws')],
      ['refused upgrade', ConnectionFailure.beforeOpen({ message: 'Unexpected server response: 404' }, 'ws://server.test/wrong')],
      ['token provider', ConnectionFailure.tokenProvider(new Error('no token'))],
      ['socket creation', ConnectionFailure.socketCreate(new Error('bad url'))],
      ['heartbeat timeout', ConnectionFailure.heartbeatTimeout(3, 60_000)],
    ])('retries a %s failure on the backoff schedule', (_name, failure) => {
      expect(decideRetry(context({ failure, attemptsMade: 3 }))).toEqual({ kind: 'retry', attempt: 4, delayMs: 16_875, suspended: false, exhaustedNow: false });
    });
  });
});
