import type { HeartbeatClientMessage } from '@heartbeat/nest';
import { Logger } from '@nestjs/common';
import { filter, type Observable, type Subscription } from 'rxjs';

/** Topic of the `message` frames that acknowledge an alert: `{ alertId }`. */
export const ALERT_ACK_MESSAGE_TOPIC = 'alerts.ack';
/** Topic on which each recorded acknowledgement is published once: `AlertAcknowledgement`. */
export const ALERT_ACKS_TOPIC = 'alerts.acks';
/** Acknowledgements remembered for deduplication; the oldest are forgotten beyond this. */
export const MAX_REMEMBERED_ACKNOWLEDGEMENTS = 10_000;

const ALERT_ID = /^alt_[0-9a-f]{16}$/;

/** One alert acknowledged by an operator, as published on `alerts.acks`. */
export interface AlertAcknowledgement {
  alertId: string;
  /** When the server recorded it (ISO-8601). */
  acknowledgedAt: string;
}

/** What the ledger needs of HeartbeatService. */
export interface AcknowledgementChannel {
  readonly messages$: Observable<HeartbeatClientMessage>;
  publish(topic: string, data: AlertAcknowledgement): Promise<unknown>;
}

export type AcknowledgeOutcome = 'recorded' | 'duplicate' | 'invalid';

/**
 * Operators acknowledging alerts from the dashboard: each `alerts.ack` message is recorded once
 * per alert id and published on `alerts.acks`, so every open dashboard marks the alert (and a
 * reconnecting one catches up through the topic's replay). A repeated acknowledgement of the same
 * alert — a second operator, or a message processed again after an unresumed reconnect — changes
 * nothing. In memory: a restarted server forgets them, as it forgets its alerts.
 */
export class AlertAcknowledgements {
  private readonly logger = new Logger('AlertAcknowledgements');
  private readonly recorded = new Map<string, AlertAcknowledgement>();
  private subscription: Subscription | null = null;

  constructor(
    private readonly channel: AcknowledgementChannel,
    private readonly now: () => Date = () => new Date(),
    private readonly capacity = MAX_REMEMBERED_ACKNOWLEDGEMENTS,
  ) {}

  start(): void {
    this.subscription ??= this.channel.messages$
      .pipe(filter((message) => message.topic === ALERT_ACK_MESSAGE_TOPIC))
      .subscribe((message) => this.acknowledge(message.data));
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
  }

  /** The acknowledgement of `alertId`, if it is recorded. */
  get(alertId: string): AlertAcknowledgement | undefined {
    return this.recorded.get(alertId);
  }

  /** Records `{ alertId }` once and publishes it; a repeat or a malformed message is ignored. */
  acknowledge(data: unknown): AcknowledgeOutcome {
    const alertId = typeof data === 'object' && data !== null ? (data as { alertId?: unknown }).alertId : undefined;
    if (typeof alertId !== 'string' || !ALERT_ID.test(alertId)) {
      this.logger.debug(`Ignored an ${ALERT_ACK_MESSAGE_TOPIC} message without a valid alertId (alt_ and 16 hex digits).`);
      return 'invalid';
    }
    if (this.recorded.has(alertId)) return 'duplicate';
    const acknowledgement: AlertAcknowledgement = { alertId, acknowledgedAt: this.now().toISOString() };
    this.recorded.set(alertId, acknowledgement);
    if (this.recorded.size > this.capacity) this.recorded.delete(this.recorded.keys().next().value as string);
    this.channel.publish(ALERT_ACKS_TOPIC, acknowledgement).catch((error: Error) => this.logger.warn(error.message));
    return 'recorded';
  }
}
