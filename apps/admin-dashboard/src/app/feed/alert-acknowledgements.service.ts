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
import { ALERT_ACK_MESSAGE_TOPIC, ALERT_ACKS_TOPIC, type AcknowledgeAnswer, type AlertAcknowledgement } from './moderation-alert';

/**
 * Operators acknowledge alerts: `acknowledge()` is a request on `alerts.ack` (it waits while the
 * connection is down and is sent once it is back) whose answer says when the server recorded the
 * acknowledgement and whether it was one already; a refusal or no answer shows its sentence. Topic
 * `alerts.acks` marks alerts acknowledged from any dashboard. Listens from the start, like the feed.
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

  /** Requests the acknowledgement; resolves once the server answered (or it failed, as the state then says). */
  async acknowledge(alertId: string): Promise<void> {
    const status = this.states().get(alertId)?.status;
    if (status === 'pending' || status === 'acknowledged') return;
    this.states.update((states) => markPending(states, alertId));
    try {
      const answer = await this.store.request<AcknowledgeAnswer>(ALERT_ACK_MESSAGE_TOPIC, { alertId });
      this.states.update((states) => markAcknowledged(states, alertId, answer.acknowledgedAt, answer.duplicate));
    } catch (error) {
      this.states.update((states) => markFailed(states, alertId, error instanceof Error ? error.message : String(error)));
    }
  }
}
