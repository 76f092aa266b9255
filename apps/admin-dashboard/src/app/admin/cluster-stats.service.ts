import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { Injectable, InjectionToken, inject, signal } from '@angular/core';
import { type Observable, exhaustMap, firstValueFrom, from, timer } from 'rxjs';
import type { HeartbeatStats } from '@heartbeat/protocol';
import { DashboardCredentials } from '../settings/dashboard-credentials';
import { type StatsSample, appendSample, missingSample, sampleOf } from './stats-history';

export const STATS_URL = '/api/heartbeat/stats';
export const CONNECTIONS_URL = '/api/heartbeat/connections';
/** How often /admin polls the stats while it is open, in ms. */
export const STATS_POLL_INTERVAL = new InjectionToken<number>('STATS_POLL_INTERVAL', { providedIn: 'root', factory: () => 1000 });

/** Why the last poll brought no stats. */
export interface StatsProblem {
  kind: 'unauthorized' | 'unreachable';
  message: string;
}

/** The server's heartbeat stats, polled while /admin is open, with a few minutes of history for the charts. */
@Injectable({ providedIn: 'root' })
export class ClusterStats {
  private readonly http = inject(HttpClient);
  private readonly credentials = inject(DashboardCredentials);
  private readonly pollInterval = inject(STATS_POLL_INTERVAL);

  readonly latest = signal<HeartbeatStats | null>(null);
  readonly updatedAt = signal<number | null>(null);
  readonly history = signal<readonly StatsSample[]>([]);
  readonly problem = signal<StatsProblem | null>(null);

  /** Polls at once and then every STATS_POLL_INTERVAL while subscribed; a slow answer delays the next poll instead of piling up. */
  poll(): Observable<void> {
    return timer(0, this.pollInterval).pipe(exhaustMap(() => from(this.refresh())));
  }

  async refresh(): Promise<void> {
    const headers = await this.authorization();
    if (!headers) return;
    try {
      const stats = await firstValueFrom(this.http.get<HeartbeatStats>(STATS_URL, { headers }));
      const now = Date.now();
      this.latest.set(stats);
      this.updatedAt.set(now);
      this.history.update((history) => appendSample(history, sampleOf(stats, now)));
      this.problem.set(null);
    } catch (error) {
      this.history.update((history) => appendSample(history, missingSample(Date.now())));
      this.report(error);
    }
  }

  /** Closes a connection with 4003 (DELETE /api/heartbeat/connections/:id); its client stays disconnected. */
  async disconnect(id: string): Promise<void> {
    const headers = await this.authorization();
    if (!headers) return;
    try {
      await firstValueFrom(this.http.delete(`${CONNECTIONS_URL}/${encodeURIComponent(id)}`, { headers }));
    } catch (error) {
      this.report(error);
    }
    await this.refresh();
  }

  private async authorization(): Promise<Record<string, string> | null> {
    const token = await this.credentials.adminTokenForRequest();
    if (token) return { Authorization: `Bearer ${token}` };
    this.problem.set({
      kind: 'unauthorized',
      message: 'The admin API needs the admin token: enter it below, or open the dashboard with ?adminToken=<ADMIN_TOKEN>.',
    });
    return null;
  }

  private report(error: unknown): void {
    if (error instanceof HttpErrorResponse && error.status === 401) {
      this.credentials.forgetDemoAdminToken();
      this.problem.set({ kind: 'unauthorized', message: serverMessage(error) ?? 'The server refused the admin token: enter the ADMIN_TOKEN it was started with.' });
    } else if (error instanceof HttpErrorResponse && error.status === 404) {
      this.problem.set({ kind: 'unreachable', message: serverMessage(error) ?? 'The server does not know that connection; it may have closed already.' });
    } else {
      this.problem.set({ kind: 'unreachable', message: 'The stats could not be loaded: the server does not answer. The dashboard keeps trying every second.' });
    }
  }
}

function serverMessage(error: HttpErrorResponse): string | null {
  const body = error.error as { message?: unknown } | null;
  return typeof body?.message === 'string' ? body.message : null;
}
