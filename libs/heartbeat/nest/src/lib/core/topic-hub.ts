import { encodeFrame, ProtocolErrorCode, type SubscribedFrame } from '@heartbeat/protocol';
import type { Subscription } from 'rxjs';
import type { Backplane, BackplaneEvent, EventPosition, TopicHistory } from './backplane.js';
import type { CoreLogger } from './logger.port.js';
import type { PresenceAnswer, TopicPresence } from './topic-presence.js';
import type { TopicSubscriber } from './topic-subscriber.js';

/** What `publish` assigned to the event, and how many of this node's subscribers it was written to. */
export interface PublishResult {
  topic: string;
  seq: number;
  epoch: string;
  /**
   * This node's subscribers the event was written to as a live event (docs/server.md#3-use-heartbeatservice):
   * the same count in memory and Redis mode; other nodes' subscribers are not counted.
   */
  delivered: number;
}

/** The sentences the hub logs and answers with (heartbeat.messages.ts provides them). */
export interface TopicHubMessages {
  handlerFailed(type: string): string;
  logSubscribeFailed(topic: string, id: string): string;
  logCatchUpFailed(topic: string): string;
  logEventsLost(topic: string, epoch: string, seq: number): string;
}

export interface TopicHubOptions {
  /** `replay.maxEvents` bounds the events held behind a gap: twice that many. */
  replay: { maxEvents: number };
  logger: CoreLogger;
  messages: TopicHubMessages;
  /** The topics' presence (docs/server.md#presence): its members enter and leave with the subscribers. */
  presence?: TopicPresence;
}

/**
 * A subscriber between `subscribe` and the moment it is level with what the node delivers live.
 * `epoch` is undefined until its answer went out (live events wait in `queue` meanwhile); then
 * `epoch`/`seq` is the last position it has.
 */
interface Joiner {
  epoch: string | undefined;
  seq: number;
  /**
   * Where the node's live events stood when a fresh `subscribe` (no `since`) arrived: the
   * subscription starts there, so an event published after the `subscribe` was received (say, by a
   * `message` the same client sent next) reaches it although the head is read later.
   */
  readonly anchor: EventPosition | undefined;
  queue: BackplaneEvent[];
  /**
   * `subscribe` frames (and server-side joins) repeated before the answer went out: each gets its
   * own answer after it, a join's marked `joined`.
   */
  repeats: boolean[];
  /** One of those repeats asked for presence: its snapshot follows their answers. */
  presenceRepeated: boolean;
  /** A server-side join: its answer says `joined` (docs/protocol.md#subscribed-sc). */
  readonly joined: boolean;
}

/** A publish of this node waiting for its event to reach this node's subscribers. */
interface DeliveryWaiter {
  position: EventPosition;
  resolve(delivered: number): void;
}

interface HubTopic {
  /** The one copy of the name its subscribers keep too (every `subscribe` frame brings its own copy). */
  readonly name: string;
  readonly subscribers: Set<TopicSubscriber>;
  readonly joining: Map<TopicSubscriber, Joiner>;
  /** What this node delivered last: live events continue from here, or the gap is read first. */
  position: EventPosition | undefined;
  /** The epochs the topic left, newest last (a few): a publish in one of them will not come live any more. */
  readonly pastEpochs: string[];
  /** Live events held back behind a gap: while it is read, or while the link is down. */
  held: BackplaneEvent[] | undefined;
  /** The read of a gap under way, if one is. */
  filling: Promise<void> | undefined;
  /** The link came back while a read was under way: a gap left after it may be read once more. */
  refill: boolean;
  watching: Promise<void> | undefined;
  /** Publishes of this node under way: while any is, the delivered count of each event is kept for them. */
  publishing: number;
  readonly deliveries: Map<string, number>;
  readonly waiters: DeliveryWaiter[];
}

/** Epochs a topic remembers having left: a publish resolves in the same turn it was appended, so a few are plenty. */
const PAST_EPOCHS_KEPT = 4;

