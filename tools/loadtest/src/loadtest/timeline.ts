/**
 * Once a second: the server's figures from /metrics and the clients' connected count, for the
 * chart and the server-side part of the table. A scrape that fails (the server is down during a
 * restart) leaves a hole, not a zero.
 */
import type { Fleet } from '../lib/fleet.js';
import { type MetricSample, fetchMetrics, metricByLabel, metricTotal } from '../lib/prometheus.js';

export interface TimelinePoint {
  /** ms since the timeline started. */
  t: number;
  clientsConnected: number | null;
  serverConnections: number | null;
  lagP99Ms: number | null;
  rssBytes: number | null;
  cpuSeconds: number | null;
  pingsSent: number | null;
  pongsReceived: number | null;
}

export class Timeline {
  readonly points: TimelinePoint[] = [];
  readonly startedAt = Date.now();
  /** The last scrape that worked, for the closing figures. */
  lastMetrics: MetricSample[] | null = null;
  firstMetrics: MetricSample[] | null = null;
  lastError: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private fleet: Fleet | null = null;

  constructor(private readonly metricsUrl: string) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), 1_000);
  }

  /** Clients count from then on. */
  attach(fleet: Fleet): void {
    this.fleet = fleet;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** ms since the start, for markers on the chart. */
  now(): number {
    return Date.now() - this.startedAt;
  }

  private async sample(): Promise<void> {
    const t = this.now();
    const [metrics, status] = await Promise.all([
      fetchMetrics(this.metricsUrl, 900).catch((error: unknown) => {
        this.lastError = error instanceof Error ? error.message : String(error);
        return null;
      }),
      this.fleet?.status().catch(() => null) ?? null,
    ]);
    if (metrics) {
      this.firstMetrics ??= metrics;
      this.lastMetrics = metrics;
    }
    const value = (name: string) => {
      const v = metrics ? metricTotal(metrics, name) : Number.NaN;
      return Number.isFinite(v) ? v : null;
    };
    const lag = value('nodejs_eventloop_lag_p99_seconds');
    this.points.push({
      t,
      clientsConnected: status?.connected ?? null,
      serverConnections: value('heartbeat_connections'),
      lagP99Ms: lag === null ? null : lag * 1000,
      rssBytes: value('process_resident_memory_bytes'),
      cpuSeconds: value('process_cpu_seconds_total'),
      pingsSent: value('heartbeat_pings_sent_total'),
      pongsReceived: value('heartbeat_pongs_received_total'),
    });
  }

  /** Points from `fromMs` on (ms since the start). */
  since(fromMs: number): TimelinePoint[] {
    return this.points.filter((p) => p.t >= fromMs);
  }

  /** Closes by code counted by the server since the first scrape (a restart starts them over). */
  closesByCode(): Record<string, number> {
    return this.lastMetrics ? metricByLabel(this.lastMetrics, 'heartbeat_disconnections_total', 'code') : {};
  }
}

/**
 * Per second over the points' span, from a counter's increases between consecutive scrapes; a drop
 * (the server restarted and its counters began again) counts the new value as the increase.
 */
export function counterRate(points: readonly TimelinePoint[], pick: (p: TimelinePoint) => number | null): number {
  const withValue = points.filter((p) => pick(p) !== null);
  if (withValue.length < 2) return Number.NaN;
  let increase = 0;
  for (let i = 1; i < withValue.length; i++) {
    const previous = pick(withValue[i - 1] as TimelinePoint) as number;
    const current = pick(withValue[i] as TimelinePoint) as number;
    increase += current >= previous ? current - previous : current;
  }
  const span = (withValue[withValue.length - 1] as TimelinePoint).t - (withValue[0] as TimelinePoint).t;
  return span > 0 ? (increase / span) * 1000 : Number.NaN;
}
