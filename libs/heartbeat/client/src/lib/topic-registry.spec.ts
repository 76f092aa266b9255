import type { EventFrame, SubscribedFrame, SubscribeFrame, UnsubscribeFrame } from '@heartbeat/protocol';
import type { Subscription } from 'rxjs';
import type { HeartbeatClientEventMap, TopicEvent } from './client-events.js';
import { HeartbeatTopicError } from './heartbeat-topic-error.js';
import { TopicRegistry } from './topic-registry.js';

type Gap = HeartbeatClientEventMap['gap'];
type Resumed = HeartbeatClientEventMap['resumed'];

interface Setup {
  readonly registry: TopicRegistry;
  /** Frames the socket took (sent while connected). */
  readonly sent: (SubscribeFrame | UnsubscribeFrame)[];
  readonly gaps: Gap[];
  readonly resumed: Resumed[];
  /** Topics the server joined unasked (the `joined` hook). */
  readonly joined: string[];
  setConnected(connected: boolean): void;
}

function setup(connected = true, onPositionsChanged: () => void = () => undefined): Setup {
  const sent: Setup['sent'] = [];
  const gaps: Gap[] = [];
  const resumed: Resumed[] = [];
  const joined: string[] = [];
  let isConnected = connected;
  const registry = new TopicRegistry({
    send: (frame) => {
      if (!isConnected) return false;
      sent.push(frame);
      return true;
    },
    gap: (payload) => gaps.push(payload),
    resumed: (payload) => resumed.push(payload),
    positionsChanged: onPositionsChanged,
    joined: ({ topic }) => joined.push(topic),
  });
  return {
    registry,
    sent,
    gaps,
    resumed,
    joined,
    setConnected: (value) => {
      isConnected = value;
    },
  };
}

const subscribed = (topic: string, epoch: string, seq: number, recovered = true, replayed = 0): SubscribedFrame => ({
  type: 'subscribed',
  topic,
  epoch,
  seq,
  recovered,
  replayed,
});

const event = (topic: string, seq: number, epoch = 'e1', data: unknown = { n: seq }): EventFrame => ({
  type: 'event',
  topic,
  seq,
  epoch,
  data,
  timestamp: new Date(Date.UTC(2025, 0, 1) + seq * 1_000).toISOString(),
});

/** Subscribes an observer and collects what it receives. */
function observe(registry: TopicRegistry, topic: string, presence = false) {
  const events: TopicEvent[] = [];
  let completed = false;
  let error: unknown = null;
  const subscription: Subscription = registry.subscribe(topic, presence).subscribe({
    next: (value) => events.push(value),
    error: (caught: unknown) => {
      error = caught;
    },
    complete: () => {
      completed = true;
    },
  });
  return {
    events,
    seqs: () => events.map((value) => value.seq),
    completed: () => completed,
    error: () => error,
    unsubscribe: () => subscription.unsubscribe(),
  };
}

/** A topic subscribed at head `head` of `epoch`, with events head+1..lastSeq delivered. */
function established(topic: string, epoch: string, head: number, lastSeq = head) {
  const context = setup();
  const observer = observe(context.registry, topic);
  context.registry.onSubscribed(subscribed(topic, epoch, head));
  for (let seq = head + 1; seq <= lastSeq; seq += 1) context.registry.onEvent(event(topic, seq, epoch));
  context.sent.length = 0;
  return { ...context, observer };
}