/**
 * Topics and their subscribers on this node, above a {@link Backplane}: the same code for memory
 * and Redis mode. It answers `subscribe` with a snapshot and the replay, then live events in order
 * (a joiner's live events wait behind its snapshot); it fills a gap in the backplane's live events
 * from `readSince`, and when events are lost for good it tells every subscriber in-band
 * (docs/protocol.md#losses-told-in-band) instead of closing anyone. It never retries a read in a loop:
 * a gap that cannot be read now waits for the link (`ready$`), or is told.
 */
export class TopicHub {
  private readonly topics = new Map<string, HubTopic>();
  private readonly subscriptions: Subscription[];
  private closed = false;

  constructor(
    private readonly backplane: Backplane,
    private readonly options: TopicHubOptions,
  ) {
    this.subscriptions = [
      backplane.events$.subscribe((event) => {
        const topic = this.topics.get(event.topic);
        if (topic) this.onLive(topic, event, false);
      }),
      // Back from an outage: whatever was published meanwhile, and the gaps held until now, can be read.
      backplane.ready$.subscribe(() => {
        for (const topic of this.topics.values()) {
          if (topic.position === undefined) continue;
          if (topic.filling) topic.refill = true;
          else this.fill(topic, topic.held ?? []);
        }
      }),
    ];
  }

  /**
   * Adds a subscriber: answers `subscribed`, replays what it missed after `since`, then live events.
   * A repeated `subscribe` is answered too, and changes nothing. Failures are answered on the
   * connection, never thrown. `presence` (`subscribe.presence`): a `presence` snapshot follows the
   * `subscribed` answer, then the topic's joins and leaves (docs/server.md#presence).
   */
  subscribe(subscriber: TopicSubscriber, name: string, since: number | undefined, presence?: boolean): void {
    this.add(subscriber, name, since, presence === true, false);
  }

  /**
   * A server-side join (`HeartbeatService.join`, `publishToUser`): added as by `subscribe`, and the
   * answer says `joined`, so that the client does not take it for the answer to a `subscribe` of its
   * own that is still owed.
   */
  join(subscriber: TopicSubscriber, name: string, since: number | undefined): void {
    this.add(subscriber, name, since, false, true);
  }

  private add(subscriber: TopicSubscriber, name: string, since: number | undefined, presence: boolean, joined: boolean): void {
    // A closing connection would be kept in the topic after the registry removed it.
    if (subscriber.isClosing) return;
    const topic = this.topic(name);
    const joiner = topic.joining.get(subscriber);
    if (joiner) {
      if (joiner.epoch === undefined) {
        joiner.repeats.push(joined);
        joiner.presenceRepeated ||= presence;
      } else this.answerRepeat(subscriber, topic.name, { epoch: joiner.epoch, seq: joiner.seq }, presence, joined);
      return;
    }
    if (topic.subscribers.has(subscriber) && topic.position) {
      this.answerRepeat(subscriber, topic.name, topic.position, presence, joined);
      return;
    }
    subscriber.addTopic(topic.name);
    const anchor = since === undefined && topic.position !== undefined ? { ...topic.position } : undefined;
    const joining: Joiner = { epoch: undefined, seq: 0, anchor, queue: [], repeats: [], presenceRepeated: false, joined };
    topic.joining.set(subscriber, joining);
    const answer = this.options.presence?.enter(subscriber, topic.name, presence);
    this.catchUp(topic, subscriber, joining, since, answer).catch((error: unknown) => {
      if (topic.joining.get(subscriber) !== joining) return;
      topic.joining.delete(subscriber);
      subscriber.removeTopic(topic.name);
      this.options.presence?.exit(subscriber, topic.name);
      const { logger, messages } = this.options;
      logger.error(messages.logSubscribeFailed(topic.name, subscriber.id), error instanceof Error ? error.stack : String(error));
      subscriber.sendError({ code: ProtocolErrorCode.InternalError, message: messages.handlerFailed('subscribe'), ref: 'subscribe' });
    });
  }

