import type { PresenceMember, SubscribeFrame, UnsubscribeFrame } from '@heartbeat/protocol';
import { HeartbeatTopicError } from './heartbeat-topic-error.js';
import { PresenceRoster } from './presence-roster.js';
import { TopicRegistry } from './topic-registry.js';

function setup() {
  const sent: (SubscribeFrame | UnsubscribeFrame)[] = [];
  const topics = new TopicRegistry({ send: (frame) => sent.push(frame) > 0, gap: () => undefined, resumed: () => undefined });
  return { topics, roster: new PresenceRoster(topics), sent };
}

/** Subscribes to the roster's list of `topic` and collects what it delivers. */
function watch(roster: PresenceRoster, topic: string) {
  const lists: string[][] = [];
  let error: unknown = null;
  let completed = false;
  const subscription = roster.observe(topic).subscribe({
    next: (members) => lists.push(members.map((m) => m.user_id)),
    error: (caught: unknown) => (error = caught),
    complete: () => (completed = true),
  });
  return { lists, error: () => error, completed: () => completed, unsubscribe: () => subscription.unsubscribe() };
}

const member = (userId: string): PresenceMember => ({ user_id: userId, connections: 1, since: 0 });

describe('PresenceRoster', () => {
  describe('#observe', () => {
    it('holds the topic\'s subscription with presence while observed', () => {
      const { roster, sent } = setup();

      const first = watch(roster, 'room');
      const second = watch(roster, 'room');
      first.unsubscribe();
      second.unsubscribe();

      expect(sent).toEqual([
        { type: 'subscribe', topic: 'room', presence: true },
        { type: 'unsubscribe', topic: 'room' },
      ]);
    });

    it('gives a late observer the current list at once', () => {
      const { roster } = setup();
      watch(roster, 'room');
      roster.onFrame({ type: 'presence', topic: 'room', members: [member('alice')] });

      expect(watch(roster, 'room').lists).toEqual([['alice']]);
    });

    it("keeps the list of a topic still subscribed without presence observers, and asks the server again only after a new connection or a refusal", () => {
      const { topics, roster, sent } = setup();
      topics.subscribe('room').subscribe();
      const first = watch(roster, 'room');
      roster.onFrame({ type: 'presence', topic: 'room', members: [member('alice')] });
      first.unsubscribe();
      // The server still sends the topic's joins (a repeated subscribe would get no new snapshot).
      roster.onFrame({ type: 'join', topic: 'room', member: member('bob') });

      expect(watch(roster, 'room').lists).toEqual([['alice', 'bob']]);
      expect(sent.filter((frame) => frame.type === 'subscribe' && frame.presence)).toHaveLength(1);

      roster.refuse('room', new HeartbeatTopicError('internal_error', 'room', 'no'));
      const afterRefusal = watch(roster, 'room');
      topics.afterWelcome({});

      expect(afterRefusal.lists).toEqual([]);
      expect(sent.filter((frame) => frame.type === 'subscribe' && frame.presence)).toHaveLength(3);
    });

    it('completes when the topic ends and errors when it is refused', () => {
      const { topics, roster } = setup();
      const ended = watch(roster, 'room');
      const refused = watch(roster, 'vault');
      const error = new HeartbeatTopicError('forbidden', 'vault', 'no');

      topics.end('room');
      topics.refuse('vault', error);

      expect(ended.completed()).toBe(true);
      expect(refused.error()).toBe(error);
    });
  });

  describe('#onFrame', () => {
    it('replaces the list with a snapshot, adds a join, updates a repeated join and removes a leave', () => {
      const { roster } = setup();
      const observer = watch(roster, 'room');

      roster.onFrame({ type: 'presence', topic: 'room', members: [member('alice'), member('bob')] });
      roster.onFrame({ type: 'join', topic: 'room', member: member('carol') });
      roster.onFrame({ type: 'join', topic: 'room', member: { ...member('alice'), connections: 2 } });
      roster.onFrame({ type: 'leave', topic: 'room', user_id: 'bob' });
      roster.onFrame({ type: 'leave', topic: 'room', user_id: 'nobody' });
      roster.onFrame({ type: 'presence', topic: 'room', members: [member('dave')] });

      expect(observer.lists).toEqual([['alice', 'bob'], ['alice', 'bob', 'carol'], ['alice', 'bob', 'carol'], ['alice', 'carol'], ['dave']]);
    });

    it('ignores frames of topics nobody observes', () => {
      const { roster } = setup();
      const observer = watch(roster, 'room');

      roster.onFrame({ type: 'presence', topic: 'other', members: [member('alice')] });

      expect(observer.lists).toEqual([]);
    });
  });

  describe('#refuse', () => {
    it('errors the presence observers and forgets the list; false when nobody observes', () => {
      const { roster } = setup();
      const observer = watch(roster, 'room');
      const error = new HeartbeatTopicError('presence_disabled', 'room', 'no');

      expect(roster.refuse('room', error)).toBe(true);
      expect(roster.refuse('room', error)).toBe(false);
      expect(observer.error()).toBe(error);
    });
  });
});
