import type { HeartbeatStats } from '@heartbeat/protocol';

/** How far back the charts reach. */
export const HISTORY_WINDOW_MS = 5 * 60_000;

/** One poll of the stats, reduced to what the charts draw; all null for a poll that failed. */
export interface StatsSample {
  t: number;
  connections: number | null;
  /** Mean of the connections' last RTT; null when no connection has answered a ping yet. */
  meanRttMs: number | null;
  maxRttMs: number | null;
}

export function sampleOf(stats: HeartbeatStats, t: number): StatsSample {
  const rtts = stats.connection_details.map((connection) => connection.rtt_ms).filter((rtt): rtt is number => rtt !== null);
  return {
    t,
    connections: stats.heartbeat_stats.active_connections,
    meanRttMs: rtts.length > 0 ? rtts.reduce((sum, rtt) => sum + rtt, 0) / rtts.length : null,
    maxRttMs: rtts.length > 0 ? Math.max(...rtts) : null,
  };
}

/** The history with `sample` added and what is older than the window dropped. */
export function appendSample(history: readonly StatsSample[], sample: StatsSample, windowMs = HISTORY_WINDOW_MS): StatsSample[] {
  const from = sample.t - windowMs;
  return [...history.filter((old) => old.t >= from), sample];
}

/** A failed poll: the charts break their lines there instead of joining across an outage. */
export function missingSample(t: number): StatsSample {
  return { t, connections: null, meanRttMs: null, maxRttMs: null };
}