  unsubscribe(subscriber: TopicSubscriber, name: string): void {
    const topic = this.topics.get(name);
    topic?.subscribers.delete(subscriber);
    topic?.joining.delete(subscriber);
    subscriber.removeTopic(name);
    this.options.presence?.exit(subscriber, name);
  }

  /** A connection closed: it leaves all its topics and their presence (the registry's release order calls it). Safe twice. */
  release(subscriber: TopicSubscriber): void {
    for (const name of subscriber.topics) {
      const topic = this.topics.get(name);
      topic?.subscribers.delete(subscriber);
      topic?.joining.delete(subscriber);
    }
    this.options.presence?.release(subscriber);
  }

  /**
   * Appends the event (its frame encoded once), and resolves once this node's subscribers have it,
   * with how many were written to. Rejects, using no seq, for data JSON cannot encode, and with
   * the backplane's error when it refuses the event. Calls without `await` keep their order.
   */
  async publish(name: string, data: unknown): Promise<PublishResult> {
    const topic = this.topics.get(name);
    if (topic) topic.publishing++;
    try {
      const position = await this.backplane.append(name, data);
      const delivered = topic ? await this.deliveredCount(topic, position) : 0;
      return { topic: name, seq: position.seq, epoch: position.epoch, delivered };
    } finally {
      if (topic && --topic.publishing === 0) topic.deliveries.clear();
    }
  }

  /** Stops listening to the backplane; publishes still waiting for their event resolve with 0. Safe twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    for (const topic of this.topics.values()) this.settleWaiters(topic, () => true);
  }

  private async catchUp(
    topic: HubTopic,
    subscriber: TopicSubscriber,
    joiner: Joiner,
    since: number | undefined,
    presence: Promise<PresenceAnswer | undefined> | undefined,
  ): Promise<void> {
    await this.watch(topic);
    const { anchor } = joiner;
    // The presence snapshot is read beside the history: it goes out right after the `subscribed` answer.
    const [history, answerPresence] = await Promise.all([this.backplane.readSince(topic.name, anchor?.seq ?? since), presence]);
    if (topic.joining.get(subscriber) !== joiner) return; // unsubscribed or closed meanwhile
    // The head read is at or past a publish of this node still waiting: it will not come live to this topic now.
    if (topic.position === undefined) this.advance(topic, { epoch: history.epoch, seq: history.seq }, true);
    const position = topic.position as EventPosition;
    if (history.epoch === position.epoch) {
      if (anchor === undefined) this.sendSnapshot(subscriber, topic.name, history, answerPresence, joiner.joined);
      else if (history.epoch === anchor.epoch && history.complete) {
        // Starts at the anchor: what came after it follows as the subscription's first events.
        subscriber.send(subscribedFrame(topic.name, anchor, true, joiner.joined));
        answerPresence?.();
        for (const event of history.events) subscriber.sendText(event.text);
      } else this.sendSnapshot(subscriber, topic.name, { epoch: history.epoch, seq: history.seq, events: [], complete: true }, answerPresence, joiner.joined);
      joiner.seq = history.seq;
    } else {
      // The topic changed epoch between this read and what the node delivers: the node's position is the one to continue from.
      subscriber.send(subscribedFrame(topic.name, position, false, joiner.joined));
      answerPresence?.();
      joiner.seq = position.seq;
    }
    joiner.epoch = position.epoch;
    for (const event of joiner.queue) this.offer(subscriber, joiner, event);
    joiner.queue = [];
    const at = { epoch: joiner.epoch, seq: joiner.seq };
    for (const [index, repeatJoined] of joiner.repeats.entries()) {
      this.answerRepeat(subscriber, topic.name, at, index === joiner.repeats.length - 1 && joiner.presenceRepeated, repeatJoined);
    }
    joiner.repeats = [];
    this.level(topic, subscriber, joiner);
  }

  /** The topic's live events reach this node from now on; a failed watch is tried again by the next subscriber. */
  private watch(topic: HubTopic): Promise<void> {
    topic.watching ??= this.backplane.watch(topic.name).catch((error: unknown) => {
      topic.watching = undefined;
      this.settleWaiters(topic, () => true);
      throw error;
    });
    return topic.watching;
  }

