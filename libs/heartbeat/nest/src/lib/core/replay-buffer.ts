import { isComplete, type TopicHistory } from './backplane.js';

/** One published event, kept encoded so that a replay costs no serialization. */
export interface BufferedEvent {
  seq: number;
  at: number;
  text: string;
}

/** Result of asking the buffer for everything after a sequence number. */
export interface ReplaySlice {
  events: readonly BufferedEvent[];
  /** False when events after `since` were already evicted (by count or age), or `since` is above the head: the gap cannot be filled. */
  complete: boolean;
}

/**
 * The last events of one topic, bounded by count and age. Events arrive with consecutive `seq`
 * values, so the buffer is a window `[firstSeq, lastSeq]` over a ring of slots.
 */
export class ReplayBuffer {
  private readonly ring: (BufferedEvent | undefined)[];
  private start = 0;
  private length = 0;

  constructor(
    private readonly maxEvents: number,
    private readonly maxAgeMs: number,
  ) {
    // Grows as events arrive: most topics never fill their buffer.
    this.ring = [];
  }

  get size(): number {
    return this.length;
  }

  push(event: BufferedEvent): void {
    if (this.maxEvents === 0) return;
    if (this.length === this.maxEvents) this.dropOldest();
    this.ring[(this.start + this.length) % this.maxEvents] = event;
    this.length++;
  }

  /** Events with `seq > since`, oldest first. `head` is the topic's current sequence number. */
  since(since: number, head: number, now: number): ReplaySlice {
    this.evictExpired(now);
    const events: BufferedEvent[] = [];
    if (since < head) {
      for (let i = 0; i < this.length; i++) {
        const event = this.at(i);
        if (event && event.seq > since) events.push(event);
      }
    }
    return { events, complete: isComplete(since, head, events) };
  }

  /** A backplane's answer to a read `since` from this buffer: the head, the events after `since` (of `topic`, in `epoch`), whether they are all there. */
  history(topic: string, epoch: string, head: number, since: number | undefined, now: number): TopicHistory {
    if (since === undefined) return { epoch, seq: head, events: [], complete: true };
    const slice = this.since(since, head, now);
    return { epoch, seq: head, events: slice.events.map((event) => ({ topic, seq: event.seq, epoch, text: event.text })), complete: slice.complete };
  }

  private at(index: number): BufferedEvent | undefined {
    return index < this.length ? this.ring[(this.start + index) % this.maxEvents] : undefined;
  }

  private evictExpired(now: number): void {
    let oldest = this.at(0);
    while (oldest !== undefined && now - oldest.at > this.maxAgeMs) {
      this.dropOldest();
      oldest = this.at(0);
    }
  }

  private dropOldest(): void {
    this.ring[this.start] = undefined;
    this.start = (this.start + 1) % this.maxEvents;
    this.length--;
  }
}
