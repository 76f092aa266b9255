import { eventFrameParts, joinEventFrame } from '@heartbeat/protocol';
import { EMPTY, type Observable, Subject } from 'rxjs';
import {
  Backplane,
  type BackplaneEvent,
  type ClusterStatus,
  type ControlAnswers,
  type EventPosition,
  type LocalNode,
  type NodeReport,
  newEpoch,
  type TopicHistory,
} from './backplane.js';
import { ReplayBuffer } from './replay-buffer.js';

export interface MemoryBackplaneOptions {
  nodeId: string;
  replay: { maxEvents: number; maxAgeMs: number };
  clock: { now(): number };
}

interface MemoryTopic {
  seq: number;
  watched: boolean;
  readonly buffer: ReplayBuffer;
}

/**
 * One process is the whole cluster: sequence numbers and replay buffers in its memory, no other
 * node to ask. The epoch changes with every process start, so a client can tell that sequence
 * numbers started over (docs/server.md#topics-sequence-numbers-and-replay).
 */
export class MemoryBackplane extends Backplane {
  readonly epoch: string;
  readonly isUp = true;
  readonly ready$: Observable<void> = EMPTY;
  private readonly events = new Subject<BackplaneEvent>();
  readonly events$ = this.events.asObservable();
  private readonly topics = new Map<string, MemoryTopic>();
  private node: LocalNode | undefined;

  constructor(private readonly options: MemoryBackplaneOptions) {
    super();
    this.epoch = newEpoch(options.clock.now());
  }

  get nodeId(): string {
    return this.options.nodeId;
  }

  async start(node: LocalNode): Promise<void> {
    this.node = node;
  }

  async stop(): Promise<void> {
    this.events.complete();
  }

  async watch(topic: string): Promise<void> {
    this.topic(topic).watched = true;
  }

  /** Synchronous up to the promise: calls without `await` keep their order, and the event is out before it resolves. */
  append(topic: string, data: unknown): Promise<EventPosition> {
    const now = this.options.clock.now();
    let parts;
    try {
      parts = eventFrameParts(topic, data, new Date(now).toISOString());
    } catch (error) {
      return Promise.reject(error);
    }
    const state = this.topic(topic);
    const seq = ++state.seq;
    const text = joinEventFrame(parts, seq, this.epoch);
    state.buffer.push({ seq, at: now, text });
    if (state.watched) this.events.next({ topic, seq, epoch: this.epoch, text });
    return Promise.resolve({ seq, epoch: this.epoch });
  }

  async readSince(topic: string, since: number | undefined): Promise<TopicHistory> {
    const state = this.topic(topic);
    return state.buffer.history(topic, this.epoch, state.seq, since, this.options.clock.now());
  }

  async request(): Promise<ControlAnswers> {
    return { peers: [], replies: new Map() };
  }

  async nodes(): Promise<NodeReport[]> {
    return this.node ? [{ node_id: this.nodeId, reported_at: this.options.clock.now(), heartbeat_stats: this.node.totals() }] : [];
  }

  status(): ClusterStatus {
    return { mode: 'memory', nodeId: this.nodeId };
  }

  private topic(name: string): MemoryTopic {
    let state = this.topics.get(name);
    if (!state) {
      state = { seq: 0, watched: false, buffer: new ReplayBuffer(this.options.replay.maxEvents, this.options.replay.maxAgeMs) };
      this.topics.set(name, state);
    }
    return state;
  }
}
