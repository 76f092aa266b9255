/** What one client received of one topic in one epoch, as its app saw it (after the client's dedup). */
export interface EpochTrack {
  /** First and last seq delivered. */
  first: number;
  /** When the first one was (epoch ms). */
  firstAt: number;
  last: number;
  /** Events delivered. */
  count: number;
  /** Seqs skipped without a `gap` event announcing it: silent loss. */
  missing: number;
  /** Seqs skipped right after a `gap` event (evicted from the replay buffer): loss the app was told about. */
  reportedSkipped: number;
  /** Events delivered at or below a seq already delivered: duplicates or reordering. */
  duplicates: number;
  /** First few silently missing ranges, for the failure message. */
  missingRanges: [number, number][];
}

/**
 * Checks a topic's event stream as it is delivered, without keeping every seq: each event must be
 * the previous one + 1 within its epoch, unless a `gap` event announced the jump.
 */
export class SeqTracker {
  readonly epochs = new Map<string, EpochTrack>();
  private readonly announced = new Set<string>();

  /** A `gap` event: the next jump in `epoch` is reported loss, not silent loss. */
  gap(epoch: string): void {
    this.announced.add(epoch);
  }

  event(epoch: string, seq: number): void {
    const track = this.epochs.get(epoch);
    if (!track) {
      this.epochs.set(epoch, { first: seq, firstAt: Date.now(), last: seq, count: 1, missing: 0, reportedSkipped: 0, duplicates: 0, missingRanges: [] });
      this.announced.delete(epoch);
      return;
    }
    if (seq <= track.last) {
      track.duplicates++;
      return;
    }
    if (seq > track.last + 1) {
      const skipped = seq - track.last - 1;
      if (this.announced.has(epoch)) {
        track.reportedSkipped += skipped;
      } else {
        track.missing += skipped;
        if (track.missingRanges.length < 5) track.missingRanges.push([track.last + 1, seq - 1]);
      }
    }
    this.announced.delete(epoch);
    track.last = seq;
    track.count++;
  }

  toJSON(): Record<string, EpochTrack> {
    return Object.fromEntries(this.epochs);
  }
}
