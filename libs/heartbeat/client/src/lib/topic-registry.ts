import { topicNameProblem, type EventFrame, type SubscribedFrame, type SubscribeFrame, type UnsubscribeFrame } from '@heartbeat/protocol';
import { Observable, Subject, throwError } from 'rxjs';
import type { HeartbeatClientEventMap, TopicEvent } from './client-events.js';
import * as ClientMessages from './client.messages.js';
import { HeartbeatTopicError } from './heartbeat-topic-error.js';
import type { TopicPosition } from './resume-store.js';

export interface TopicRegistryHooks {
  /** Sends when connected; returns false otherwise (the topic is then sent after the next welcome). */
  send(frame: SubscribeFrame | UnsubscribeFrame): boolean;
  gap(payload: HeartbeatClientEventMap['gap']): void;
  resumed(payload: HeartbeatClientEventMap['resumed']): void;
  /** A position changed (an event delivered, a topic subscribed or left): the resume state is stale. */
  positionsChanged?(): void;
  /** The server subscribed this connection to a topic it had not asked for (docs/client.md#server-side-joins). */
  joined?(payload: HeartbeatClientEventMap['joined']): void;
}

interface TopicEntry {
  readonly events: Subject<TopicEvent>;
  subscribers: number;
  /** Observers of the topic's presence (`presence$()`): while any, subscribes ask for it. */
  presence: number;
  /**
   * This connection's subscription asked for presence: the server sends its `join`s and `leave`s
   * until the topic is left or the connection ends, and answers a repeated ask with no snapshot
   * (docs/protocol.md#presence-presence-join-leave), so a later presence observer is not asked again.
   */
  presenceWatched: boolean;
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
  readonly #topics = new Map<string, TopicEntry>();
  /** Positions saved by an earlier page, waiting for their topic to be subscribed again. */
  readonly #restored = new Map<string, TopicPosition>();
  /**
   * `subscribed` answers owed on this connection, by topic: one answering a subscribe of a topic
   * left since is no server-side join (docs/client.md#server-side-joins), just late. A server from
   * before `subscribed.joined` marks neither, so its joins are told apart by this count alone.
   */
  readonly #owed = new Map<string, number>();

  readonly #hooks: TopicRegistryHooks;

  constructor(hooks: TopicRegistryHooks) {
    this.#hooks = hooks;
  }

