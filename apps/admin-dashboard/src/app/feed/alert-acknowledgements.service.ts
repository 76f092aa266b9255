import { Injectable, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { WebSocketStore } from '@heartbeat/angular';
import {
  acknowledgementView,
  markAcknowledged,
  markFailed,
  markPending,
  type AcknowledgementState,
  type AcknowledgementStates,
  type AcknowledgementView,
} from './acknowledgement-states';
import { ALERT_ACK_MESSAGE_TOPIC, ALERT_ACKS_TOPIC, type AlertAcknowledgement } from './moderation-alert';

/**
 * Operators acknowledge alerts: `acknowledge()` sends `alerts.ack` through the client's outbox
 * (queued while the connection is down, sent once after it is back), and topic `alerts.acks`
 * marks alerts acknowledged from any dashboard. Listens from the start, like the feed.
 */
@Injectable({ providedIn: 'root' })
export class AlertAcknowledgements {
  private readonly store = inject(WebSocketStore);
  private readonly states = signal<AcknowledgementStates>(new Map());

  constructor() {
    this.store
      .subscribe<AlertAcknowledgement>(ALERT_ACKS_TOPIC)
      .pipe(takeUntilDestroyed())
      .subscribe(({ data }) => this.states.update((states) => markAcknowledged(states, data.alertId, data.acknowledgedAt)));
  }

  /** Where the acknowledgement of `alertId` stands (reactive: reads signals). */
  state(alertId: string): AcknowledgementState | undefined {
    return this.states().get(alertId);
  }

  /** What the row of `alertId` shows (reactive). */
  view(alertId: string): AcknowledgementView {
    return acknowledgementView(this.states().get(alertId), this.store.isConnected());
  }

  /** Sends the acknowledgement; resolves once the server recorded it (or it failed, as the state then says). */
  async acknowledge(alertId: string): Promise<void> {
    const status = this.states().get(alertId)?.status;
    if (status === 'pending' || status === 'acknowledged') return;
    this.states.update((states) => markPending(states, alertId));
    try {
      await this.store.send(ALERT_ACK_MESSAGE_TOPIC, { alertId });
      this.states.update((states) => markAcknowledged(states, alertId, null));
    } catch (error) {
      this.states.update((states) => markFailed(states, alertId, error instanceof Error ? error.message : String(error)));
    }
  }
}
