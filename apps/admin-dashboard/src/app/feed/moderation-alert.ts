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