  private onLive(topic: HubTopic, event: BackplaneEvent, afterRead: boolean): void {
    if (topic.held) {
      topic.held.push(event);
      // Every held event is in the backplane's history too, which the read of the gap brings. Past
      // twice the buffer the oldest add nothing to that read, and would only pile up while the link
      // is down: they are dropped down to one buffer's worth (in batches, not one shift per event).
      const cap = 2 * this.options.replay.maxEvents;
      if (topic.held.length > cap) topic.held.splice(0, topic.held.length - cap / 2);
      return;
    }
    const position = topic.position;
    if (position === undefined) return this.accept(topic, event); // the first event this node sees
    if (event.epoch !== position.epoch) {
      // The topic's state was lost in the backplane (Redis restarted empty or failed over, keys
      // evicted): its seqs started over. The subscribers are told, and continue from the new epoch's
      // start: what it had before this event is read, unless this event comes right after a read.
      this.lost(topic, { epoch: event.epoch, seq: afterRead ? event.seq - 1 : 0 });
      return afterRead ? this.accept(topic, event) : this.onLive(topic, event, false);
    }
    if (event.seq <= position.seq) return; // already delivered (read from the history first)
    if (event.seq === position.seq + 1) return this.accept(topic, event);
    if (!afterRead) {
      // While the link is down the gap cannot be read: hold the events until it is back (ready$),
      // rather than start a read that would hand them back here at once, again and again.
      if (this.backplane.isUp) this.fill(topic, [event]);
      else topic.held = [event];
    } else if (!this.backplane.isUp) {
      // Down again: a read now would answer from what this node saw last and call a gap lost that
      // the backplane still holds. Wait for the link, as before the read.
      topic.held = [event];
    } else if (topic.refill) {
      topic.refill = false; // the link came back during the read: one more read, not a loop
      this.fill(topic, [event]);
    } else {
      // The read made after this event was published does not have what comes before it: those events are gone.
      this.lost(topic, { epoch: event.epoch, seq: event.seq - 1 });
      this.accept(topic, event);
    }
  }

  /** Reads what the node missed after its position, delivers it, then what was held meanwhile. */
  private fill(topic: HubTopic, held: BackplaneEvent[]): void {
    topic.held = held;
    topic.filling = this.readGap(topic).finally(() => {
      topic.filling = undefined;
      const later = topic.held ?? [];
      topic.held = undefined;
      for (const event of later) this.onLive(topic, event, true);
      if (!topic.filling) topic.refill = false;
    });
  }

  private async readGap(topic: HubTopic, epochChanged = false): Promise<void> {
    const from = topic.position as EventPosition;
    let missed: TopicHistory;
    try {
      missed = await this.backplane.readSince(topic.name, from.seq);
    } catch (error) {
      // The held events are handled as after any read: held again while the link is down, told as lost otherwise.
      this.options.logger.error(this.options.messages.logCatchUpFailed(topic.name), error instanceof Error ? error.stack : String(error));
      return;
    }
    const position = topic.position as EventPosition;
    if (missed.epoch !== position.epoch) {
      // A new epoch: told, then read from its start (once; an epoch that changed again meanwhile is
      // told at its head).
      this.lost(topic, { epoch: missed.epoch, seq: epochChanged ? missed.seq : 0 });
      // Events held from before the read of an epoch that is gone must not switch the topic back to it.
      if (topic.held) topic.held = topic.held.filter((event) => event.epoch === missed.epoch);
      return epochChanged ? undefined : this.readGap(topic, true);
    }
    // Read while the link was down, the answer comes from what this node saw last: the rest may still
    // be in the backplane. The held events wait for the link (ready$) instead of being told lost.
    if (!missed.complete && !this.backplane.isUp) return;
    // Events trimmed before the oldest the history still holds are lost; that one and those after it are not.
    if (!missed.complete) this.lost(topic, { epoch: missed.epoch, seq: (missed.events[0]?.seq ?? missed.seq + 1) - 1 });
    for (const event of missed.events) if (event.seq === (topic.position as EventPosition).seq + 1) this.accept(topic, event);
  }

