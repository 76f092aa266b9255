import { Injectable, signal } from '@angular/core';
import { io } from 'socket.io-client';
import type { ModerationAlert } from './moderation-alert';

/** socket.io-client doing what the example's WebSocketStore does for it: status and the alert feed. */
@Injectable({ providedIn: 'root' })
export class AlertSocket {
  readonly connected = signal(false);
  readonly alerts = signal<ModerationAlert[]>([]);
  private readonly socket = io({ path: '/ws', transports: ['websocket'], auth: { token: 'dev-token' } });

  constructor() {
    this.socket.on('connect', () => this.connected.set(true));
    this.socket.on('disconnect', () => this.connected.set(false));
    this.socket.on('alert', (alert: ModerationAlert) => this.alerts.update((list) => [alert, ...list].slice(0, 50)));
  }
}
