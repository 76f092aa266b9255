import { CloseCode, ProtocolErrorCode } from '@heartbeat/protocol';
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Subscription } from 'rxjs';
import type { Clock } from '../clock.js';
import type { ConnectionRegistry } from '../core/connection-registry.js';
import { HeartbeatMessages } from '../core/heartbeat.messages.js';
import type { HeartbeatConnection } from '../core/heartbeat-connection.js';
import type { ResolvedHeartbeatOptions } from '../core/heartbeat-options.interface.js';
import { ReplayBuffer } from '../replay-buffer.js';
import { type LocalTopic, type PublishResult, TopicBroker, type TopicSnapshot } from '../topic-broker.js';
import type { RedisLink } from './redis-link.js';

/** One encoded event with its position. */
interface SequencedEvent {
  seq: number;
  epoch: string;
  text: string;
}

/** A snapshot whose events keep their positions (the broker's own bookkeeping needs them). */
type SequencedSnapshot = Omit<TopicSnapshot, 'events'> & { events: SequencedEvent[] };

/** A subscriber between `subscribe` and the moment it is level with the node's live stream. */
interface Joiner {
  /** The last seq the connection has; undefined until its snapshot arrived (live events wait in `queue`). */
  floor: number | undefined;
  queue: SequencedEvent[];
}

interface RedisTopic extends LocalTopic {
  /** The epoch and last seq this node delivered: live events arrive in this order, or the gap is read from Redis. */
  epoch: string | undefined;
  liveSeq: number | undefined;
  readonly joining: Map<HeartbeatConnection, Joiner>;
  /**
   * Live events held back behind a gap: while it is read from the stream, or, while Redis is away,
   * until the link is back and it can be read. Undefined when none is.
   */
  held: SequencedEvent[] | undefined;
  /** The read of a gap under way, if one is. */
  filling: Promise<void> | undefined;
  listening: Promise<void> | undefined;
  /** Recent live events: the snapshot source while Redis is away. */
  readonly recent: ReplayBuffer;
}

/** How long a node remembers its last applied publish in Redis (resends come within seconds). */
const PUBLISHER_TTL_MS = 86_400_000;

/**
 * Topics shared by every node on one Redis. A publish runs one script that increments the topic's
 * seq, appends the event to the topic's stream (the replay buffer, trimmed by count and age) and
 * publishes it on the topic's channel, so every node — the publisher too — delivers the same events
 * in the same order. A node that sees a seq jump (a missed Pub/Sub message, a Redis outage) reads
 * the gap from the stream before it delivers anything newer.
 */