  /** One live event: to every subscriber (the text encoded to bytes once), then to the joiners. */
  private accept(topic: HubTopic, event: BackplaneEvent): void {
    this.advance(topic, { epoch: event.epoch, seq: event.seq });
    const delivered = this.deliver(topic, event.text);
    if (topic.publishing > 0) {
      const waiter = topic.waiters.findIndex((entry) => entry.position.seq === event.seq && entry.position.epoch === event.epoch);
      if (waiter >= 0) topic.waiters.splice(waiter, 1)[0].resolve(delivered);
      else topic.deliveries.set(`${event.seq} ${event.epoch}`, delivered);
    }
    for (const [subscriber, joiner] of topic.joining) {
      if (joiner.epoch === undefined) joiner.queue.push(event);
      else {
        this.offer(subscriber, joiner, event);
        this.level(topic, subscriber, joiner);
      }
    }
  }

  private deliver(topic: HubTopic, text: string): number {
    if (topic.subscribers.size === 0) return 0;
    // The UTF-8 bytes are made once: a string would be encoded again for each socket.
    const bytes = Buffer.from(text);
    let delivered = 0;
    for (const subscriber of topic.subscribers) if (subscriber.sendText(bytes)) delivered++;
    return delivered;
  }

  /**
   * The next event for a joiner that has its answer: skipped if it has it already; after a hole
   * (events lost while it joined) the hole is told in-band first, so it never sees a silent gap.
   */
  private offer(subscriber: TopicSubscriber, joiner: Joiner, event: BackplaneEvent): void {
    if (event.epoch === joiner.epoch && event.seq <= joiner.seq) return;
    if (event.epoch !== joiner.epoch || event.seq !== joiner.seq + 1) {
      subscriber.send(subscribedFrame(event.topic, { epoch: event.epoch, seq: event.seq - 1 }, false));
    }
    subscriber.sendText(event.text);
    joiner.epoch = event.epoch;
    joiner.seq = event.seq;
  }

  /**
   * A joiner behind what the node delivers (events lost while it joined) is told where it continues
   * from; one at or behind the node's position has everything and becomes a plain subscriber. One
   * ahead of it (its snapshot was newer than the node's live events) waits for them.
   */
  private level(topic: HubTopic, subscriber: TopicSubscriber, joiner: Joiner): void {
    const position = topic.position as EventPosition;
    if (joiner.epoch !== position.epoch || joiner.seq < position.seq) {
      subscriber.send(subscribedFrame(topic.name, position, false));
      joiner.epoch = position.epoch;
      joiner.seq = position.seq;
    }
    if (joiner.seq > position.seq) return;
    topic.joining.delete(subscriber);
    topic.subscribers.add(subscriber);
  }

  /**
   * Events were lost for good (a new epoch, or a gap the history no longer holds): every subscriber
   * is told in-band where the topic continues from (docs/protocol.md#losses-told-in-band), and nobody
   * is closed. Joiners still waiting for their answer get it from their own snapshot.
   */
  private lost(topic: HubTopic, position: EventPosition): void {
    this.options.logger.warn(this.options.messages.logEventsLost(topic.name, position.epoch, position.seq));
    this.advance(topic, position, true);
    if (topic.subscribers.size > 0) {
      const bytes = Buffer.from(encodeFrame(subscribedFrame(topic.name, position, false)));
      for (const subscriber of topic.subscribers) subscriber.sendText(bytes);
    }
    for (const [subscriber, joiner] of topic.joining) {
      if (joiner.epoch === undefined) joiner.queue = [];
      else this.level(topic, subscriber, joiner);
    }
  }

