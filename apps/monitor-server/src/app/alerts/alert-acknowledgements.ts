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

/** The answer to an acknowledgement: the alert's recorded acknowledgement, and whether it was recorded before. */
export interface AcknowledgeAnswer extends AlertAcknowledgement {
  /** True when the alert was already acknowledged; `acknowledgedAt` is then the first acknowledgement's. */
  duplicate: boolean;
}

/** Thrown by `acknowledge` for data that names no alert; its message says what to send. */
export class InvalidAcknowledgement extends Error {
  override readonly name = 'InvalidAcknowledgement';
}

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
      .subscribe((message) => this.acknowledgeMessage(message.data));
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
  }

  /** The acknowledgement of `alertId`, if it is recorded. */
  get(alertId: string): AlertAcknowledgement | undefined {
    return this.recorded.get(alertId);
  }

  /**
   * Records `{ alertId }` once and publishes it on `alerts.acks`; a repeat changes nothing and is
   * answered with the first acknowledgement. The one algorithm of both paths: the `alerts.ack`
   * request handler (AlertAckHandler) and the fire-and-forget `alerts.ack` message of older clients.
   * Throws InvalidAcknowledgement for data that names no alert.
   */
  acknowledge(data: unknown): AcknowledgeAnswer {
    const alertId = typeof data === 'object' && data !== null ? (data as { alertId?: unknown }).alertId : undefined;
    if (typeof alertId !== 'string' || !ALERT_ID.test(alertId)) {
      throw new InvalidAcknowledgement(`${ALERT_ACK_MESSAGE_TOPIC} needs { alertId } with the id of an alert (alt_ and 16 hex digits).`);
    }
    const known = this.recorded.get(alertId);
    if (known) return { ...known, duplicate: true };
    const acknowledgement: AlertAcknowledgement = { alertId, acknowledgedAt: this.now().toISOString() };
    this.recorded.set(alertId, acknowledgement);
    if (this.recorded.size > this.capacity) this.recorded.delete(this.recorded.keys().next().value as string);
    this.channel.publish(ALERT_ACKS_TOPIC, acknowledgement).catch((error: Error) => this.logger.warn(error.message));
    return { ...acknowledgement, duplicate: false };
  }

  /** A message has no answer: a malformed one is only logged. */
  private acknowledgeMessage(data: unknown): void {
    try {
      this.acknowledge(data);
    } catch (error) {
      if (!(error instanceof InvalidAcknowledgement)) throw error;
      this.logger.debug(`Ignored an ${ALERT_ACK_MESSAGE_TOPIC} message: ${error.message}`);
    }
  }
}