export class RedisTopicBroker extends TopicBroker<RedisTopic> {
  private readonly logger = new Logger('HeartbeatRedis');
  /** Publishes are numbered per process, so that Redis can recognize one resent after a lost reply. */
  private readonly publisherKey: string;
  private publishCounter = 0;
  private pending = 0;
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly options: ResolvedHeartbeatOptions,
    registry: ConnectionRegistry,
    private readonly clock: Clock,
    private readonly link: RedisLink,
  ) {
    super(registry);
    this.publisherKey = link.keys.publisher(`${link.options.nodeId}:${randomBytes(4).toString('hex')}`);
    this.subscriptions.push(
      link.messages$.subscribe(({ channel, message }) => {
        const name = link.keys.topicOfEvents(channel);
        const topic = name === undefined ? undefined : this.topics.get(name);
        const event = topic && parseLive(message);
        if (topic && event) this.onLive(topic, event);
      }),
      // Back from an outage: whatever was published meanwhile, and the gaps held until now, are in the streams.
      link.ready$.subscribe(() => {
        for (const topic of this.topics.values()) if (topic.liveSeq !== undefined && !topic.filling) void this.fill(topic, topic.held ?? []);
      }),
    );
  }

  /** Publishes waiting for Redis to take them. */
  get pendingPublishes(): number {
    return this.pending;
  }

  override onApplicationShutdown(): void {
    super.onApplicationShutdown();
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }

  subscribe(connection: HeartbeatConnection, name: string, since: number | undefined): void {
    const topic = this.topic(name);
    if (topic.joining.has(connection)) return;
    if (topic.subscribers.has(connection)) {
      this.sendSnapshot(connection, name, { epoch: topic.epoch ?? '', seq: topic.liveSeq ?? 0, recovered: true, events: [] });
      return;
    }
    connection.addTopic(topic.name);
    const joiner: Joiner = { floor: undefined, queue: [] };
    topic.joining.set(connection, joiner);
    this.join(topic, connection, joiner, since).catch((error: unknown) => {
      if (topic.joining.get(connection) !== joiner) return;
      topic.joining.delete(connection);
      connection.removeTopic(name);
      this.logger.error(HeartbeatMessages.logRedisSubscribeFailed(name, connection.id), error instanceof Error ? error.stack : error);
      connection.sendError({ code: ProtocolErrorCode.InternalError, message: HeartbeatMessages.handlerFailed('subscribe'), ref: 'subscribe' });
    });
  }

  override unsubscribe(connection: HeartbeatConnection, topic: string): void {
    this.topics.get(topic)?.joining.delete(connection);
    super.unsubscribe(connection, topic);
  }

  async publish<T>(topic: string, data: T): Promise<PublishResult> {
    // Encoded before anything is sent: data that cannot be encoded must not burn a seq.
    const dataJson = JSON.stringify(data) ?? 'null';
    const limit = this.link.options.maxPendingPublishes;
    if (this.pending >= limit) throw new Error(HeartbeatMessages.redisPublishBacklog(limit));
    const { keys } = this.link;
    this.pending++;
    try {
      const [seq, epoch] = await this.link.commands.heartbeatAppend(
        keys.topic(topic),
        keys.stream(topic),
        this.publisherKey,
        newEpoch(),
        ++this.publishCounter,
        this.options.replay.maxEvents,
        this.options.replay.maxAgeMs,
        JSON.stringify(topic),
        dataJson,
        new Date(this.clock.now()).toISOString(),
        keys.events(topic),
        PUBLISHER_TTL_MS,
      );
      return { topic, seq: Number(seq), epoch };
    } finally {
      this.pending--;
    }
  }

  protected override removeConnection(connection: HeartbeatConnection): void {
    for (const name of connection.topics) this.topics.get(name)?.joining.delete(connection);
    super.removeConnection(connection);
  }

  private async join(topic: RedisTopic, connection: HeartbeatConnection, joiner: Joiner, since: number | undefined): Promise<void> {
    await this.listen(topic);
    const snapshot = await this.snapshot(topic, since);
    if (topic.joining.get(connection) !== joiner) return; // unsubscribed or closed meanwhile
    this.sendSnapshot(connection, topic.name, { ...snapshot, events: snapshot.events.map((event) => event.text) });
    joiner.floor = snapshot.seq;
    if (topic.liveSeq === undefined) {
      topic.epoch = snapshot.epoch;
      topic.liveSeq = snapshot.seq;
    }
    for (const event of joiner.queue) this.offer(connection, joiner, event);
    joiner.queue = [];
    this.promoteIfLevel(topic, connection, joiner);
  }

  /** Channel subscriptions are kept for the node's lifetime: topics are few, re-subscribing costs a round trip. */
  private listen(topic: RedisTopic): Promise<void> {
    topic.listening ??= this.link.listen(this.link.keys.events(topic.name)).catch((error: unknown) => {
      topic.listening = undefined;
      throw error;
    });
    return topic.listening;
  }

  /**
   * The topic's head and the events after `since`: from Redis, or, while Redis is away, from the
   * events this node saw last (good enough for a client that reconnected to this node).
   */
  private async snapshot(topic: RedisTopic, since: number | undefined): Promise<SequencedSnapshot> {
    if (!this.link.state.up && topic.liveSeq !== undefined && topic.epoch !== undefined) {
      return this.localSnapshot(topic, topic.epoch, topic.liveSeq, since);
    }
    const { keys } = this.link;
    const [epoch, head, entries] = await this.link.commands.heartbeatRead(
      keys.topic(topic.name),
      keys.stream(topic.name),
      newEpoch(),
      since ?? -1,
      this.options.replay.maxEvents,
      this.options.replay.maxAgeMs,
    );
    const seq = Number(head);
    const events: SequencedEvent[] = [];
    for (let i = entries.length - 1; i >= 0; i--) {
      const [id, fields] = entries[i];
      const eventSeq = Number(id.slice(id.indexOf('-') + 1));
      if (since !== undefined && eventSeq > since) events.push({ seq: eventSeq, epoch, text: fields[1] });
    }
    return { epoch, seq, recovered: isRecovered(since, seq, events), events };
  }

  private localSnapshot(topic: RedisTopic, epoch: string, seq: number, since: number | undefined): SequencedSnapshot {
    if (since === undefined) return { epoch, seq, recovered: true, events: [] };
    const slice = since > seq ? { events: [], complete: false } : topic.recent.since(since, seq, this.clock.now());
    return { epoch, seq, recovered: slice.complete, events: slice.events.map((event) => ({ seq: event.seq, epoch, text: event.text })) };
  }

  private onLive(topic: RedisTopic, event: SequencedEvent): void {
    if (topic.held) {
      topic.held.push(event);
      // Every held event is in the topic's stream too, which the read of the gap brings. Past twice
      // the buffer the oldest add nothing to that read, and would only pile up while Redis is away:
      // they are dropped down to one buffer's worth (in batches, not one shift per event).
      const cap = 2 * this.options.replay.maxEvents;
      if (topic.held.length > cap) topic.held.splice(0, topic.held.length - cap / 2);
      return;
    }
    if (topic.epoch !== undefined && event.epoch !== topic.epoch) {
      // The topic's keys were lost in Redis (flushed, evicted): its seqs started over in a new epoch.
      // Clients ignore events of an epoch they did not subscribe in; resubscribing tells them.
      this.dropSubscribers(topic);
      topic.epoch = event.epoch;
      topic.liveSeq = event.seq - 1;
    }
    topic.epoch ??= event.epoch;
    topic.liveSeq ??= event.seq - 1;
    if (event.seq <= topic.liveSeq) return; // already delivered (read from the stream first)
    if (event.seq > topic.liveSeq + 1) {
      // While Redis is away the gap cannot be read (the local snapshot ends where this node's events
      // do): hold the events until the link is back (ready$), rather than start a fill that would
      // hand them back here at once, again and again, without ever yielding to the network.
      if (this.link.state.up) void this.fill(topic, [event]);
      else topic.held = [event];
      return;
    }
    this.accept(topic, event);
  }

  /** Reads what the node missed after `liveSeq` from the stream, delivers it, then what was held meanwhile. */
  private fill(topic: RedisTopic, held: SequencedEvent[]): Promise<void> {
    topic.held = held;
    topic.filling = this.readGap(topic).finally(() => {
      topic.filling = undefined;
      const later = topic.held ?? [];
      topic.held = undefined;
      for (const event of later) this.onLive(topic, event);
    });
    return topic.filling;
  }

  private async readGap(topic: RedisTopic): Promise<void> {
    try {
      const missed = await this.snapshot(topic, topic.liveSeq);
      if (missed.epoch !== topic.epoch || !missed.recovered) {
        this.dropSubscribers(topic);
        topic.epoch = missed.epoch;
        topic.liveSeq = missed.seq;
      } else {
        for (const event of missed.events) if (event.seq === (topic.liveSeq ?? 0) + 1) this.accept(topic, event);
      }
    } catch (error) {
      this.logger.error(HeartbeatMessages.logRedisCatchUpFailed(topic.name), error instanceof Error ? error.stack : error);
      this.dropSubscribers(topic);
      topic.liveSeq = undefined;
    }
  }

  private accept(topic: RedisTopic, event: SequencedEvent): void {
    topic.liveSeq = event.seq;
    topic.recent.push({ seq: event.seq, at: this.clock.now(), text: event.text });
    this.deliver(topic, event.text);
    for (const [connection, joiner] of topic.joining) {
      if (joiner.floor === undefined) joiner.queue.push(event);
      else {
        this.offer(connection, joiner, event);
        this.promoteIfLevel(topic, connection, joiner);
      }
    }
  }

  private offer(connection: HeartbeatConnection, joiner: Joiner, event: SequencedEvent): void {
    if (joiner.floor !== undefined && event.seq > joiner.floor) {
      connection.sendText(event.text);
      joiner.floor = event.seq;
    }
  }

  /** A joiner whose snapshot is at or behind what the node delivered has everything: it becomes a plain subscriber. */
  private promoteIfLevel(topic: RedisTopic, connection: HeartbeatConnection, joiner: Joiner): void {
    if (joiner.floor === undefined || topic.liveSeq === undefined || topic.liveSeq < joiner.floor) return;
    topic.joining.delete(connection);
    topic.subscribers.add(connection);
  }

  /**
   * Events were lost for good (trimmed from the stream during a long outage, or the topic restarted):
   * the subscribers reconnect, and their resume tells each client exactly what it missed.
   */
  private dropSubscribers(topic: RedisTopic): void {
    const reason = HeartbeatMessages.closeEventsLost(topic.name);
    for (const connection of [...topic.subscribers, ...topic.joining.keys()]) {
      if (!connection.isClosing) connection.close(CloseCode.ServiceRestart, reason);
    }
  }

  private topic(name: string): RedisTopic {
    let topic = this.topics.get(name);
    if (!topic) {
      topic = {
        name,
        epoch: undefined,
        liveSeq: undefined,
        subscribers: new Set(),
        joining: new Map(),
        held: undefined,
        filling: undefined,
        listening: undefined,
        recent: new ReplayBuffer(this.options.replay.maxEvents, this.options.replay.maxAgeMs),
      };
      this.topics.set(name, topic);
    }
    return topic;
  }
}

/** Same form as the in-memory broker's epochs: start time and a random part. */
function newEpoch(): string {
  return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Pub/Sub payload `<seq> <epoch> <event frame>`: the position is read without parsing the frame. */
function parseLive(message: string): SequencedEvent | undefined {
  const first = message.indexOf(' ');
  const second = message.indexOf(' ', first + 1);
  if (first <= 0 || second <= first) return undefined;
  const seq = Number(message.slice(0, first));
  return Number.isSafeInteger(seq) && seq > 0 ? { seq, epoch: message.slice(first + 1, second), text: message.slice(second + 1) } : undefined;
}

function isRecovered(since: number | undefined, head: number, events: readonly SequencedEvent[]): boolean {
  if (since === undefined || since === head) return true;
  if (since > head) return false; // a position from a previous epoch
  return events.length > 0 && events[0].seq === since + 1;
}
