import { randomBytes, randomInt } from 'node:crypto';

export const ALERTS_TOPIC = 'alerts';

export const ALERT_CATEGORIES = [
  'hate_speech',
  'harassment',
  'violence',
  'sexual_content',
  'self_harm',
  'spam',
  'misinformation',
  'illegal_goods',
] as const;

export type AlertCategory = (typeof ALERT_CATEGORIES)[number];
/** What the moderation pipeline did: blocked outright, held for a human, or let through with a flag. */
export type AlertAction = 'block' | 'review' | 'flag';

/** One decision of the AI content-safety pipeline, as pushed to operators on topic `alerts`. */
export interface ModerationAlert {
  id: string;
  content_id: string;
  content_type: 'text' | 'image' | 'video' | 'audio';
  category: AlertCategory;
  /** Model confidence that the content violates policy, 0..1. */
  risk_score: number;
  action: AlertAction;
  model: string;
  created_at: string;
}

const CONTENT_TYPES = ['text', 'image', 'video', 'audio'] as const;
const MODELS = ['safety-text-v4', 'safety-vision-v2', 'safety-av-v1'];

export function actionFor(riskScore: number): AlertAction {
  if (riskScore >= 0.9) return 'block';
  if (riskScore >= 0.6) return 'review';
  return 'flag';
}

/** A plausible random alert; `random` returns values in [0, 1) like Math.random. */
export function simulateAlert(now: Date, random: () => number = Math.random): ModerationAlert {
  const contentType = CONTENT_TYPES[Math.floor(random() * CONTENT_TYPES.length)];
  // Skewed towards the review band, where operators actually have to look.
  const riskScore = Math.round((0.35 + 0.65 * Math.sqrt(random())) * 1000) / 1000;
  return {
    id: `alt_${randomBytes(8).toString('hex')}`,
    content_id: `cnt_${randomInt(1_000_000, 9_999_999)}`,
    content_type: contentType,
    category: ALERT_CATEGORIES[Math.floor(random() * ALERT_CATEGORIES.length)],
    risk_score: riskScore,
    action: actionFor(riskScore),
    model: contentType === 'text' ? MODELS[0] : contentType === 'image' ? MODELS[1] : MODELS[2],
    created_at: now.toISOString(),
  };
}
