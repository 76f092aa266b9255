import { describe, expect, it } from '@jest/globals';
import { type NodeWatchReport, peakCpu, worstHealthLatency } from './node-watch.js';

const report = (health: (number | null)[], cpu: number[]): NodeWatchReport => ({
  name: 'node-1',
  health: health.map((latencyMs, i) => ({ at: i * 200, latencyMs, redis: 'up' })),
  cpu: cpu.map((share, i) => ({ at: i * 1000, share })),
});

describe('worstHealthLatency', () => {
  it('is the longest answer', () => {
    expect(worstHealthLatency(report([12, 340, 25], []))).toBe(340);
  });

  it('is Infinity when one request got no answer', () => {
    expect(worstHealthLatency(report([12, null, 25], []))).toBe(Infinity);
  });
});

describe('peakCpu', () => {
  it('gives the highest sample and the highest average over the window', () => {
    expect(peakCpu(report([], [0.1, 1, 0.1, 0.1, 0.9, 0.95, 1]), 3)).toEqual({ single: 1, sustained: expect.closeTo(0.95, 5) });
  });

  it('has no sustained figure when there are fewer samples than the window', () => {
    expect(peakCpu(report([], [0.5, 0.7]), 3)).toEqual({ single: 0.7, sustained: 0 });
  });
});
