import type { ConnectionDetails, HeartbeatStats } from '@heartbeat/protocol';
import { HISTORY_WINDOW_MS, appendSample, missingSample, sampleOf } from './stats-history';

function stats(rtts: (number | null)[]): HeartbeatStats {
  return {
    heartbeat_stats: {
      total_pings_sent: 10,
      total_pongs_received: 9,
      total_client_pings: 3,
      timeout_disconnections: 0,
      active_connections: rtts.length,
      last_cleanup_time: null,
    },
    connection_details: rtts.map((rtt_ms, index) => ({ id: `c${index}`, rtt_ms }) as ConnectionDetails),
  };
}

describe('sampleOf', () => {
  it('takes the connection count and the mean and largest RTT', () => {
    expect(sampleOf(stats([2, 4, null, 9]), 100)).toEqual({ t: 100, connections: 4, meanRttMs: 5, maxRttMs: 9 });
  });

  it('has no RTT while no connection has one', () => {
    expect(sampleOf(stats([null]), 100)).toEqual({ t: 100, connections: 1, meanRttMs: null, maxRttMs: null });
  });
});

describe('appendSample', () => {
  it('adds the sample and drops those older than the window', () => {
    const old = missingSample(0);
    const recent = missingSample(HISTORY_WINDOW_MS);
    const next = missingSample(HISTORY_WINDOW_MS + 1);
    expect(appendSample([old, recent], next)).toEqual([recent, next]);
  });
});

describe('missingSample', () => {
  it('has nothing to draw', () => {
    expect(missingSample(5)).toEqual({ t: 5, connections: null, meanRttMs: null, maxRttMs: null });
  });
});
