import type { HeartbeatTotals } from '@heartbeat/protocol';

/** Cluster totals: counters add up, the last cleanup is the latest, and the cluster drains if any node does. */
export function sumTotals(nodes: readonly HeartbeatTotals[]): HeartbeatTotals {
  const sum: HeartbeatTotals = {
    total_pings_sent: 0,
    total_pongs_received: 0,
    total_client_pings: 0,
    timeout_disconnections: 0,
    active_connections: 0,
    last_cleanup_time: null,
    draining: false,
  };
  const counters = sum as unknown as Record<string, unknown>;
  for (const totals of nodes) {
    for (const [key, value] of Object.entries(totals)) {
      if (key === 'last_cleanup_time') {
        if (typeof value === 'number' && (sum.last_cleanup_time === null || value > sum.last_cleanup_time)) sum.last_cleanup_time = value;
      } else if (key === 'draining') {
        sum.draining = sum.draining || value === true;
      } else if (typeof value === 'number') {
        counters[key] = ((counters[key] as number | undefined) ?? 0) + value;
      }
    }
  }
  return sum;
}
