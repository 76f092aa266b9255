import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { CloseCode } from '@heartbeat/protocol';
import { ClientHeartbeat, WAKE_CHECK_INTERVAL_MS, WAKE_JUMP_THRESHOLD_MS } from './client-heartbeat.js';
import type { HeartbeatTimingOptions } from './client-options.js';
import * as ClientMessages from './client.messages.js';
import { ConnectionFailure } from './connection-failure.js';

type Timing = Pick<HeartbeatTimingOptions, 'pingInterval' | 'pongTimeout' | 'maxMissedPongs'>;

/**
 * The default client heartbeat (docs/client.md#options): ping every 30 s, 10 s for an answer, dead
 * after 3 misses.
 */
const DEFAULTS: Timing = { pingInterval: 30_000, pongTimeout: 10_000, maxMissedPongs: 3 };
/** Wall-clock origin of every test; times below are relative to it. */
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

const elapsed = (): number => Date.now() - T0;

interface Harness {
  readonly heartbeat: ClientHeartbeat;
  /** Pings the heartbeat asked to send, with the elapsed time they were sent at. */
  readonly pings: { sequence: number; clientTime: number; at: number }[];
  /** Every value `missedChanged` reported, in order. */
  readonly missed: number[];
  readonly deaths: { at: number; failure: ConnectionFailure }[];
  readonly wakes: { at: number; gapMs: number }[];
  /** Elapsed times of the pings sent. */
  pingTimes(): number[];
}

function harness(timing: Timing = DEFAULTS, onDead?: (heartbeat: ClientHeartbeat) => void): Harness {
  const pings: Harness['pings'] = [];
  const missed: number[] = [];
  const deaths: Harness['deaths'] = [];
  const wakes: Harness['wakes'] = [];
  const heartbeat: ClientHeartbeat = new ClientHeartbeat(timing, {
    sendPing: (sequence, clientTime) => {
      pings.push({ sequence, clientTime, at: elapsed() });
      return true;
    },
    missedChanged: (count) => missed.push(count),
    dead: (failure) => {
      deaths.push({ at: elapsed(), failure });
      onDead?.(heartbeat);
    },
    wokeUp: (gapMs) => wakes.push({ at: elapsed(), gapMs }),
  });
  return { heartbeat, pings, missed, deaths, wakes, pingTimes: () => pings.map((ping) => ping.at) };
}

/** Moves the wall clock by `ms` without running any timer (a frozen or throttled tab). */
function jumpWallClock(ms: number): void {
  jest.setSystemTime(Date.now() + ms);
}

