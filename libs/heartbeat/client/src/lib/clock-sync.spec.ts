import { ClockSync } from './clock-sync.js';

/** Client-clock send/receive times and the server's stamp for one ping/pong exchange. */
interface Exchange {
  sentAt: number;
  serverTime: number;
  receivedAt: number;
}

/** An exchange with the given RTT whose server stamp is half-way through it, `offset` ahead. */
function exchange(sentAt: number, rtt: number, offset: number): Exchange {
  return { sentAt, serverTime: sentAt + rtt / 2 + offset, receivedAt: sentAt + rtt };
}

const record = (clock: ClockSync, { sentAt, serverTime, receivedAt }: Exchange) => clock.record(sentAt, serverTime, receivedAt);

describe('ClockSync', () => {
  describe('#record', () => {
    it('measures the RTT as receivedAt − sentAt', () => {
      const clock = new ClockSync();

      expect(clock.record(1_000, 5_000, 1_080).rttMs).toBe(80);
    });

    it('computes the offset NTP-style: serverTime − (sentAt + receivedAt) / 2', () => {
      const clock = new ClockSync();

      expect(clock.record(1_000, 5_000, 1_080).clockOffsetMs).toBe(5_000 - 1_040);
    });

    it.each([
      ['ahead of', 250],
      ['behind', -1_500],
      ['in step with', 0],
    ])('finds a server clock %s the client (%d ms)', (_label, offset) => {
      const clock = new ClockSync();

      expect(record(clock, exchange(1_700_000_000_000, 40, offset)).clockOffsetMs).toBe(offset);
    });

    it('keeps half-millisecond offsets of odd RTTs', () => {
      const clock = new ClockSync();

      expect(clock.record(100, 1_000, 101).clockOffsetMs).toBe(899.5);
    });

    it('never reports a negative RTT (a clock set back between send and receive)', () => {
      const clock = new ClockSync();

      const sample = clock.record(1_000, 2_000, 990);

      expect(sample.rttMs).toBe(0);
      expect(sample.rttSmoothedMs).toBe(0);
      expect(sample.clockOffsetMs).toBe(2_000 - 995);
    });

    describe('offset filter', () => {
      it('takes the offset of the lowest-RTT sample', () => {
        const clock = new ClockSync();
        record(clock, exchange(0, 200, 120)); // asymmetric path: skewed offset
        record(clock, exchange(1_000, 20, 100)); // tightest bound
        const sample = record(clock, exchange(2_000, 90, 70));

        expect(sample.rttMs).toBe(90);
        expect(sample.clockOffsetMs).toBe(100);
      });

      it('switches to a newer sample with a lower RTT', () => {
        const clock = new ClockSync();
        record(clock, exchange(0, 50, 10));

        expect(record(clock, exchange(1_000, 49, 20)).clockOffsetMs).toBe(20);
      });

      it('keeps the earliest of equally low RTTs', () => {
        const clock = new ClockSync();
        record(clock, exchange(0, 30, 10));

        expect(record(clock, exchange(1_000, 30, 20)).clockOffsetMs).toBe(10);
      });

      it('considers only the last 8 samples', () => {
        const clock = new ClockSync();
        record(clock, exchange(0, 10, 999)); // the best sample, soon to age out
        const offsets: number[] = [];
        for (let n = 1; n <= 8; n += 1) offsets.push(record(clock, exchange(n * 1_000, 100 + n, n)).clockOffsetMs);

        // samples 1..7 still see the 10 ms one; the 8th pushes it out, leaving sample 1 (101 ms) the best
        expect(offsets).toEqual([999, 999, 999, 999, 999, 999, 999, 1]);
      });

      it('keeps a low-RTT sample for exactly 8 samples', () => {
        const clock = new ClockSync();
        for (let n = 0; n < 20; n += 1) record(clock, exchange(n * 1_000, 100, 0));
        record(clock, exchange(20_000, 5, 42));

        const seen = Array.from({ length: 9 }, (_, n) => record(clock, exchange((21 + n) * 1_000, 100, 0)).clockOffsetMs);

        expect(seen).toEqual([42, 42, 42, 42, 42, 42, 42, 0, 0]);
      });
    });

    describe('smoothed RTT', () => {
      it('starts at the first sample', () => {
        const clock = new ClockSync();

        expect(record(clock, exchange(0, 120, 0)).rttSmoothedMs).toBe(120);
      });

      it('moves 1/8 of the way towards each new sample (EWMA, like TCP\'s SRTT)', () => {
        const clock = new ClockSync();
        const smoothed = [100, 180, 20, 100].map((rtt, n) => record(clock, exchange(n * 1_000, rtt, 0)).rttSmoothedMs);

        // 100; 100 + (180 − 100)/8 = 110; 110 + (20 − 110)/8 = 98.75; 98.75 + (100 − 98.75)/8 = 98.90625
        expect(smoothed).toEqual([100, 110, 98.75, 98.90625]);
      });

      it('converges on a steady RTT', () => {
        const clock = new ClockSync();
        record(clock, exchange(0, 400, 0));
        let last = 0;
        for (let n = 1; n <= 200; n += 1) last = record(clock, exchange(n * 1_000, 40, 0)).rttSmoothedMs;

        expect(last).toBeCloseTo(40, 6);
      });

      it('is not limited to the last 8 samples', () => {
        const clock = new ClockSync();
        record(clock, exchange(0, 800, 0));
        let last = 0;
        for (let n = 1; n <= 8; n += 1) last = record(clock, exchange(n * 1_000, 0, 0)).rttSmoothedMs;

        expect(last).toBeCloseTo(800 * (7 / 8) ** 8, 9);
      });

      it('reports the raw RTT of the sample beside the smoothed one', () => {
        const clock = new ClockSync();
        record(clock, exchange(0, 100, 0));

        expect(record(clock, exchange(1_000, 180, 0))).toEqual({ rttMs: 180, rttSmoothedMs: 110, clockOffsetMs: 0 });
      });
    });
  });

  describe('#reset', () => {
    it('forgets the samples: the next offset comes from the next sample alone', () => {
      const clock = new ClockSync();
      record(clock, exchange(0, 5, 500));

      clock.reset();

      expect(record(clock, exchange(1_000, 300, -20)).clockOffsetMs).toBe(-20);
    });

    it('restarts the smoothed RTT at the next sample', () => {
      const clock = new ClockSync();
      record(clock, exchange(0, 1_000, 0));
      record(clock, exchange(1_000, 1_000, 0));

      clock.reset();

      expect(record(clock, exchange(2_000, 30, 0)).rttSmoothedMs).toBe(30);
    });

    it('is safe on a fresh instance and twice in a row', () => {
      const clock = new ClockSync();

      clock.reset();
      clock.reset();

      expect(record(clock, exchange(0, 60, 7))).toEqual({ rttMs: 60, rttSmoothedMs: 60, clockOffsetMs: 7 });
    });
  });
});
