import type { HeartbeatClientEventMap } from './client-events.js';
import { HeartbeatTopicError } from './heartbeat-topic-error.js';
import { PresenceRoster } from './presence-roster.js';
import { TopicRefusals } from './topic-refusals.js';
import { TopicRegistry } from './topic-registry.js';

function setup() {
  const topics = new TopicRegistry({ send: () => true, gap: () => undefined, resumed: () => undefined });
  const presence = new PresenceRoster(topics);
  const told: HeartbeatClientEventMap['unsubscribed'][] = [];
  const refusals = new TopicRefusals(topics, presence, (payload) => told.push(payload));
  const outcome = (source: { subscribe: (observer: object) => unknown }) => {
    const seen: { error: unknown; completed: boolean } = { error: null, completed: false };
    source.subscribe({ error: (error: unknown) => (seen.error = error), complete: () => (seen.completed = true) });
    return seen;
  };
  return { topics, presence, refusals, told, outcome };
}

describe('TopicRefusals', () => {
  describe('#onError', () => {
    it.each(['forbidden', 'invalid_topic'])('refuses the topic named in ref for %s: events and presence error', (code) => {
      const { topics, presence, refusals, outcome } = setup();
      const events = outcome(topics.subscribe('vault'));
      const members = outcome(presence.observe('vault'));

      expect(refusals.onError({ type: 'error', code, message: 'Not for you.', ref: 'vault' })).toBe(true);

      expect(events.error).toBeInstanceOf(HeartbeatTopicError);
      expect(events.error).toMatchObject({ code, topic: 'vault' });
      expect(members.error).toBe(events.error);
    });

    it('refuses only the presence for any other code', () => {
      const { topics, presence, refusals, outcome } = setup();
      const events = outcome(topics.subscribe('room'));
      const members = outcome(presence.observe('room'));

      expect(refusals.onError({ type: 'error', code: 'presence_disabled', message: 'No presence.', ref: 'room' })).toBe(true);

      expect(members.error).toMatchObject({ code: 'presence_disabled' });
      expect(events.error).toBeNull();
    });

    it('is false for an error without ref, or naming nothing of this client', () => {
      const { refusals } = setup();

      expect(refusals.onError({ type: 'error', code: 'forbidden', message: 'no' })).toBe(false);
      expect(refusals.onError({ type: 'error', code: 'forbidden', message: 'no', ref: 'subscribe' })).toBe(false);
    });
  });

  describe('#onUnsubscribed', () => {
    it('errors the topic for forbidden, completes it for removed, and tells both', () => {
      const { topics, refusals, told, outcome } = setup();
      const forbidden = outcome(topics.subscribe('vault'));
      const removed = outcome(topics.subscribe('room'));

      refusals.onUnsubscribed({ type: 'unsubscribed', topic: 'vault', reason: 'forbidden' });
      refusals.onUnsubscribed({ type: 'unsubscribed', topic: 'room', reason: 'removed' });

      expect(forbidden.error).toMatchObject({ name: 'HeartbeatTopicError', code: 'forbidden', topic: 'vault' });
      expect(removed.completed).toBe(true);
      expect(told).toEqual([
        { topic: 'vault', reason: 'forbidden' },
        { topic: 'room', reason: 'removed' },
      ]);
    });
  });
});