describe('TopicRegistry', () => {
  describe('#subscribe', () => {
    it('sends nothing until an observer subscribes', () => {
      const { registry, sent } = setup();

      registry.subscribe('alerts');

      expect(sent).toEqual([]);
      expect(registry.topicNames()).toEqual([]);
    });

    it('sends a subscribe without `since` for a new topic', () => {
      const { registry, sent } = setup();

      observe(registry, 'alerts');

      expect(sent).toEqual([{ type: 'subscribe', topic: 'alerts' }]);
    });

    it('sends one server subscribe per topic however many observers', () => {
      const { registry, sent } = setup();

      observe(registry, 'alerts');
      observe(registry, 'alerts');
      observe(registry, 'alerts');

      expect(sent).toEqual([{ type: 'subscribe', topic: 'alerts' }]);
      expect(registry.topicNames()).toEqual(['alerts']);
    });

    it('subscribes each topic separately', () => {
      const { registry, sent } = setup();

      observe(registry, 'alerts');
      observe(registry, 'stats');

      expect(sent).toEqual([
        { type: 'subscribe', topic: 'alerts' },
        { type: 'subscribe', topic: 'stats' },
      ]);
      expect(registry.topicNames()).toEqual(['alerts', 'stats']);
    });

    it('delivers every event to every observer of the topic', () => {
      const { registry } = setup();
      const first = observe(registry, 'alerts');
      const second = observe(registry, 'alerts');
      const other = observe(registry, 'stats');
      registry.onSubscribed(subscribed('alerts', 'e1', 0));

      registry.onEvent(event('alerts', 1));
      registry.onEvent(event('alerts', 2));

      expect(first.seqs()).toEqual([1, 2]);
      expect(second.seqs()).toEqual([1, 2]);
      expect(other.events).toEqual([]);
    });

    it('gives a late observer only the events after it joined', () => {
      const { registry } = setup();
      observe(registry, 'alerts');
      registry.onSubscribed(subscribed('alerts', 'e1', 0));
      registry.onEvent(event('alerts', 1));

      const late = observe(registry, 'alerts');
      registry.onEvent(event('alerts', 2));

      expect(late.seqs()).toEqual([2]);
    });

    it('sends unsubscribe only when the last observer leaves', () => {
      const { registry, sent } = setup();
      const first = observe(registry, 'alerts');
      const second = observe(registry, 'alerts');
      sent.length = 0;

      first.unsubscribe();
      expect(sent).toEqual([]);
      expect(registry.topicNames()).toEqual(['alerts']);

      second.unsubscribe();
      expect(sent).toEqual([{ type: 'unsubscribe', topic: 'alerts' }]);
      expect(registry.topicNames()).toEqual([]);
    });

    it('keeps delivering to the remaining observers after one leaves', () => {
      const { registry } = setup();
      const leaving = observe(registry, 'alerts');
      const staying = observe(registry, 'alerts');
      registry.onSubscribed(subscribed('alerts', 'e1', 0));

      leaving.unsubscribe();
      registry.onEvent(event('alerts', 1));

      expect(leaving.events).toEqual([]);
      expect(staying.seqs()).toEqual([1]);
    });

    it('forgets the position of a topic nobody observes any more', () => {
      const context = established('alerts', 'e1', 10, 12);
      context.observer.unsubscribe();
      context.sent.length = 0;

      const again = observe(context.registry, 'alerts');
      context.registry.onEvent(event('alerts', 13)); // before the new `subscribed`: not delivered

      expect(context.sent).toEqual([{ type: 'subscribe', topic: 'alerts' }]);
      expect(again.events).toEqual([]);
    });

    it('sends nothing while disconnected and subscribes after the next welcome', () => {
      const { registry, sent, setConnected } = setup(false);
      observe(registry, 'alerts');
      expect(sent).toEqual([]);

      setConnected(true);
      registry.afterWelcome({});

      expect(sent).toEqual([{ type: 'subscribe', topic: 'alerts' }]);
    });
  });

  describe('#onSubscribed and #onEvent', () => {
    it('starts a fresh subscription at the head: only events published after it', () => {
      const { registry } = setup();
      const observer = observe(registry, 'alerts');

      registry.onSubscribed(subscribed('alerts', 'e1', 41));
      registry.onEvent(event('alerts', 40));
      registry.onEvent(event('alerts', 41));
      registry.onEvent(event('alerts', 42));

      expect(observer.seqs()).toEqual([42]);
    });

    it('delivers the event as a TopicEvent (topic, seq, epoch, data, timestamp)', () => {
      const { registry } = setup();
      const observer = observe(registry, 'alerts');
      registry.onSubscribed(subscribed('alerts', 'e1', 0));

      registry.onEvent(event('alerts', 1, 'e1', { level: 'high' }));

      expect(observer.events).toEqual([{ topic: 'alerts', seq: 1, epoch: 'e1', data: { level: 'high' }, timestamp: '2025-01-01T00:00:01.000Z' }]);
    });

    it('drops events at or below the last seq (duplicates), keeping the order', () => {
      const { registry } = setup();
      const observer = observe(registry, 'alerts');
      registry.onSubscribed(subscribed('alerts', 'e1', 0));

      for (const seq of [1, 2, 2, 1, 3, 3, 5, 4, 6]) registry.onEvent(event('alerts', seq));

      expect(observer.seqs()).toEqual([1, 2, 3, 5, 6]);
    });

    it('ignores events before the topic\'s `subscribed` arrived', () => {
      const { registry } = setup();
      const observer = observe(registry, 'alerts');

      registry.onEvent(event('alerts', 1));

      expect(observer.events).toEqual([]);
    });

    it('ignores events of topics it has no entry for', () => {
      const { registry, gaps, resumed } = setup();
      const observer = observe(registry, 'alerts');
      registry.onSubscribed(subscribed('alerts', 'e1', 0));

      registry.onEvent(event('stats', 6));

      expect(observer.events).toEqual([]);
      expect(gaps).toEqual([]);
      expect(resumed).toEqual([]);
      expect(registry.topicNames()).toEqual(['alerts']);
    });

    it('takes the late answer to a subscribe of a topic left since for no server-side join', () => {
      const { registry, joined } = setup();
      observe(registry, 'stats').unsubscribe();

      registry.onSubscribed(subscribed('stats', 'e1', 5, false, 2));
      registry.onEvent(event('stats', 6));

      expect(joined).toEqual([]);
      expect(registry.topicNames()).toEqual([]);
    });

    it('ignores events of another epoch', () => {
      const { registry } = setup();
      const observer = observe(registry, 'alerts');
      registry.onSubscribed(subscribed('alerts', 'e1', 0));

      registry.onEvent(event('alerts', 1, 'e0'));
      registry.onEvent(event('alerts', 1, 'e1'));
      registry.onEvent(event('alerts', 2, 'e2'));

      expect(observer.events.map((value) => [value.epoch, value.seq])).toEqual([['e1', 1]]);
    });

    it('reports neither a gap nor a resume for a fresh subscription', () => {
      const { registry, gaps, resumed } = setup();
      observe(registry, 'alerts');

      registry.onSubscribed(subscribed('alerts', 'e1', 7, true, 0));

      expect(gaps).toEqual([]);
      expect(resumed).toEqual([]);
    });
  });

  describe('#helloPositions', () => {
    it('names the last seq of every wanted topic that has a position, and no other', () => {
      const { registry } = setup();
      observe(registry, 'alerts');
      observe(registry, 'stats');
      observe(registry, 'fresh');
      registry.restore({ saved: { epoch: 'e1', seq: 4 } });
      registry.onSubscribed(subscribed('alerts', 'e1', 10));
      registry.onSubscribed(subscribed('stats', 'e1', 3));
      registry.onEvent(event('alerts', 11));

      expect(registry.helloPositions()).toEqual({ alerts: 11, stats: 3 });
    });
  });

  describe('#helloSubscribe', () => {
    it('names every wanted topic without a position, and none observed for presence', () => {
      const { registry } = setup();
      observe(registry, 'alerts');
      observe(registry, 'fresh');
      observe(registry, 'rooms.lobby', true);
      registry.restore({ saved: { epoch: 'e1', seq: 4 } });
      observe(registry, 'saved');
      registry.onSubscribed(subscribed('alerts', 'e1', 10));
      registry.onSubscribed(subscribed('joined', 'e1', 0)); // unasked: a server-side join

      expect(registry.helloSubscribe()).toEqual(['fresh']);
      expect(registry.helloPositions()).toEqual({ alerts: 10, saved: 4, joined: 0 });
    });
  });

  describe('#afterWelcome (with hello.subscribe)', () => {
    it('sends no subscribe for the topics the server subscribed from the hello, and takes their answers as fresh subscriptions', () => {
      const { registry, sent, gaps, resumed, setConnected } = setup();
      setConnected(false);
      const observer = observe(registry, 'alerts');
      observe(registry, 'stats');
      const subscribe = registry.helloSubscribe();
      setConnected(true);

      registry.afterWelcome({}, subscribe);
      registry.onSubscribed(subscribed('alerts', 'e1', 7, true, 0));
      registry.onSubscribed(subscribed('stats', 'e1', 0, true, 0));
      registry.onEvent(event('alerts', 8));

      expect(subscribe).toEqual(['alerts', 'stats']);
      expect(sent).toEqual([]);
      expect(gaps).toEqual([]);
      expect(resumed).toEqual([]);
      expect(observer.seqs()).toEqual([8]);
      expect(registry.helloPositions()).toEqual({ alerts: 8, stats: 0 });
    });

    it('subscribes each topic itself when the server did not read hello.subscribe (no hello_subscribe in the welcome)', () => {
      const { registry, sent, setConnected } = setup();
      setConnected(false);
      observe(registry, 'alerts');
      observe(registry, 'stats');
      setConnected(true);

      registry.afterWelcome({});

      expect(sent).toEqual([
        { type: 'subscribe', topic: 'alerts' },
        { type: 'subscribe', topic: 'stats' },
      ]);
    });

    it('leaves on the server a topic left while the hello was out, and asks for presence on one a presence observer came to', () => {
      const { registry, sent, setConnected } = setup();
      setConnected(false);
      const left = registry.subscribe('gone').subscribe();
      observe(registry, 'rooms.lobby');
      const subscribe = registry.helloSubscribe();
      left.unsubscribe();
      observe(registry, 'rooms.lobby', true);
      sent.length = 0;
      setConnected(true);

      registry.afterWelcome({}, subscribe);
      registry.onSubscribed(subscribed('gone', 'e1', 0, true, 0));

      expect(subscribe).toEqual(['gone', 'rooms.lobby']);
      expect(sent).toEqual([
        { type: 'subscribe', topic: 'rooms.lobby', presence: true },
        { type: 'unsubscribe', topic: 'gone' },
      ]);
      expect(registry.topicNames()).toEqual(['rooms.lobby']);
    });
  });

  describe('#afterWelcome (with hello.positions)', () => {
    it('subscribes only the topics the positions did not name, and takes the answer for a named one as its resume', () => {
      const { registry, sent, resumed } = setup();
      observe(registry, 'alerts');
      observe(registry, 'stats');
      registry.onSubscribed(subscribed('alerts', 'e1', 10));
      sent.length = 0;

      registry.afterWelcome({ alerts: 10 });
      registry.onSubscribed(subscribed('alerts', 'e1', 12, true, 2));

      expect(sent).toEqual([{ type: 'subscribe', topic: 'stats' }]);
      expect(resumed).toEqual([{ topic: 'alerts', replayed: 2, epoch: 'e1', seq: 12 }]);
    });

    it('asks for presence on a named topic that a presence observer came to while the hello was out', () => {
      const { registry, sent, setConnected } = setup();
      observe(registry, 'alerts');
      registry.onSubscribed(subscribed('alerts', 'e1', 10));
      setConnected(false);
      const positions = registry.helloPositions();
      observe(registry, 'alerts', true);
      sent.length = 0;

      setConnected(true);
      registry.afterWelcome(positions);
      registry.onSubscribed(subscribed('alerts', 'e1', 10, true, 0));
      registry.onSubscribed(subscribed('alerts', 'e1', 10, true, 0));

      expect(positions).toEqual({ alerts: 10 });
      expect(sent).toEqual([{ type: 'subscribe', topic: 'alerts', since: 10, presence: true }]);
      expect(registry.watchesPresence('alerts')).toBe(true);
    });

    it('unsubscribes a named topic nobody wants any more', () => {
      const { registry, sent } = setup();
      registry.afterWelcome({ gone: 7 });

      expect(sent).toEqual([{ type: 'unsubscribe', topic: 'gone' }]);
    });
  });

  describe('#afterWelcome', () => {
    it('asks for every topic from the last seq delivered', () => {
      const { registry, sent } = setup();
      observe(registry, 'alerts');
      observe(registry, 'stats');
      registry.onSubscribed(subscribed('alerts', 'e1', 10));
      registry.onSubscribed(subscribed('stats', 'e1', 3));
      registry.onEvent(event('alerts', 11));
      registry.onEvent(event('alerts', 12));
      sent.length = 0;

      registry.afterWelcome({});

      expect(sent).toEqual([
        { type: 'subscribe', topic: 'alerts', since: 12 },
        { type: 'subscribe', topic: 'stats', since: 3 }, // no event yet: from the head it joined at
      ]);
    });

    it('asks afresh for a topic whose first `subscribed` never arrived', () => {
      const { registry, sent } = setup();
      observe(registry, 'alerts');
      sent.length = 0;

      registry.afterWelcome({});

      expect(sent).toEqual([{ type: 'subscribe', topic: 'alerts' }]);
    });

    it('asks from position 0 when the topic was joined before its first event', () => {
      const { sent, registry } = established('alerts', 'e1', 0);

      registry.afterWelcome({});

      expect(sent).toEqual([{ type: 'subscribe', topic: 'alerts', since: 0 }]);
    });

    it('drops the duplicates a resumed subscription may bring', () => {
      const { registry, observer } = established('alerts', 'e1', 10, 12);

      registry.afterWelcome({});
      registry.onSubscribed(subscribed('alerts', 'e1', 14, true, 2));
      for (const seq of [12, 13, 14, 13, 15]) registry.onEvent(event('alerts', seq));

      expect(observer.seqs()).toEqual([11, 12, 13, 14, 15]);
    });

    describe('resumed', () => {
      it('reports the replay when recovered with replayed > 0 and delivers the replayed events', () => {
        const { registry, observer, gaps, resumed } = established('alerts', 'e1', 10, 12);

        registry.afterWelcome({});
        registry.onSubscribed(subscribed('alerts', 'e1', 15, true, 3));
        for (const seq of [13, 14, 15, 16]) registry.onEvent(event('alerts', seq));

        expect(resumed).toEqual([{ topic: 'alerts', replayed: 3, epoch: 'e1', seq: 15 }]);
        expect(gaps).toEqual([]);
        expect(observer.seqs()).toEqual([11, 12, 13, 14, 15, 16]);
      });

      it('reports nothing when nothing was missed', () => {
        const { registry, observer, gaps, resumed } = established('alerts', 'e1', 10, 12);

        registry.afterWelcome({});
        registry.onSubscribed(subscribed('alerts', 'e1', 12, true, 0));
        registry.onEvent(event('alerts', 13));

        expect(resumed).toEqual([]);
        expect(gaps).toEqual([]);
        expect(observer.seqs()).toEqual([11, 12, 13]);
      });

      it('does not take a later `subscribed` for the same request as a second resume', () => {
        const { registry, resumed } = established('alerts', 'e1', 10, 12);

        registry.afterWelcome({});
        registry.onSubscribed(subscribed('alerts', 'e1', 15, true, 3));
        registry.onSubscribed(subscribed('alerts', 'e1', 15, true, 3));

        expect(resumed).toHaveLength(1);
      });
    });

    describe('gap: evicted', () => {
      it('reports an evicted gap when the same epoch cannot be recovered', () => {
        const { registry, gaps, resumed } = established('alerts', 'e1', 10, 12);

        registry.afterWelcome({});
        registry.onSubscribed(subscribed('alerts', 'e1', 100, false, 20));

        expect(gaps).toEqual([{ topic: 'alerts', reason: 'evicted', lastSeq: 12, previousEpoch: 'e1', epoch: 'e1', seq: 100 }]);
        expect(resumed).toEqual([]);
      });

      it('delivers the events still replayed after the gap, in order', () => {
        const { registry, observer } = established('alerts', 'e1', 10, 12);

        registry.afterWelcome({});
        registry.onSubscribed(subscribed('alerts', 'e1', 100, false, 2));
        for (const seq of [97, 98, 99, 100, 101]) registry.onEvent(event('alerts', seq));

        expect(observer.seqs()).toEqual([11, 12, 99, 100, 101]);
      });

      it('continues from the head when nothing could be replayed', () => {
        const { registry, observer } = established('alerts', 'e1', 10, 12);

        registry.afterWelcome({});
        registry.onSubscribed(subscribed('alerts', 'e1', 100, false, 0));
        registry.onEvent(event('alerts', 100));
        registry.onEvent(event('alerts', 101));

        expect(observer.seqs()).toEqual([11, 12, 101]);
      });
    });

    describe('gap: new-epoch', () => {
      it('reports a new-epoch gap when the epoch changed', () => {
        const { registry, gaps, resumed } = established('alerts', 'e1', 10, 12);

        registry.afterWelcome({});
        registry.onSubscribed(subscribed('alerts', 'e2', 0, false, 0));

        expect(gaps).toEqual([{ topic: 'alerts', reason: 'new-epoch', lastSeq: 12, previousEpoch: 'e1', epoch: 'e2', seq: 0 }]);
        expect(resumed).toEqual([]);
      });

      it('reports new-epoch, not evicted, even when the server claims to have recovered', () => {
        const { registry, gaps } = established('alerts', 'e1', 10, 12);

        registry.afterWelcome({});
        registry.onSubscribed(subscribed('alerts', 'e2', 20, true, 8));

        expect(gaps.map((gap) => gap.reason)).toEqual(['new-epoch']);
      });

      it('delivers the new epoch\'s events after the gap, including the replayed ones', () => {
        const { registry, observer } = established('alerts', 'e1', 10, 12);

        registry.afterWelcome({});
        registry.onSubscribed(subscribed('alerts', 'e2', 3, true, 3));
        for (const seq of [1, 2, 3, 4]) registry.onEvent(event('alerts', seq, 'e2'));

        expect(observer.events.map((value) => [value.epoch, value.seq])).toEqual([
          ['e1', 11],
          ['e1', 12],
          ['e2', 1],
          ['e2', 2],
          ['e2', 3],
          ['e2', 4],
        ]);
      });

      it('delivers low seqs of the new epoch that the old position would have dropped', () => {
        const { registry, observer } = established('alerts', 'e1', 100, 105);

        registry.afterWelcome({});
        registry.onSubscribed(subscribed('alerts', 'e2', 0, false, 0));
        registry.onEvent(event('alerts', 1, 'e2'));

        expect(observer.events.at(-1)).toMatchObject({ epoch: 'e2', seq: 1 });
      });

      it('ignores stragglers of the old epoch after the change', () => {
        const { registry, observer } = established('alerts', 'e1', 10, 12);

        registry.afterWelcome({});
        registry.onSubscribed(subscribed('alerts', 'e2', 0, false, 0));
        registry.onEvent(event('alerts', 13, 'e1'));
        registry.onEvent(event('alerts', 1, 'e2'));
        registry.onEvent(event('alerts', 14, 'e1'));

        expect(observer.events.map((value) => [value.epoch, value.seq])).toEqual([
          ['e1', 11],
          ['e1', 12],
          ['e2', 1],
        ]);
      });

      it('asks from the new epoch\'s position on the next reconnect', () => {
        const { registry, sent } = established('alerts', 'e1', 10, 12);
        registry.afterWelcome({});
        registry.onSubscribed(subscribed('alerts', 'e2', 0, false, 0));
        registry.onEvent(event('alerts', 1, 'e2'));
        registry.onEvent(event('alerts', 2, 'e2'));
        sent.length = 0;

        registry.afterWelcome({});

        expect(sent).toEqual([{ type: 'subscribe', topic: 'alerts', since: 2 }]);
      });

      it('reports the head the topic was joined at when no event was seen in the old epoch', () => {
        const { registry, gaps } = established('alerts', 'e1', 42);

        registry.afterWelcome({});
        registry.onSubscribed(subscribed('alerts', 'e2', 0, false, 0));

        expect(gaps[0]).toMatchObject({ reason: 'new-epoch', lastSeq: 42, previousEpoch: 'e1', epoch: 'e2' });
      });
    });
  });

  describe('#restore', () => {
    it('starts a topic subscribed again from its saved position: subscribe carries since', () => {
      const { registry, sent } = setup();
      registry.restore({ alerts: { epoch: 'e1', seq: 12 } });

      observe(registry, 'alerts');

      expect(sent).toEqual([{ type: 'subscribe', topic: 'alerts', since: 12 }]);
    });

    it('delivers only events after the saved position and reports the replay as resumed', () => {
      const { registry, resumed } = setup();
      registry.restore({ alerts: { epoch: 'e1', seq: 12 } });
      const observer = observe(registry, 'alerts');

      registry.onSubscribed(subscribed('alerts', 'e1', 14, true, 2));
      for (const seq of [12, 13, 14]) registry.onEvent(event('alerts', seq));

      expect(observer.seqs()).toEqual([13, 14]);
      expect(resumed).toEqual([{ topic: 'alerts', replayed: 2, epoch: 'e1', seq: 14 }]);
    });

    it('reports a new-epoch gap against the saved epoch', () => {
      const { registry, gaps } = setup();
      registry.restore({ alerts: { epoch: 'e1', seq: 12 } });
      observe(registry, 'alerts');

      registry.onSubscribed(subscribed('alerts', 'e2', 3, false));

      expect(gaps).toEqual([{ topic: 'alerts', reason: 'new-epoch', lastSeq: 12, previousEpoch: 'e1', epoch: 'e2', seq: 3 }]);
    });

    it('leaves a topic already subscribed alone', () => {
      const { registry, sent } = established('alerts', 'e1', 40);

      registry.restore({ alerts: { epoch: 'e0', seq: 2 } });
      sent.length = 0;
      registry.afterWelcome({});

      expect(sent).toEqual([{ type: 'subscribe', topic: 'alerts', since: 40 }]);
    });
  });

  describe('#positions', () => {
    it('lists the position of every topic that has one, and saved ones not subscribed again yet', () => {
      const { registry } = established('alerts', 'e1', 40);
      registry.restore({ stats: { epoch: 's1', seq: 7 } });
      observe(registry, 'pending'); // no subscribed yet: no position

      registry.onEvent(event('alerts', 41));

      expect(registry.positions()).toEqual({ stats: { epoch: 's1', seq: 7 }, alerts: { epoch: 'e1', seq: 41 } });
    });

    it('forgets the position of a topic whose last observer left', () => {
      const { registry, observer } = established('alerts', 'e1', 40);

      observer.unsubscribe();

      expect(registry.positions()).toEqual({});
    });
  });

  describe('positionsChanged hook', () => {
    it('is called for a subscribed frame, each delivered event and the last unsubscribe, not for a duplicate', () => {
      let changes = 0;
      const { registry } = setup(true, () => (changes += 1));
      const observer = observe(registry, 'alerts');

      registry.onSubscribed(subscribed('alerts', 'e1', 0));
      registry.onEvent(event('alerts', 1));
      registry.onEvent(event('alerts', 1));
      registry.onEvent(event('alerts', 2));
      observer.unsubscribe();

      expect(changes).toBe(4);
    });
  });

  describe('#subscribe (topic names)', () => {
    it.each([['has space'], ['alerts.*'], [''], ['x'.repeat(201)], ['café']])('errors at once for the name %j, sending nothing', (topic) => {
      const { registry, sent } = setup();

      const observer = observe(registry, topic);

      expect(observer.error()).toBeInstanceOf(HeartbeatTopicError);
      expect(observer.error()).toMatchObject({ code: 'invalid_topic', topic });
      expect((observer.error() as Error).message).toContain('docs/protocol.md#topic-names');
      expect(sent).toEqual([]);
      expect(registry.topicNames()).toEqual([]);
    });
  });

  describe('#subscribe (presence)', () => {
    it('asks for presence in the topic\'s one server subscription', () => {
      const { registry, sent } = setup();

      observe(registry, 'room', true);
      observe(registry, 'room');

      expect(sent).toEqual([{ type: 'subscribe', topic: 'room', presence: true }]);
    });

    it('sends the subscribe again, asking for presence, when a presence observer comes after a plain one', () => {
      const { registry, sent } = established('room', 'e1', 4);

      observe(registry, 'room', true);
      observe(registry, 'room', true);

      expect(sent).toEqual([{ type: 'subscribe', topic: 'room', since: 4, presence: true }]);
    });

    it('leaves a topic observed for presence out of hello.positions and subscribes it after the welcome, from its position', () => {
      const { registry, sent } = established('room', 'e1', 4);
      observe(registry, 'room', true);
      observe(registry, 'other');
      registry.onSubscribed(subscribed('other', 'e1', 2));
      sent.length = 0;

      const positions = registry.helloPositions();
      registry.afterWelcome(positions);

      expect(positions).toEqual({ other: 2 });
      expect(sent).toEqual([{ type: 'subscribe', topic: 'room', since: 4, presence: true }]);
    });
  });

  describe('server-side joins', () => {
    it('keeps a topic the server joined unasked: position, `joined` hook, hello.positions', () => {
      const { registry, joined, sent } = setup();

      registry.onSubscribed(subscribed('user.feed#u1', 'e1', 3));
      registry.onEvent(event('user.feed#u1', 4));

      expect(joined).toEqual(['user.feed#u1']);
      expect(registry.helloPositions()).toEqual({ 'user.feed#u1': 4 });
      expect(sent).toEqual([]);
    });

    it('delivers the events a join replays (publishToUser joins from the head it read before publishing)', () => {
      const { registry } = setup();
      registry.onSubscribed(subscribed('inbox#u1', 'e1', 5, true, 1));
      const observer = observe(registry, 'inbox#u1');

      registry.onEvent(event('inbox#u1', 5));
      registry.onEvent(event('inbox#u1', 5));
      registry.onEvent(event('inbox#u1', 6));

      expect(observer.seqs()).toEqual([5, 6]);
    });

    it('gives a later subscribe the following events without subscribing again', () => {
      const { registry, sent } = setup();
      registry.onSubscribed(subscribed('user.feed#u1', 'e1', 3));
      registry.onEvent(event('user.feed#u1', 4));

      const observer = observe(registry, 'user.feed#u1');
      registry.onEvent(event('user.feed#u1', 5));

      expect(observer.seqs()).toEqual([5]);
      expect(sent).toEqual([]);
    });

    it('leaves the topic on the server when the app\'s last observer of it unsubscribes', () => {
      const { registry, sent } = setup();
      registry.onSubscribed(subscribed('user.feed#u1', 'e1', 3));

      observe(registry, 'user.feed#u1').unsubscribe();

      expect(sent).toEqual([{ type: 'unsubscribe', topic: 'user.feed#u1' }]);
      expect(registry.topicNames()).toEqual([]);
    });

    it('takes a `subscribed` marked joined for a join though a subscribe of the topic left since is still owed', () => {
      const { registry, joined } = setup();
      // The server superseded this subscribe with the unsubscribe while `authorize` decided: it never answers it.
      observe(registry, 'user.feed#u1').unsubscribe();

      registry.onSubscribed({ ...subscribed('user.feed#u1', 'e1', 3), joined: true });
      registry.onEvent(event('user.feed#u1', 4));

      expect(joined).toEqual(['user.feed#u1']);
      expect(registry.helloPositions()).toEqual({ 'user.feed#u1': 4 });
    });

    it('does not take a `subscribed` for a topic it asked for as a join', () => {
      const { registry, joined } = setup();
      observe(registry, 'alerts');

      registry.onSubscribed(subscribed('alerts', 'e1', 0));

      expect(joined).toEqual([]);
    });
  });

  describe('#refuse', () => {
    it('errors every observer with the error and forgets the topic: not resubscribed, no position, nothing sent', () => {
      const { registry, sent } = established('alerts', 'e1', 0, 3);
      const second = observe(registry, 'alerts');
      const error = new HeartbeatTopicError('forbidden', 'alerts', 'no');

      expect(registry.refuse('alerts', error)).toBe(true);
      second.unsubscribe();
      registry.afterWelcome(registry.helloPositions());

      expect(second.error()).toBe(error);
      expect(registry.positions()).toEqual({});
      expect(registry.topicNames()).toEqual([]);
      expect(sent).toEqual([]);
    });

    it('forgets a saved position of the topic too', () => {
      const { registry } = setup();
      registry.restore({ alerts: { epoch: 'e1', seq: 3 } });

      expect(registry.refuse('alerts', new HeartbeatTopicError('forbidden', 'alerts', 'no'))).toBe(false);
      expect(registry.positions()).toEqual({});
    });

    it('takes a later unasked `subscribed` of a topic refused before its answer for a server-side join', () => {
      const { registry, joined } = setup();
      observe(registry, 'orders#bob');
      registry.refuse('orders#bob', new HeartbeatTopicError('forbidden', 'orders#bob', 'no'));

      registry.onSubscribed(subscribed('orders#bob', 'e1', 0));

      expect(joined).toEqual(['orders#bob']);
    });

    it('lets a refused topic be subscribed again afresh', () => {
      const { registry, sent } = established('alerts', 'e1', 0, 3);
      registry.refuse('alerts', new HeartbeatTopicError('forbidden', 'alerts', 'no'));

      observe(registry, 'alerts');

      expect(sent).toEqual([{ type: 'subscribe', topic: 'alerts' }]);
    });
  });

  describe('#end', () => {
    it('completes every observer and forgets the topic without sending unsubscribe', () => {
      const { registry, observer, sent } = established('alerts', 'e1', 0);

      expect(registry.end('alerts')).toBe(true);
      expect(registry.end('alerts')).toBe(false);

      expect(observer.completed()).toBe(true);
      expect(registry.topicNames()).toEqual([]);
      expect(sent).toEqual([]);
    });
  });

  describe('#complete', () => {
    it('completes every observer of every topic', () => {
      const { registry } = setup();
      const first = observe(registry, 'alerts');
      const second = observe(registry, 'alerts');
      const other = observe(registry, 'stats');

      registry.complete();

      expect([first.completed(), second.completed(), other.completed()]).toEqual([true, true, true]);
    });

    it('forgets every topic: nothing is resubscribed or delivered afterwards', () => {
      const { registry, sent } = established('alerts', 'e1', 0);

      registry.complete();
      sent.length = 0;
      registry.afterWelcome({});
      registry.onEvent(event('alerts', 1));

      expect(registry.topicNames()).toEqual([]);
      expect(sent).toEqual([]);
    });

    it('lets an observer unsubscribe afterwards without sending anything', () => {
      const { registry, observer, sent } = established('alerts', 'e1', 0);
      registry.complete();
      sent.length = 0;

      expect(() => observer.unsubscribe()).not.toThrow();
      expect(sent).toEqual([]);
    });
  });
});
