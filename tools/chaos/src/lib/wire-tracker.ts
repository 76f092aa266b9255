import type { SubscribedRecord, WireReport } from './ipc.js';
import { SeqTracker } from './seq-tracker.js';

interface TopicFrame {
  type: string;
  topic?: string;
  epoch?: string;
  seq?: number;
  recovered?: boolean;
  replayed?: number;
}

/**
 * Checks one client's topic as its frames reach the socket, before the client drops duplicates:
 * what the server sent, each event once and in order, and every `subscribed` it was told.
 */
export class WireTracker {
  private readonly track = new SeqTracker();
  private readonly subscribed: SubscribedRecord[] = [];
  /** The current connection was already told about the topic (its first `subscribed` answers the client's subscribe). */
  private told = false;

  constructor(private readonly topic: string) {}

  /** A new connection: its first `subscribed` is the answer to the client's own subscribe. */
  connected(): void {
    this.told = false;
  }

  frame(text: string): void {
    let frame: TopicFrame;
    try {
      frame = JSON.parse(text) as TopicFrame;
    } catch {
      // Not JSON: the client reports it as a protocol error; nothing of the topic to check here.
      return;
    }
    if (frame.topic !== this.topic || frame.epoch === undefined || frame.seq === undefined) return;
    if (frame.type === 'event') {
      this.track.event(frame.epoch, frame.seq);
    } else if (frame.type === 'subscribed') {
      this.subscribed.push({
        at: Date.now(),
        epoch: frame.epoch,
        seq: frame.seq,
        recovered: frame.recovered === true,
        replayed: frame.replayed ?? 0,
        inBand: this.told,
      });
      this.told = true;
      if (frame.recovered !== true) this.track.gap(frame.epoch);
    }
  }

  toJSON(): WireReport {
    return { subscribed: this.subscribed, epochs: this.track.toJSON() };
  }
}
