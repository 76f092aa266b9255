import type { ErrorFrame, UnsubscribedFrame } from '@heartbeat/protocol';
import type { HeartbeatClientEventMap } from './client-events.js';
import { HeartbeatTopicError } from './heartbeat-topic-error.js';
import { endTopic, refuseTopic } from './topic-refusals.js';
import { TopicRegistry } from './topic-registry.js';

function setup() {
  const topics = new TopicRegistry({ send: () => true, gap: () => undefined, resumed: () => undefined });
  const told: HeartbeatClientEventMap['unsubscribed'][] = [];
  const refusals = {
    onError: (frame: ErrorFrame) => refuseTopic(topics, frame),
    onUnsubscribed: (frame: UnsubscribedFrame) => endTopic(topics, frame, (payload) => told.push(payload)),
  };
  const outcome = (source: { subscribe: (observer: object) => unknown }) => {
    const seen: { error: unknown; completed: boolean } = { error: null, completed: false };
    source.subscribe({ error: (error: unknown) => (seen.error = error), complete: () => (seen.completed = true) });
    return seen;
  };
  return { topics, refusals, told, outcome };
}

describe('topic refusals', () => {
  describe('refuseTopic', () => {
    it.each(['forbidden', 'invalid_topic'])('refuses the topic named in ref for %s: its events error', (code) => {
      const { topics, refusals, outcome } = setup();
      const events = outcome(topics.subscribe('vault'));

      expect(refusals.onError({ type: 'error', code, message: 'Not for you.', ref: 'vault' })).toBe(true);

      expect(events.error).toBeInstanceOf(HeartbeatTopicError);
      expect(events.error).toMatchObject({ code, topic: 'vault' });
    });

    it('leaves the topic alone for any other code (a presence refusal, told by withPresence())', () => {
      const { topics, refusals, outcome } = setup();
      const events = outcome(topics.subscribe('room'));

      expect(refusals.onError({ type: 'error', code: 'presence_disabled', message: 'No presence.', ref: 'room' })).toBe(false);

      expect(events.error).toBeNull();
    });

    it('is false for an error without ref, or naming nothing of this client', () => {
      const { refusals } = setup();

      expect(refusals.onError({ type: 'error', code: 'forbidden', message: 'no' })).toBe(false);
      expect(refusals.onError({ type: 'error', code: 'forbidden', message: 'no', ref: 'subscribe' })).toBe(false);
    });
  });

  describe('endTopic', () => {
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
