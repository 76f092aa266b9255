import type { HeartbeatClientEventMap } from './client-events.js';
import { HeartbeatTopicError } from './heartbeat-topic-error.js';
import { endTopic, refuseTopic } from './topic-refusals.js';
import { TopicRegistry } from './topic-registry.js';

function setup() {
  const topics = new TopicRegistry({ send: () => true, gap: () => undefined, resumed: () => undefined });
  const told: HeartbeatClientEventMap['unsubscribed'][] = [];
  const tell = (payload: HeartbeatClientEventMap['unsubscribed']) => told.push(payload);
  const outcome = (source: { subscribe: (observer: object) => unknown }) => {
    const seen: { error: unknown; completed: boolean } = { error: null, completed: false };
    source.subscribe({ error: (error: unknown) => (seen.error = error), complete: () => (seen.completed = true) });
    return seen;
  };
  return { topics, told, tell, outcome };
}

describe('topic refusals', () => {
  describe('refuseTopic', () => {
    it.each(['forbidden', 'invalid_topic', 'too_many_topics'])('refuses the topic named in ref for %s: its events error', (code) => {
      const { topics, outcome } = setup();
      const events = outcome(topics.subscribe('vault'));

      expect(refuseTopic(topics, { type: 'error', code, message: 'Not for you.', ref: 'vault' })).toBe(true);

      expect(events.error).toBeInstanceOf(HeartbeatTopicError);
      expect(events.error).toMatchObject({ code, topic: 'vault' });
    });

    it('leaves the topic alone for any other code (a presence refusal, told by withPresence())', () => {
      const { topics, outcome } = setup();
      const events = outcome(topics.subscribe('room'));

      expect(refuseTopic(topics, { type: 'error', code: 'presence_disabled', message: 'No presence.', ref: 'room' })).toBe(false);

      expect(events.error).toBeNull();
    });

    it('is false for an error without ref, or naming nothing of this client', () => {
      const { topics } = setup();

      expect(refuseTopic(topics, { type: 'error', code: 'forbidden', message: 'no' })).toBe(false);
      expect(refuseTopic(topics, { type: 'error', code: 'forbidden', message: 'no', ref: 'subscribe' })).toBe(false);
    });
  });

  describe('endTopic', () => {
    it('errors the topic for forbidden, completes it for removed, and tells both', () => {
      const { topics, tell, told, outcome } = setup();
      const forbidden = outcome(topics.subscribe('vault'));
      const removed = outcome(topics.subscribe('room'));

      endTopic(topics, { type: 'unsubscribed', topic: 'vault', reason: 'forbidden' }, tell);
      endTopic(topics, { type: 'unsubscribed', topic: 'room', reason: 'removed' }, tell);

      expect(forbidden.error).toMatchObject({ name: 'HeartbeatTopicError', code: 'forbidden', topic: 'vault' });
      expect(removed.completed).toBe(true);
      expect(told).toEqual([
        { topic: 'vault', reason: 'forbidden' },
        { topic: 'room', reason: 'removed' },
      ]);
    });
  });
});
