import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from './clock.js';
import { ConnectionRegistry } from './core/connection-registry.js';
import { HEARTBEAT_OPTIONS } from './heartbeat.constants.js';
import type { HeartbeatConnection } from './core/heartbeat-connection.js';
import type { ResolvedHeartbeatOptions } from './core/heartbeat-options.interface.js';
import { ReplayBuffer } from './replay-buffer.js';
import { type LocalTopic, type PublishResult, TopicBroker, type TopicSnapshot } from './topic-broker.js';

interface MemoryTopic extends LocalTopic {
  seq: number;
  readonly buffer: ReplayBuffer;
}

/**
 * Sequence numbers and replay buffers in this process's memory. The epoch changes with every
 * process start, so a client can tell that sequence numbers started over.
 */
@Injectable()
export class InMemoryTopicBroker extends TopicBroker<MemoryTopic> {
  readonly epoch = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

  constructor(
    @Inject(HEARTBEAT_OPTIONS) private readonly options: ResolvedHeartbeatOptions,
    registry: ConnectionRegistry,
    private readonly clock: Clock,
  ) {
    super(registry);
  }

  /** Current sequence number of a topic (0 before its first event). */
  head(topic: string): number {
    return this.topics.get(topic)?.seq ?? 0;
  }

  /** Synchronous: nothing else runs between the snapshot and the replay, so no live event can slip in. */
  subscribe(connection: HeartbeatConnection, topic: string, since: number | undefined): void {
    const state = this.state(topic);
    const alreadySubscribed = state.subscribers.has(connection);
    state.subscribers.add(connection);
    connection.addTopic(state.name);
    const wantsReplay = since !== undefined && !alreadySubscribed;
    const slice = wantsReplay
      ? since > state.seq
        ? { events: [], complete: false } // a position from a previous epoch
        : state.buffer.since(since, state.seq, this.clock.now())
      : { events: [], complete: true };
    const snapshot: TopicSnapshot = {
      epoch: this.epoch,
      seq: state.seq,
      recovered: slice.complete,
      events: slice.events.map((event) => event.text),
    };
    this.sendSnapshot(connection, topic, snapshot);
  }

  publish<T>(topic: string, data: T): PublishResult {
    const state = this.state(topic);
    const now = this.clock.now();
    const seq = state.seq + 1;
    // An event always has its `data` key (the protocol requires it): what JSON has no text for
    // (undefined, a function) goes out as null, as in Redis mode.
    const dataJson = JSON.stringify(data) ?? 'null';
    const text = `{"type":"event","topic":${JSON.stringify(topic)},"seq":${seq},"epoch":${JSON.stringify(this.epoch)},"data":${dataJson},"timestamp":"${new Date(now).toISOString()}"}`;
    // Only now that the event is encoded: data that cannot be (a BigInt, a cycle) must not burn a seq,
    // or every subscriber would see a gap that no replay can fill.
    state.seq = seq;
    state.buffer.push({ seq, at: now, text });
    return { topic, seq, epoch: this.epoch, delivered: this.deliver(state, text) };
  }

  private state(topic: string): MemoryTopic {
    let state = this.topics.get(topic);
    if (!state) {
      state = {
        name: topic,
        seq: 0,
        subscribers: new Set(),
        buffer: new ReplayBuffer(this.options.replay.maxEvents, this.options.replay.maxAgeMs),
      };
      this.topics.set(topic, state);
    }
    return state;
  }
}
