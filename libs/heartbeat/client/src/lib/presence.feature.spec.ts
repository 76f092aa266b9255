import { describe, expect, it } from '@jest/globals';
import type { ClientFeatureHost } from './client-feature.js';
import { HeartbeatTopicError } from './heartbeat-topic-error.js';
import { withPresence, type PresenceFeature } from './presence.feature.js';
import { TopicRegistry } from './topic-registry.js';

function setup() {
  const topics = new TopicRegistry({ send: () => true, gap: () => undefined, resumed: () => undefined });
  const presence = withPresence().install({ topics } as unknown as ClientFeatureHost) as PresenceFeature;
  const outcome = (source: { subscribe: (observer: object) => unknown }) => {
    const seen: { error: unknown } = { error: null };
    source.subscribe({ error: (error: unknown) => (seen.error = error) });
    return seen;
  };
  return { topics, presence, outcome };
}

describe('withPresence', () => {
  it('makes the presence feature', () => {
    expect(withPresence().kind).toBe('presence');
  });

  describe('#frame', () => {
    it('refuses the presence alone for a code that does not refuse the topic, and leaves the error to be told', () => {
      const { topics, presence, outcome } = setup();
      const events = outcome(topics.subscribe('room'));
      const members = outcome(presence.observe('room'));

      expect(presence.frame?.({ type: 'error', code: 'presence_disabled', message: 'No presence.', ref: 'room' })).toBe(false);

      expect(members.error).toMatchObject({ code: 'presence_disabled', topic: 'room' });
      expect(events.error).toBeNull();
    });

    it.each(['forbidden', 'invalid_topic', 'too_many_topics'])('leaves an error that refuses the topic itself (%s) to the topic, without a presence-only refusal', (code) => {
      const { presence, outcome } = setup();
      const members = outcome(presence.observe('room'));

      expect(presence.frame?.({ type: 'error', code, message: 'No.', ref: 'room' })).toBe(false);

      expect(members.error).toBeNull();
    });

    it('errors the members with the topic when the topic itself is refused', () => {
      const { topics, presence, outcome } = setup();
      const members = outcome(presence.observe('vault'));

      topics.refuse('vault', new HeartbeatTopicError('forbidden', 'vault', 'Not for you.'));

      expect(members.error).toMatchObject({ code: 'forbidden', topic: 'vault' });
    });
  });
});
