import { DatePipe, DecimalPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { WebSocketStore } from '@heartbeat/angular';
import type { ConnectionDetails } from '@heartbeat/protocol';
import { formatBytes, formatDuration, formatRtt } from '../shared/format';
import { SignInComponent } from '../shared/sign-in.component';
import type { ChartPoint } from './chart-scale';
import { ClusterStats } from './cluster-stats.service';
import { HISTORY_WINDOW_MS } from './stats-history';
import { TimeSeriesChartComponent } from './time-series-chart.component';

/** `/admin`: the server's heartbeat stats, its connections (with a kick button each) and two charts. */
@Component({
  selector: 'app-admin-page',
  imports: [DatePipe, DecimalPipe, SignInComponent, TimeSeriesChartComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './admin-page.component.html',
  styleUrl: './admin-page.component.css',
})
export class AdminPageComponent {
  protected readonly stats = inject(ClusterStats);
  protected readonly store = inject(WebSocketStore);
  protected readonly windowMs = HISTORY_WINDOW_MS;
  protected readonly formatBytes = formatBytes;
  protected readonly formatDuration = formatDuration;
  protected readonly formatRtt = formatRtt;

  /** Ids of the connections whose kick is on its way. */
  protected readonly kicking = signal<ReadonlySet<string>>(new Set());
  protected readonly totals = computed(() => this.stats.latest()?.heartbeat_stats ?? null);
  protected readonly connections = computed(() => this.stats.latest()?.connection_details ?? []);
  /** Shown only for a cluster: a single node (memory mode) needs no list of one. */
  protected readonly nodes = computed(() => {
    const nodes = this.stats.latest()?.nodes ?? [];
    return nodes.length > 1 || nodes.some((node) => node.stale) ? nodes : [];
  });
  protected readonly now = computed(() => this.stats.updatedAt() ?? Date.now());
  protected readonly rttPoints = computed<ChartPoint[]>(() => this.stats.history().map((sample) => ({ t: sample.t, value: sample.meanRttMs })));
  protected readonly connectionPoints = computed<ChartPoint[]>(() => this.stats.history().map((sample) => ({ t: sample.t, value: sample.connections })));
  protected readonly latestSample = computed(() => this.stats.history().at(-1) ?? null);

  constructor() {
    this.stats.poll().pipe(takeUntilDestroyed()).subscribe();
  }

  protected isOwn(connection: ConnectionDetails): boolean {
    const session = this.store.sessionId();
    return session !== null && connection.session_id === session;
  }

  protected connectedFor(connection: ConnectionDetails): string {
    return formatDuration(this.now() - Date.parse(connection.connected_at));
  }

  protected async kick(id: string): Promise<void> {
    this.kicking.update((ids) => new Set([...ids, id]));
    try {
      await this.stats.disconnect(id);
    } finally {
      this.kicking.update((ids) => new Set([...ids].filter((other) => other !== id)));
    }
  }

  protected refresh(): void {
    void this.stats.refresh();
  }
}
