import { ALERT_CATEGORIES, actionFor, simulateAlert } from './moderation-alert.js';

describe('actionFor', () => {
  it('blocks from 0.9, sends to review from 0.6, flags below', () => {
    expect([0.95, 0.9, 0.89, 0.6, 0.59, 0.1].map(actionFor)).toEqual(['block', 'block', 'review', 'review', 'flag', 'flag']);
  });
});

describe('simulateAlert', () => {
  it('produces an alert whose action matches its risk score', () => {
    const now = new Date('2026-01-01T12:00:00.000Z');
    for (let i = 0; i < 200; i++) {
      const alert = simulateAlert(now);
      expect(ALERT_CATEGORIES).toContain(alert.category);
      expect(alert.risk_score).toBeGreaterThanOrEqual(0.35);
      expect(alert.risk_score).toBeLessThanOrEqual(1);
      expect(alert.action).toBe(actionFor(alert.risk_score));
      expect(alert.created_at).toBe('2026-01-01T12:00:00.000Z');
      expect(alert.id).toMatch(/^alt_[0-9a-f]{16}$/);
    }
  });
});
