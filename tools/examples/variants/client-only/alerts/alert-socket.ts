import { Injectable, signal } from '@angular/core';
import { HeartbeatClient } from '@heartbeat/client';
import type { ModerationAlert } from './moderation-alert';

/** @heartbeat/client alone doing what the example's WebSocketStore does for it: status and the alert feed. */
@Injectable({ providedIn: 'root' })
export class AlertSocket {
  readonly connected = signal(false);
  readonly alerts = signal<ModerationAlert[]>([]);
  private readonly client = new HeartbeatClient({ url: '/ws', token: () => 'dev-token' });

  constructor() {
    this.client.state$.subscribe((state) => this.connected.set(state.status === 'connected'));
    this.client.subscribe<ModerationAlert>('alerts').subscribe(({ data }) => this.alerts.update((list) => [data, ...list].slice(0, 50)));
    void this.client.connect();
  }
}
