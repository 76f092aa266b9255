import type { EventFrame, SubscribedFrame } from '@heartbeat/protocol';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Subscription } from 'rxjs';
import { Clock } from './clock.js';
import { ConnectionRegistry } from './connection-registry.js';
import { HEARTBEAT_OPTIONS } from './heartbeat.constants.js';
import type { HeartbeatConnection } from './heartbeat-connection.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';
import { ReplayBuffer } from './replay-buffer.js';

interface TopicState {
  seq: number;
  readonly subscribers: Set<HeartbeatConnection>;
  readonly buffer: ReplayBuffer;
}

/** What `publish` assigned to the event. */
export interface PublishResult {
  topic: string;
  seq: number;
  epoch: string;
  /** Connections the event was written to. */
  delivered: number;
}

/**
 * Topics, their subscribers, per-topic sequence numbers and replay buffers (in memory). The epoch
 * changes with every process start, so a client can tell that sequence numbers started over.
 */
@Injectable()
export class TopicBroker implements OnApplicationShutdown {
  readonly epoch = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  private readonly topics = new Map<string, TopicState>();
  private readonly removal: Subscription;

  constructor(
    @Inject(HEARTBEAT_OPTIONS) private readonly options: ResolvedHeartbeatOptions,
    registry: ConnectionRegistry,
    private readonly clock: Clock,
  ) {
    this.removal = registry.removed$.subscribe((connection) => this.removeConnection(connection));
  }

  /** Not before: connections closed by the drain (beforeApplicationShutdown) must still leave their topics. */
  onApplicationShutdown(): void {
    this.removal.unsubscribe();
  }

  /** Current sequence number of a topic (0 before its first event). */
  head(topic: string): number {
    return this.topics.get(topic)?.seq ?? 0;
  }

  /**
   * Adds a subscriber and answers `subscribed`, then replays what it missed after `since` (oldest
   * first, before any live event, since nothing else runs in between).
   */
  subscribe(connection: HeartbeatConnection, topic: string, since: number | undefined): void {
    const state = this.state(topic);
    const alreadySubscribed = state.subscribers.has(connection);
    state.subscribers.add(connection);
    connection.topics.add(topic);
    const wantsReplay = since !== undefined && !alreadySubscribed;
    const slice = wantsReplay
      ? since > state.seq
        ? { events: [], complete: false } // a position from a previous epoch
        : state.buffer.since(since, state.seq, this.clock.now())
      : { events: [], complete: true };
    const subscribed: SubscribedFrame = {
      type: 'subscribed',
      topic,
      epoch: this.epoch,
      seq: state.seq,
      recovered: slice.complete,
      replayed: slice.events.length,
    };
    connection.send(subscribed);
    for (const event of slice.events) connection.sendText(event.text);
  }

  unsubscribe(connection: HeartbeatConnection, topic: string): void {
    this.topics.get(topic)?.subscribers.delete(connection);
    connection.topics.delete(topic);
  }

  /** Assigns the next `seq`, encodes the event once and writes it to every subscriber. */
  publish<T>(topic: string, data: T): PublishResult {
    const state = this.state(topic);
    const now = this.clock.now();
    const seq = state.seq + 1;
    const frame: EventFrame<T> = { type: 'event', topic, seq, epoch: this.epoch, data, timestamp: new Date(now).toISOString() };
    const text = JSON.stringify(frame);
    // Only now that the event is encoded: data that cannot be (a BigInt, a cycle) must not burn a seq,
    // or every subscriber would see a gap that no replay can fill.
    state.seq = seq;
    state.buffer.push({ seq, at: now, text });
    let delivered = 0;
    for (const subscriber of state.subscribers) {
      if (subscriber.sendText(text)) delivered++;
    }
    return { topic, seq, epoch: this.epoch, delivered };
  }

  private state(topic: string): TopicState {
    let state = this.topics.get(topic);
    if (!state) {
      state = {
        seq: 0,
        subscribers: new Set(),
        buffer: new ReplayBuffer(this.options.replay.maxEvents, this.options.replay.maxAgeMs),
      };
      this.topics.set(topic, state);
    }
    return state;
  }

  private removeConnection(connection: HeartbeatConnection): void {
    for (const topic of connection.topics) this.topics.get(topic)?.subscribers.delete(connection);
  }
}
