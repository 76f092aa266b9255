import type { EventFrame, SubscribedFrame, SubscribeFrame, UnsubscribeFrame } from '@heartbeat/protocol';
import { Observable, Subject } from 'rxjs';
import type { HeartbeatClientEventMap, TopicEvent } from './client-events.js';
import type { TopicPosition } from './resume-store.js';

export interface TopicRegistryHooks {
  /** Sends when connected; returns false otherwise (the topic is then sent after the next welcome). */
  send(frame: SubscribeFrame | UnsubscribeFrame): boolean;
  gap(payload: HeartbeatClientEventMap['gap']): void;
  resumed(payload: HeartbeatClientEventMap['resumed']): void;
  /** A position changed (an event delivered, a topic subscribed or left): the resume state is stale. */
  positionsChanged?(): void;
}

interface TopicEntry {
  readonly events: Subject<TopicEvent>;
  subscribers: number;
  /** Position in `epoch`: the last seq delivered (or the head when first subscribed). */
  lastSeq: number | null;
  epoch: string | null;
  /** The `since` of the subscribe in flight, to tell a resumed topic from a fresh one. */
  requestedSince: number | undefined;
}

/**
 * The topics this client wants, with its position in each. One server subscription per topic
 * however many Observers, renewed after every reconnect from the last seq seen, so that the
 * server replays the gap; events at or below that position are duplicates and dropped.
 */
export class TopicRegistry {
  private readonly topics = new Map<string, TopicEntry>();
  /** Positions saved by an earlier page, waiting for their topic to be subscribed again. */
  private readonly restored = new Map<string, TopicPosition>();

  constructor(private readonly hooks: TopicRegistryHooks) {}

  /**
   * Positions from before a page reload: a topic subscribed again starts from its position, so
   * its first `subscribe` carries `since` and the server replays what the reload missed.
   */
  restore(positions: Readonly<Record<string, TopicPosition>>): void {
    for (const [topic, position] of Object.entries(positions)) {
      if (!this.topics.has(topic)) this.restored.set(topic, position);
    }
  }

  /** The position in every topic that has one, restored ones not yet subscribed again included. */
  positions(): Record<string, TopicPosition> {
    const positions: Record<string, TopicPosition> = Object.fromEntries(this.restored);
    for (const [topic, entry] of this.topics) {
      if (entry.epoch !== null && entry.lastSeq !== null) positions[topic] = { epoch: entry.epoch, seq: entry.lastSeq };
    }
    return positions;
  }

  subscribe<T>(topic: string): Observable<TopicEvent<T>> {
    return new Observable<TopicEvent<T>>((subscriber) => {
      let entry = this.topics.get(topic);
      if (!entry) {
        const restored = this.restored.get(topic);
        this.restored.delete(topic);
        entry = { events: new Subject(), subscribers: 0, lastSeq: restored?.seq ?? null, epoch: restored?.epoch ?? null, requestedSince: undefined };
        this.topics.set(topic, entry);
      }
      const joined = entry;
      joined.subscribers += 1;
      const inner = (joined.events as Subject<TopicEvent<T>>).subscribe(subscriber);
      if (joined.subscribers === 1) this.sendSubscribe(topic, joined);
      return () => {
        inner.unsubscribe();
        joined.subscribers -= 1;
        if (joined.subscribers > 0 || this.topics.get(topic) !== joined) return;
        this.topics.delete(topic);
        this.hooks.send({ type: 'unsubscribe', topic });
        this.hooks.positionsChanged?.();
      };
    });
  }

  topicNames(): string[] {
    return [...this.topics.keys()];
  }

  /**
   * What `hello.positions` names: the last seq of every wanted topic that has a position, so that
   * the server subscribes them itself and replays what was missed (docs/protocol.md#resume).
   */
  helloPositions(): Record<string, number> {
    const positions: Record<string, number> = {};
    for (const [topic, entry] of this.topics) {
      if (entry.epoch !== null && entry.lastSeq !== null) positions[topic] = entry.lastSeq;
    }
    return positions;
  }

  /**
   * After `welcome`: the server has subscribed the topics of `hello.positions` (their `subscribed`
   * answers a `since` of that seq); every other wanted topic is subscribed now, and a topic left
   * since the hello went out is left on the server too.
   */
  afterWelcome(positions: Readonly<Record<string, number>>): void {
    for (const [topic, entry] of this.topics) {
      if (Object.hasOwn(positions, topic)) entry.requestedSince = positions[topic];
      else this.sendSubscribe(topic, entry);
    }
    for (const topic of Object.keys(positions)) {
      if (!this.topics.has(topic)) this.hooks.send({ type: 'unsubscribe', topic });
    }
  }

  /**
   * The answer to a subscribe (or the server's subscribe of a `hello.positions` entry), or one the
   * server sent unasked because it lost the topic's history (docs/protocol.md#7-topics-subscribe-unsubscribe-subscribed-event):
   * either way a new epoch or events that cannot be replayed are told as a `gap`, and the position
   * moves to where the server continues from.
   */
  onSubscribed(frame: SubscribedFrame): void {
    const entry = this.topics.get(frame.topic);
    if (!entry) return;
    const since = entry.requestedSince;
    entry.requestedSince = undefined;
    const firstEvent = frame.seq - frame.replayed;
    const gap = (reason: 'new-epoch' | 'evicted', lastSeq: number | null) => {
      this.hooks.gap({ topic: frame.topic, reason, lastSeq, previousEpoch: entry.epoch, epoch: frame.epoch, seq: frame.seq });
      entry.lastSeq = firstEvent;
    };
    if (entry.epoch !== null && entry.epoch !== frame.epoch) {
      gap('new-epoch', entry.lastSeq);
    } else if (since !== undefined && !frame.recovered) {
      gap('evicted', since);
    } else if (since !== undefined && frame.replayed > 0) {
      this.hooks.resumed({ topic: frame.topic, replayed: frame.replayed, epoch: frame.epoch, seq: frame.seq });
    } else if (since === undefined && (entry.epoch === null || entry.lastSeq === null)) {
      // A fresh subscription starts at the head: only events published from now on.
      entry.lastSeq = frame.seq;
    } else if (since === undefined && !frame.recovered && entry.lastSeq !== null && firstEvent > entry.lastSeq) {
      // Unasked, same epoch: events after this client's position were evicted before it got them.
      gap('evicted', entry.lastSeq);
    }
    entry.epoch = frame.epoch;
    this.hooks.positionsChanged?.();
  }

  /** Delivers an event unless it is one this client already has. */
  onEvent(frame: EventFrame): void {
    const entry = this.topics.get(frame.topic);
    if (!entry || entry.epoch === null) return;
    if (frame.epoch !== entry.epoch) return; // a straggler from before the epoch change was reported
    if (entry.lastSeq !== null && frame.seq <= entry.lastSeq) return;
    entry.lastSeq = frame.seq;
    this.hooks.positionsChanged?.();
    entry.events.next({ topic: frame.topic, seq: frame.seq, epoch: frame.epoch, data: frame.data, timestamp: frame.timestamp });
  }

  complete(): void {
    // Cleared first, so the observers' teardown sends no unsubscribe for a client that is going away.
    const entries = [...this.topics.values()];
    this.topics.clear();
    this.restored.clear();
    for (const entry of entries) entry.events.complete();
  }

  private sendSubscribe(topic: string, entry: TopicEntry): void {
    const since = entry.lastSeq ?? undefined;
    const frame: SubscribeFrame = since === undefined ? { type: 'subscribe', topic } : { type: 'subscribe', topic, since };
    if (this.hooks.send(frame)) entry.requestedSince = since;
  }
}
