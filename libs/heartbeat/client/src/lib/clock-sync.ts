/** Samples kept for the clock-offset filter (NTP keeps 8 as well). */
const OFFSET_SAMPLES = 8;
/** Weight of a new RTT sample in the smoothed value (TCP's SRTT uses 1/8). */
const RTT_GAIN = 1 / 8;

export interface ClockSample {
  readonly rttMs: number;
  readonly rttSmoothedMs: number;
  readonly clockOffsetMs: number;
}

/**
 * RTT and server clock offset from the client's ping/pong exchanges. The offset assumes the pong
 * was stamped half-way through the round trip (NTP's assumption) and is taken from the
 * lowest-RTT recent sample, whose error bound (RTT / 2) is the tightest.
 */
export class ClockSync {
  #samples: { rtt: number; offset: number }[] = [];
  #smoothed: number | null = null;

  /** `sentAt` and `receivedAt` on the client's clock, `serverTime` on the server's. */
  record(sentAt: number, serverTime: number, receivedAt: number): ClockSample {
    const rtt = Math.max(0, receivedAt - sentAt);
    const offset = serverTime - (sentAt + receivedAt) / 2;
    this.#samples.push({ rtt, offset });
    if (this.#samples.length > OFFSET_SAMPLES) this.#samples.shift();
    this.#smoothed = this.#smoothed === null ? rtt : this.#smoothed + RTT_GAIN * (rtt - this.#smoothed);
    const best = this.#samples.reduce((a, b) => (b.rtt < a.rtt ? b : a));
    return { rttMs: rtt, rttSmoothedMs: this.#smoothed, clockOffsetMs: best.offset };
  }

  /** A new connection may take another path: forget the old samples. */
  reset(): void {
    this.#samples = [];
    this.#smoothed = null;
  }
}