  /**
   * Positions from before a page reload: a topic subscribed again starts from its position, so
   * its first `subscribe` carries `since` and the server replays what the reload missed.
   */
  restore(positions: Readonly<Record<string, TopicPosition>>): void {
    for (const [topic, position] of Object.entries(positions)) {
      if (!this.#topics.has(topic)) this.#restored.set(topic, position);
    }
  }

  /** The position in every topic that has one, restored ones not yet subscribed again included. */
  positions(): Record<string, TopicPosition> {
    const positions: Record<string, TopicPosition> = Object.fromEntries(this.#restored);
    for (const [topic, entry] of this.#topics) {
      if (entry.epoch !== null && entry.lastSeq !== null) positions[topic] = { epoch: entry.epoch, seq: entry.lastSeq };
    }
    return positions;
  }

  /**
   * Events of `topic` for as long as the Observer stays; with `presence`, the server subscription
   * also asks for the topic's members (one server subscription per topic either way: a presence
   * observer arriving after a plain one sends the subscribe again, which the server answers).
   * A name outside the rules (docs/protocol.md#topic-names) errors at once, nothing sent.
   */
  subscribe<T>(topic: string, presence = false): Observable<TopicEvent<T>> {
    const problem = topicNameProblem(topic);
    if (problem !== undefined) return throwError(() => new HeartbeatTopicError('invalid_topic', String(topic), ClientMessages.topicInvalid(problem)));
    return new Observable<TopicEvent<T>>((subscriber) => {
      const existing = this.#topics.get(topic);
      // An entry nobody observes is one the server joined: it is subscribed already.
      const joinedByServer = existing?.subscribers === 0;
      const entry = existing ?? this.#createEntry(topic);
      entry.subscribers += 1;
      if (presence) entry.presence += 1;
      const inner = (entry.events as Subject<TopicEvent<T>>).subscribe(subscriber);
      if ((entry.subscribers === 1 && !joinedByServer) || (presence && entry.presence === 1 && !entry.presenceWatched)) this.#sendSubscribe(topic, entry);
      return () => {
        inner.unsubscribe();
        entry.subscribers -= 1;
        if (presence) entry.presence -= 1;
        if (entry.subscribers > 0 || this.#topics.get(topic) !== entry) return;
        this.#topics.delete(topic);
        this.#hooks.send({ type: 'unsubscribe', topic });
        this.#hooks.positionsChanged?.();
      };
    });
  }

  /** Whether this connection's subscription of `topic` gets its presence (a `presence$()` list kept up to date needs no new snapshot). */
  watchesPresence(topic: string): boolean {
    return this.#topics.get(topic)?.presenceWatched ?? false;
  }

  /** The server refused the topic's presence: a later presence observer asks for it again. */
  presenceRefused(topic: string): void {
    const entry = this.#topics.get(topic);
    if (entry) entry.presenceWatched = false;
  }

  topicNames(): string[] {
    return [...this.#topics.keys()];
  }

  /**
   * What `hello.positions` names: the last seq of every wanted topic that has a position, so that
   * the server subscribes them itself and replays what was missed (docs/protocol.md#resume). A topic
   * observed for presence is left out: a hello cannot ask for presence, so it is subscribed after
   * the welcome (with its `since`) instead.
   */
  helloPositions(): Record<string, number> {
    const positions: Record<string, number> = {};
    for (const [topic, entry] of this.#topics) {
      if (entry.epoch !== null && entry.lastSeq !== null && entry.presence === 0) positions[topic] = entry.lastSeq;
    }
    return positions;
  }

  /**
   * What `hello.subscribe` names: every wanted topic without a position, so that the server
   * subscribes it from its head with the welcome, a round trip sooner than a `subscribe` after it
   * (docs/protocol.md#hello-cs). A topic observed for presence is left out, as in helloPositions.
   */
  helloSubscribe(): string[] {
    const topics: string[] = [];
    for (const [topic, entry] of this.#topics) if (entry.lastSeq === null && entry.presence === 0) topics.push(topic);
    return topics;
  }

  /**
   * After `welcome`: the server has subscribed the topics of `hello.positions` (their `subscribed`
   * answers a `since` of that seq) and `helloSubscribed`, the topics of `hello.subscribe` when the
   * welcome says it read them (their answers start at the head); every other wanted topic is
   * subscribed now, as is one of them that a presence observer came to while the hello was out, and
   * a topic left since the hello went out is left on the server too.
   */
  afterWelcome(positions: Readonly<Record<string, number>>, helloSubscribed: readonly string[] = []): void {
    this.#owed.clear();
    const taken = new Set([...Object.keys(positions), ...helloSubscribed]);
    for (const topic of taken) this.#owe(topic);
    for (const [topic, entry] of this.#topics) {
      entry.presenceWatched = false; // a new connection: presence is not part of a session
      // A presence observer asks for it now, subscribed by the hello or not (the server answers the repeat).
      if (!taken.has(topic) || entry.presence > 0) this.#sendSubscribe(topic, entry);
      else entry.requestedSince = positions[topic];
    }
    for (const topic of taken) {
      if (!this.#topics.has(topic)) this.#hooks.send({ type: 'unsubscribe', topic });
    }
  }

  /**
   * The answer to a subscribe (or the server's subscribe of a `hello.positions` entry), or one the
   * server sent unasked because it lost the topic's history (docs/protocol.md#7-topics-subscribe-unsubscribe-subscribed-event):
   * either way a new epoch or events that cannot be replayed are told as a `gap`, and the position
   * moves to where the server continues from.
   */
  onSubscribed(frame: SubscribedFrame): void {
    // A server-side join says so: it answers no subscribe of this client's, whatever is owed (a
    // subscribe superseded while `authorize` decided was never answered).
    const owed = frame.joined !== true && this.#settleOwed(frame.topic);
    const known = this.#topics.get(frame.topic);
    if (!known && owed) return; // the answer to a subscribe of a topic left since
    const entry = known ?? this.#createEntry(frame.topic);
    const since = entry.requestedSince;
    entry.requestedSince = undefined;
    const firstEvent = frame.seq - frame.replayed;
    const gap = (reason: 'new-epoch' | 'evicted', lastSeq: number | null) => {
      this.#hooks.gap({ topic: frame.topic, reason, lastSeq, previousEpoch: entry.epoch, epoch: frame.epoch, seq: frame.seq });
      entry.lastSeq = firstEvent;
    };
    if (entry.epoch !== null && entry.epoch !== frame.epoch) {
      gap('new-epoch', entry.lastSeq);
    } else if (since !== undefined && !frame.recovered) {
      gap('evicted', since);
    } else if (since !== undefined && frame.replayed > 0) {
      this.#hooks.resumed({ topic: frame.topic, replayed: frame.replayed, epoch: frame.epoch, seq: frame.seq });
    } else if (since === undefined && (entry.epoch === null || entry.lastSeq === null)) {
      // A fresh subscription starts where the server starts it: at the head for the client's own
      // subscribe (nothing replayed), before the events it replays for a server-side join from a
      // position (publishToUser joins from the head it read before publishing).
      entry.lastSeq = firstEvent;
    } else if (since === undefined && !frame.recovered && entry.lastSeq !== null && firstEvent > entry.lastSeq) {
      // Unasked, same epoch: events after this client's position were evicted before it got them.
      gap('evicted', entry.lastSeq);
    }
    entry.epoch = frame.epoch;
    this.#hooks.positionsChanged?.();
    if (!known) this.#hooks.joined?.({ topic: frame.topic });
  }

  /**
   * The server refused the topic (`error` forbidden or invalid_topic with `ref` = the topic) or ended
   * it for a reason that is one (`unsubscribed` forbidden): its Observers error with `error`, and the
   * topic is forgotten (not resubscribed, not in hello.positions nor in the resume state). False
   * when the client has no such topic.
   */
  refuse(topic: string, error: HeartbeatTopicError): boolean {
    const entry = this.#forget(topic);
    entry?.events.error(error);
    return entry !== undefined;
  }

  /** The server removed the connection from the topic (`unsubscribed` removed): its Observers complete, the topic is forgotten. */
  end(topic: string): boolean {
    const entry = this.#forget(topic);
    entry?.events.complete();
    return entry !== undefined;
  }

  /** Delivers an event unless it is one this client already has. */
  onEvent(frame: EventFrame): void {
    const entry = this.#topics.get(frame.topic);
    if (!entry || entry.epoch === null) return;
    if (frame.epoch !== entry.epoch) return; // a straggler from before the epoch change was reported
    if (entry.lastSeq !== null && frame.seq <= entry.lastSeq) return;
    entry.lastSeq = frame.seq;
    this.#hooks.positionsChanged?.();
    entry.events.next({ topic: frame.topic, seq: frame.seq, epoch: frame.epoch, data: frame.data, timestamp: frame.timestamp });
  }

  complete(): void {
    // Cleared first, so the observers' teardown sends no unsubscribe for a client that is going away.
    const entries = [...this.#topics.values()];
    this.#topics.clear();
    this.#restored.clear();
    this.#owed.clear();
    for (const entry of entries) entry.events.complete();
  }

  #createEntry(topic: string): TopicEntry {
    const restored = this.#restored.get(topic);
    this.#restored.delete(topic);
    const entry: TopicEntry = {
      events: new Subject(),
      subscribers: 0,
      presence: 0,
      presenceWatched: false,
      lastSeq: restored?.seq ?? null,
      epoch: restored?.epoch ?? null,
      requestedSince: undefined,
    };
    this.#topics.set(topic, entry);
    return entry;
  }

  #forget(topic: string): TopicEntry | undefined {
    const entry = this.#topics.get(topic);
    this.#restored.delete(topic);
    // A refused subscribe gets no `subscribed`: a later server-side join of the topic is not its late answer.
    this.#owed.delete(topic);
    if (!entry) return undefined;
    this.#topics.delete(topic);
    this.#hooks.positionsChanged?.();
    return entry;
  }

  #sendSubscribe(topic: string, entry: TopicEntry): void {
    const since = entry.lastSeq ?? undefined;
    // A field left undefined is left out of the frame: JSON has no undefined.
    const frame: SubscribeFrame = { type: 'subscribe', topic, since, presence: entry.presence > 0 || undefined };
    if (!this.#hooks.send(frame)) return;
    entry.presenceWatched = entry.presence > 0;
    entry.requestedSince = since;
    this.#owe(topic);
  }

  #owe(topic: string): void {
    this.#owed.set(topic, (this.#owed.get(topic) ?? 0) + 1);
  }

  /** Counts one `subscribed` answer of `topic` in; true when one was owed. */
  #settleOwed(topic: string): boolean {
    const owed = this.#owed.get(topic) ?? 0;
    if (owed === 0) return false;
    if (owed === 1) this.#owed.delete(topic);
    else this.#owed.set(topic, owed - 1);
    return true;
  }
}
