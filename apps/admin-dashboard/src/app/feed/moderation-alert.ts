/**
 * One alert of the monitor server's topic `alerts` (apps/monitor-server, moderation-alert.ts): the
 * wire shape, repeated here because an app never imports another app.
 */
export interface ModerationAlert {
  id: string;
  content_id: string;
  content_type: 'text' | 'image' | 'video' | 'audio';
  category: string;
  /** Model confidence that the content violates policy, 0..1. */
  risk_score: number;
  action: 'block' | 'review' | 'flag';
  model: string;
  created_at: string;
}

export const ALERTS_TOPIC = 'alerts';

/** Requests (and, from older dashboards, messages) that acknowledge an alert: `{ alertId }`. */
export const ALERT_ACK_MESSAGE_TOPIC = 'alerts.ack';
/** Each acknowledgement the server recorded, once per alert. */
export const ALERT_ACKS_TOPIC = 'alerts.acks';

/** One event of topic `alerts.acks` (apps/monitor-server, alert-acknowledgements.ts). */
export interface AlertAcknowledgement {
  alertId: string;
  acknowledgedAt: string;
}

/** The server's answer to an `alerts.ack` request (apps/monitor-server, alert-acknowledgements.ts). */
export interface AcknowledgeAnswer extends AlertAcknowledgement {
  /** True when the alert was acknowledged already; `acknowledgedAt` is then the first acknowledgement's. */
  duplicate: boolean;
}