  /**
   * Moves the topic's position; publishes waiting for an event before it (`atToo`: at it too), which
   * will not come live now, resolve. `accept` moves to the event it delivers and resolves that
   * event's publish itself, with its count: for it the event at the position is not passed.
   */
  private advance(topic: HubTopic, position: EventPosition, atToo = false): void {
    const previous = topic.position;
    if (previous !== undefined && previous.epoch !== position.epoch) {
      topic.pastEpochs.push(previous.epoch);
      if (topic.pastEpochs.length > PAST_EPOCHS_KEPT) topic.pastEpochs.shift();
    }
    topic.position = position;
    if (topic.waiters.length > 0) {
      this.settleWaiters(topic, (waiting) => waiting.epoch !== position.epoch || waiting.seq < position.seq || (atToo && waiting.seq === position.seq));
    }
  }

  private settleWaiters(topic: HubTopic, passed: (position: EventPosition) => boolean): void {
    for (let i = topic.waiters.length - 1; i >= 0; i--) {
      const waiter = topic.waiters[i];
      if (!passed(waiter.position)) continue;
      topic.waiters.splice(i, 1);
      waiter.resolve(0);
    }
  }

  /** How many of this node's subscribers the event was written to: known already, or once it arrives. */
  private deliveredCount(topic: HubTopic, position: EventPosition): Promise<number> | number {
    const key = `${position.seq} ${position.epoch}`;
    const known = topic.deliveries.get(key);
    if (known !== undefined) {
      topic.deliveries.delete(key);
      return known;
    }
    // An event of the epoch the topic is in comes live unless the topic is past it; one of a newer
    // epoch (the backplane lost the topic, and this node has not seen it yet) comes live later.
    const at = topic.position;
    const passed = at !== undefined && (at.epoch === position.epoch ? at.seq >= position.seq : topic.pastEpochs.includes(position.epoch));
    if (passed || topic.watching === undefined || this.closed) return 0;
    return new Promise((resolve) => topic.waiters.push({ position, resolve }));
  }

  /** The `subscribed` answer, its presence snapshot if it asked for one, then the replayed events, oldest first. */
  private sendSnapshot(subscriber: TopicSubscriber, topic: string, history: TopicHistory, answerPresence: PresenceAnswer | undefined, joined: boolean): void {
    subscriber.send({ ...subscribedFrame(topic, history, history.complete, joined), replayed: history.events.length });
    answerPresence?.();
    for (const event of history.events) subscriber.sendText(event.text);
  }

  /**
   * A repeated `subscribe`: answered with where the subscriber is, nothing replayed, nothing
   * changed; one that asks for presence (after a resume through `hello.positions`, say) is sent the
   * snapshot after the answer, unless it already watches the topic's presence.
   */
  private answerRepeat(subscriber: TopicSubscriber, topic: string, position: EventPosition, presence: boolean, joined = false): void {
    subscriber.send(subscribedFrame(topic, position, true, joined));
    if (presence) void this.options.presence?.enter(subscriber, topic, true).then((answer) => answer?.());
  }

  private topic(name: string): HubTopic {
    let topic = this.topics.get(name);
    if (!topic) {
      topic = {
        name,
        subscribers: new Set(),
        joining: new Map(),
        position: undefined,
        pastEpochs: [],
        held: undefined,
        filling: undefined,
        refill: false,
        watching: undefined,
        publishing: 0,
        deliveries: new Map(),
        waiters: [],
      };
      this.topics.set(name, topic);
    }
    return topic;
  }
}

/** `joined`: the answer to a server-side join; absent from every other `subscribed`. */
function subscribedFrame(topic: string, position: EventPosition, recovered: boolean, joined = false): SubscribedFrame {
  const frame: SubscribedFrame = { type: 'subscribed', topic, epoch: position.epoch, seq: position.seq, recovered, replayed: 0 };
  if (joined) frame.joined = true;
  return frame;
}
