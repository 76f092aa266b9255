/** How a load came back after its server did (a restart, a drain): from the clients' histories. */
import { peakInWindow, quantile } from './stats.js';
import type { FleetReport } from './fleet.js';

export interface ReconnectFigures {
  clients: number;
  /** Clients with a connection established after `since`. */
  back: number;
  /** From `since` until the last client was back, ms (NaN unless all are). */
  allBackMs: number;
  medianBackMs: number;
  /** Most connections established within any one second. */
  peakAcceptsPerSecond: number;
  /** Attempts started at or after `since` that ended before their handshake completed. */
  failedHandshakes: number;
  /** Their reasons: reason → count. */
  failureReasons: Record<string, number>;
}

export function reconnectFigures(report: Pick<FleetReport, 'clients' | 'failedAttempts'>, since: number): ReconnectFigures {
  const backAfter: number[] = [];
  const accepts: number[] = [];
  for (const client of report.clients) {
    const after = client.established.filter((at) => at >= since);
    accepts.push(...after);
    if (after.length > 0) backAfter.push(Math.min(...after) - since);
  }
  const all = backAfter.length === report.clients.length;
  const failed = report.failedAttempts.filter((attempt) => attempt.at >= since);
  const failureReasons: Record<string, number> = {};
  for (const { reason } of failed) failureReasons[reason] = (failureReasons[reason] ?? 0) + 1;
  return {
    clients: report.clients.length,
    back: backAfter.length,
    allBackMs: all && backAfter.length > 0 ? Math.max(...backAfter) : Number.NaN,
    medianBackMs: quantile(backAfter, 0.5),
    peakAcceptsPerSecond: peakInWindow(accepts, 1_000),
    failedHandshakes: failed.length,
    failureReasons,
  };
}