describe('ClientHeartbeat', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    jest.setSystemTime(T0);
  });

  afterEach(() => {
    jest.clearAllTimers();
    jest.useRealTimers();
  });

  it('checks the wall clock every 5 s and calls a gap of 10 s a jump', () => {
    expect(WAKE_CHECK_INTERVAL_MS).toBe(5_000);
    expect(WAKE_JUMP_THRESHOLD_MS).toBe(10_000);
  });

  describe('#start', () => {
    it('sends the first ping exactly one pingInterval after start', () => {
      const { heartbeat, pings } = harness();

      heartbeat.start();
      jest.advanceTimersByTime(29_999);
      expect(pings).toHaveLength(0);

      jest.advanceTimersByTime(1);
      expect(pings).toEqual([{ sequence: 1, clientTime: T0 + 30_000, at: 30_000 }]);
    });

    it('pings every pingInterval while frames keep answering, numbering pings from 1', () => {
      const { heartbeat, pings, missed, pingTimes } = harness();

      heartbeat.start();
      for (let minute = 0; minute < 5; minute += 1) {
        jest.advanceTimersByTime(30_000);
        heartbeat.frameReceived(); // the server's pong
      }

      expect(pingTimes()).toEqual([30_000, 60_000, 90_000, 120_000, 150_000]);
      expect(pings.map((ping) => ping.sequence)).toEqual([1, 2, 3, 4, 5]);
      expect(pings.map((ping) => ping.clientTime)).toEqual(pingTimes().map((at) => T0 + at));
      expect(missed).toEqual([]);
    });

    it('follows the configured pingInterval', () => {
      const { heartbeat, pingTimes } = harness({ pingInterval: 15_000, pongTimeout: 8_000, maxMissedPongs: 3 });

      heartbeat.start();
      for (let n = 0; n < 4; n += 1) {
        jest.advanceTimersByTime(15_000);
        heartbeat.frameReceived();
      }

      expect(pingTimes()).toEqual([15_000, 30_000, 45_000, 60_000]);
    });

    it('runs one ping timer and one wake check', () => {
      const { heartbeat } = harness();

      heartbeat.start();

      expect(jest.getTimerCount()).toBe(2);
    });

    it('does not double the timers or the pings when called twice', () => {
      const { heartbeat, pingTimes } = harness();

      heartbeat.start();
      jest.advanceTimersByTime(10_000);
      heartbeat.start();

      expect(jest.getTimerCount()).toBe(2);
      jest.advanceTimersByTime(20_000);
      expect(pingTimes()).toEqual([30_000]);
    });

    it('starts again after stop(), with a fresh pingInterval', () => {
      const { heartbeat, pings } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(30_000);
      heartbeat.stop();

      jest.advanceTimersByTime(5_000);
      heartbeat.start();
      jest.advanceTimersByTime(30_000);

      expect(pings.map((ping) => [ping.sequence, ping.at])).toEqual([
        [1, 30_000],
        [2, 65_000],
      ]);
    });
  });

  describe('#frameReceived', () => {
    it('answers the outstanding ping: no miss, and the next ping keeps the schedule', () => {
      const { heartbeat, missed, pingTimes } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(30_000);

      jest.advanceTimersByTime(5_000);
      heartbeat.frameReceived(); // any frame, not necessarily the pong
      jest.advanceTimersByTime(25_000);

      expect(missed).toEqual([]);
      expect(pingTimes()).toEqual([30_000, 60_000]);
    });

    it('answers a ping even when it arrives in the very millisecond the ping left', () => {
      const { heartbeat, missed } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(30_000);

      heartbeat.frameReceived();
      jest.advanceTimersByTime(10_000);

      expect(missed).toEqual([]);
    });

    it('does not answer a ping sent after it', () => {
      const { heartbeat, missed } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(29_000);
      heartbeat.frameReceived();

      jest.advanceTimersByTime(1_000 + 10_000);

      expect(missed).toEqual([1]);
    });

    it('clears the missed count, reporting 0 once', () => {
      const { heartbeat, missed, pingTimes } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(40_000); // ping at 30 s missed at 40 s, re-ping at 40 s
      expect(missed).toEqual([1]);

      jest.advanceTimersByTime(2_000);
      heartbeat.frameReceived();
      heartbeat.frameReceived();

      expect(missed).toEqual([1, 0]);
      jest.advanceTimersByTime(8_000); // the re-ping's timeout: answered
      expect(missed).toEqual([1, 0]);
      jest.advanceTimersByTime(20_000); // next regular ping: 30 s after the re-ping
      expect(pingTimes()).toEqual([30_000, 40_000, 70_000]);
    });

    it('does not report a change while nothing was missed', () => {
      const { heartbeat, missed } = harness();
      heartbeat.start();

      heartbeat.frameReceived();
      jest.advanceTimersByTime(35_000);
      heartbeat.frameReceived();

      expect(missed).toEqual([]);
    });

    it('is ignored while stopped', () => {
      const { heartbeat, missed, pings } = harness();

      heartbeat.frameReceived();
      heartbeat.start();
      jest.advanceTimersByTime(40_000);
      heartbeat.stop();
      heartbeat.frameReceived();

      expect(missed).toEqual([1]);
      expect(pings).toHaveLength(2);
    });
  });

  describe('missed pongs', () => {
    it('counts a miss after pongTimeout of silence and re-pings at once', () => {
      const { heartbeat, missed, pings } = harness();
      heartbeat.start();

      jest.advanceTimersByTime(39_999);
      expect(missed).toEqual([]);
      jest.advanceTimersByTime(1);

      expect(missed).toEqual([1]);
      expect(pings.map((ping) => [ping.sequence, ping.at])).toEqual([
        [1, 30_000],
        [2, 40_000],
      ]);
    });

    it('increments the count on each re-ping that also goes unanswered', () => {
      const { heartbeat, missed, pingTimes } = harness();
      heartbeat.start();

      jest.advanceTimersByTime(50_000);

      expect(missed).toEqual([1, 2]);
      expect(pingTimes()).toEqual([30_000, 40_000, 50_000]);
    });

    it('is dead after exactly pingInterval + maxMissedPongs × pongTimeout of silence (60 s with the defaults)', () => {
      const { heartbeat, deaths, missed, pingTimes } = harness();
      heartbeat.start();

      jest.advanceTimersByTime(59_999);
      expect(deaths).toHaveLength(0);
      jest.advanceTimersByTime(1);

      expect(deaths.map((death) => death.at)).toEqual([60_000]);
      expect(missed).toEqual([1, 2, 3]);
      expect(pingTimes()).toEqual([30_000, 40_000, 50_000]);
    });

    it('reports the death as a 4000 heartbeat-timeout ConnectionFailure', () => {
      const { heartbeat, deaths } = harness();
      heartbeat.start();

      jest.advanceTimersByTime(60_000);

      const failure = deaths[0]!.failure;
      expect(failure).toBeInstanceOf(ConnectionFailure);
      expect(failure.code).toBe(CloseCode.HeartbeatTimeout);
      expect(failure.code).toBe(4000);
      expect(failure.reaction).toBe('reconnect');
      expect(failure.wasClean).toBe(false);
      expect(failure.message).toBe(ClientMessages.heartbeatTimeout(3, 60_000));
    });

    it('measures the silence from the last inbound frame', () => {
      const { heartbeat, deaths } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(31_000);
      heartbeat.frameReceived(); // answers the first ping; nothing after this

      jest.advanceTimersByTime(200_000);

      // next ping at 60 s, misses at 70, 80, 90 s: 59 s after the frame
      expect(deaths.map((death) => death.at)).toEqual([90_000]);
      expect(deaths[0]!.failure.message).toBe(ClientMessages.heartbeatTimeout(3, 59_000));
    });

    it('reaches the worst case (pingInterval + maxMissedPongs × pongTimeout after the last frame) for a frame just after a ping', () => {
      const { heartbeat, deaths } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(30_000);
      heartbeat.frameReceived();

      jest.advanceTimersByTime(100_000);

      expect(deaths.map((death) => death.at - 30_000)).toEqual([30_000 + 3 * 10_000]);
    });

    it.each([
      [{ pingInterval: 5_000, pongTimeout: 2_000, maxMissedPongs: 1 }, 7_000],
      [{ pingInterval: 15_000, pongTimeout: 8_000, maxMissedPongs: 3 }, 39_000],
      [{ pingInterval: 30_000, pongTimeout: 20_000, maxMissedPongs: 3 }, 90_000],
      [{ pingInterval: 1_000, pongTimeout: 500, maxMissedPongs: 5 }, 3_500],
    ])('with %o is dead after exactly %d ms of silence', (timing, deadAt) => {
      const { heartbeat, deaths, missed } = harness(timing);
      heartbeat.start();

      jest.advanceTimersByTime(deadAt - 1);
      expect(deaths).toHaveLength(0);
      jest.advanceTimersByTime(1);

      expect(deaths.map((death) => death.at)).toEqual([deadAt]);
      expect(missed.at(-1)).toBe(timing.maxMissedPongs);
    });

    it('stops itself before reporting the death, and reports it once', () => {
      let pingNowInsideDead: boolean | undefined;
      const { heartbeat, deaths, pings } = harness(DEFAULTS, (self) => {
        pingNowInsideDead = self.pingNow();
      });
      heartbeat.start();

      jest.advanceTimersByTime(60_000);

      expect(pingNowInsideDead).toBe(false);
      expect(jest.getTimerCount()).toBe(0);
      jest.advanceTimersByTime(300_000);
      expect(deaths).toHaveLength(1);
      expect(pings).toHaveLength(3);
    });

    it('survives two misses followed by a frame', () => {
      const { heartbeat, deaths, missed } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(55_000);

      heartbeat.frameReceived();
      jest.advanceTimersByTime(20_000); // the re-ping at 50 s counts as answered; next ping at 80 s

      expect(missed).toEqual([1, 2, 0]);
      expect(deaths).toHaveLength(0);
      jest.advanceTimersByTime(20_000); // a fresh count: one miss, not a third
      expect(missed).toEqual([1, 2, 0, 1]);
      expect(deaths).toHaveLength(0);
    });
  });

  describe('#pingNow', () => {
    it('returns false and sends nothing when stopped', () => {
      const { heartbeat, pings } = harness();

      expect(heartbeat.pingNow()).toBe(false);
      expect(pings).toHaveLength(0);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('pings at once and continues the regular schedule from that ping', () => {
      const { heartbeat, pingTimes } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(10_000);

      expect(heartbeat.pingNow()).toBe(true);
      heartbeat.frameReceived();
      jest.advanceTimersByTime(30_000);

      expect(pingTimes()).toEqual([10_000, 40_000]);
    });

    it('counts an unanswered manual ping as missed after pongTimeout', () => {
      const { heartbeat, missed } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(10_000);

      heartbeat.pingNow();
      jest.advanceTimersByTime(10_000);

      expect(missed).toEqual([1]);
    });

    it('keeps the deadline of an unanswered ping when called meanwhile', () => {
      const { heartbeat, missed, deaths, pingTimes } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(45_000); // missed 1 at 40 s, re-ping at 40 s

      heartbeat.pingNow();
      jest.advanceTimersByTime(5_000);

      expect(missed).toEqual([1, 2]);
      jest.advanceTimersByTime(10_000);
      expect(deaths.map((death) => death.at)).toEqual([60_000]);
      expect(pingTimes()).toEqual([30_000, 40_000, 45_000, 50_000]);
    });

    it('still drops a silent link within the bound when pinged more often than pongTimeout', () => {
      const { heartbeat, deaths } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(1); // the last inbound frame (the start) is now strictly before the pings
      for (let t = 0; t < 120_000 && deaths.length === 0; t += 4_000) {
        heartbeat.pingNow();
        jest.advanceTimersByTime(4_000);
      }
      // pingInterval + maxMissedPongs × pongTimeout = 60 s is the bound; the first manual ping at 0 s
      // already starts the count, so it ends at 3 × pongTimeout.
      expect(deaths.map((death) => death.at)).toEqual([30_001]);
    });
  });

  describe('#stop', () => {
    it('releases every timer', () => {
      const { heartbeat } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(35_000);

      heartbeat.stop();

      expect(jest.getTimerCount()).toBe(0);
    });

    it('is safe to call twice, and before start()', () => {
      const { heartbeat } = harness();

      expect(() => heartbeat.stop()).not.toThrow();
      heartbeat.start();
      heartbeat.stop();
      expect(() => heartbeat.stop()).not.toThrow();
      expect(jest.getTimerCount()).toBe(0);
    });

    it('sends no ping and reports nothing afterwards, even with a ping outstanding', () => {
      const { heartbeat, pings, missed, deaths, wakes } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(35_000);

      heartbeat.stop();
      jest.setSystemTime(Date.now() + 600_000);
      jest.advanceTimersByTime(600_000);

      expect(pings).toHaveLength(1);
      expect(missed).toEqual([]);
      expect(deaths).toEqual([]);
      expect(wakes).toEqual([]);
    });
  });

  describe('throttled timers (hidden tab)', () => {
    /**
     * One minute in which no timer runs (the wall clock moves, the timers are held back) while
     * frames keep arriving every 5 s, then the late timers run for `runMs`.
     */
    function throttledMinute(heartbeat: ClientHeartbeat, runMs: number): void {
      for (let second = 5; second <= 60; second += 5) {
        jumpWallClock(5_000);
        heartbeat.frameReceived();
      }
      jest.advanceTimersByTime(runMs);
    }

    it('does not miss a ping answered while its timer was a minute late', () => {
      const { heartbeat, missed, deaths, pings } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(30_000);
      expect(pings).toHaveLength(1);

      throttledMinute(heartbeat, 10_000);

      expect(elapsed()).toBe(100_000);
      expect(missed).toEqual([]);
      expect(deaths).toEqual([]);
    });

    it('keeps a live link up through ten minutes of timers firing a minute late', () => {
      const { heartbeat, missed, deaths, pings } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(30_000);

      for (let minute = 0; minute < 10; minute += 1) {
        // the late timers run, and a frame arrives right after them as well
        throttledMinute(heartbeat, 10_000);
        heartbeat.frameReceived();
      }

      expect(missed).toEqual([]);
      expect(deaths).toEqual([]);
      expect(pings.length).toBeGreaterThan(1);
      expect(jest.getTimerCount()).toBe(2);
    });

    it.each([
      [55_000, 5_000],
      [50_000, 10_000],
    ])('still detects a dead link while timers run only once a minute (%d ms held back, then %d ms of timers)', (heldMs, runMs) => {
      const { heartbeat, missed, deaths } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(30_000);

      // each minute: the wall clock moves while no timer runs, then the late timers run; nothing arrives
      for (let minute = 0; minute < 30 && deaths.length === 0; minute += 1) {
        jumpWallClock(heldMs);
        jest.advanceTimersByTime(runMs);
      }

      expect(missed).toEqual([1, 2, 3]);
      expect(deaths).toHaveLength(1);
      expect(deaths[0]!.failure.code).toBe(4000);
      expect(deaths[0]!.at).toBeLessThanOrEqual(30_000 + 10 * 60_000);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('does not restart the deadline of a wake check that is still waiting', () => {
      const { heartbeat, wakes, missed, pingTimes } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(5_000);

      jumpWallClock(60_000);
      jest.advanceTimersByTime(5_000); // wake check: ping at 70 s, deadline 10 s of timer time later
      jumpWallClock(60_000);
      jest.advanceTimersByTime(5_000); // late again: another ping, but the 70 s ping's deadline stands
      expect(wakes.map((wake) => wake.at)).toEqual([70_000, 135_000]);
      expect(pingTimes()).toEqual([70_000, 135_000]);

      jest.advanceTimersByTime(5_000); // the 70 s ping's timer runs: missed, re-ping
      expect(missed).toEqual([1]);
      expect(pingTimes()).toEqual([70_000, 135_000, 140_000]);
    });

    it('judges a late pong timer by the frames that arrived before it ran', () => {
      const { heartbeat, missed, pingTimes, wakes } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(30_000);

      jumpWallClock(2_000);
      heartbeat.frameReceived();
      jumpWallClock(2_000); // 4 s late: below the wake threshold
      jest.advanceTimersByTime(10_000);

      expect(wakes).toEqual([]);
      expect(missed).toEqual([]);
      // the next ping is due 30 s after the last one by the wall clock, not 30 s after the late timer
      jest.advanceTimersByTime(16_000);
      expect(pingTimes()).toEqual([30_000, 60_000]);
    });

    it('still counts a miss when nothing arrived, however late the timer ran (once, not per lost period)', () => {
      const { heartbeat, missed, wakes } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(30_000);

      jumpWallClock(4_000);
      jest.advanceTimersByTime(10_000);

      expect(wakes).toEqual([]);
      expect(missed).toEqual([1]);
    });

    it('pings at once when a late idle timer finds the next ping overdue', () => {
      const { heartbeat, pingTimes } = harness({ pingInterval: 30_000, pongTimeout: 25_000, maxMissedPongs: 3 });
      heartbeat.start();
      jest.advanceTimersByTime(30_000);
      heartbeat.frameReceived();

      jumpWallClock(4_000);
      jest.advanceTimersByTime(5_000);
      jumpWallClock(4_000);
      jest.advanceTimersByTime(5_000);
      jumpWallClock(4_000);
      jest.advanceTimersByTime(15_000); // the pong timer runs at 30 + 25 + 12 = 67 s, past the next ping's 60 s
      jest.advanceTimersByTime(1); // fake timers run a 0 ms timer set during a tick 1 ms later

      expect(pingTimes()).toEqual([30_000, 67_001]);
    });
  });

  describe('wall-clock jumps (sleep, frozen tab)', () => {
    it('reports the jump and pings at once when the wake check sees the clock moved 10 minutes', () => {
      const { heartbeat, wakes, pingTimes } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(10_000);

      jumpWallClock(600_000);
      jest.advanceTimersByTime(5_000);

      expect(wakes).toEqual([{ at: 615_000, gapMs: 605_000 }]);
      expect(pingTimes()).toEqual([615_000]);
    });

    it('gives the wake ping a full pongTimeout and counts it missed if unanswered', () => {
      const { heartbeat, missed, pingTimes } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(5_000);
      jumpWallClock(600_000);
      jest.advanceTimersByTime(5_000);

      jest.advanceTimersByTime(9_999);
      expect(missed).toEqual([]);
      jest.advanceTimersByTime(1);

      expect(missed).toEqual([1]);
      expect(pingTimes()).toEqual([610_000, 620_000]);
    });

    it('replaces a ping that was outstanding across the jump instead of counting it missed', () => {
      const { heartbeat, missed, wakes } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(32_000); // ping at 30 s outstanding

      jumpWallClock(600_000);
      jest.advanceTimersByTime(3_000); // wake check at 35 s of timer time
      heartbeat.frameReceived();
      jest.advanceTimersByTime(10_000);

      expect(wakes).toHaveLength(1);
      expect(missed).toEqual([]);
    });

    it.each([
      [4_999, 0],
      [5_000, 1],
    ])('with a jump of %d ms between two 5 s checks reports %d wake-ups', (jumpMs, expected) => {
      const { heartbeat, wakes } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(5_000);

      jumpWallClock(jumpMs);
      jest.advanceTimersByTime(5_000);

      expect(wakes).toHaveLength(expected);
      if (expected > 0) expect(wakes[0]!.gapMs).toBe(WAKE_JUMP_THRESHOLD_MS);
    });

    it('reports nothing while the clock runs normally', () => {
      const { heartbeat, wakes } = harness();
      heartbeat.start();

      for (let n = 0; n < 20; n += 1) {
        jest.advanceTimersByTime(30_000);
        heartbeat.frameReceived();
      }

      expect(wakes).toEqual([]);
    });
  });

  describe('a timer that fires early by the wall clock (clock set back)', () => {
    it('waits out the rest of pongTimeout before counting a miss', () => {
      const { heartbeat, missed, wakes } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(30_000); // ping at 30 s by the wall clock

      jumpWallClock(-4_000);
      jest.advanceTimersByTime(10_000); // the timer runs at 36 s by the wall clock: 6 s after the ping
      expect(missed).toEqual([]);

      jest.advanceTimersByTime(3_999);
      expect(missed).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(missed).toEqual([1]);
      expect(elapsed()).toBe(40_000);
      expect(wakes).toEqual([]);
    });

    it('still accepts a frame that arrives during the extra wait', () => {
      const { heartbeat, missed } = harness();
      heartbeat.start();
      jest.advanceTimersByTime(30_000);

      jumpWallClock(-4_000);
      jest.advanceTimersByTime(12_000);
      heartbeat.frameReceived();
      jest.advanceTimersByTime(10_000);

      expect(missed).toEqual([]);
    });
  });
});
