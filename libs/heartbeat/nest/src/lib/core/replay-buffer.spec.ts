import { type BufferedEvent, ReplayBuffer } from './replay-buffer.js';

const event = (seq: number, at = 0): BufferedEvent => ({ seq, at, text: `{"seq":${seq}}` });

/** Pushes events `from..to` (inclusive), all published at `at`. */
function fill(buffer: ReplayBuffer, from: number, to: number, at = 0): void {
  for (let seq = from; seq <= to; seq++) buffer.push(event(seq, at));
}

const seqs = (events: readonly BufferedEvent[]) => events.map((e) => e.seq);

describe('ReplayBuffer', () => {
  describe('#push', () => {
    it('keeps every event while below maxEvents', () => {
      const buffer = new ReplayBuffer(5, 60_000);
      fill(buffer, 1, 4);
      expect(buffer.size).toBe(4);
      expect(seqs(buffer.since(0, 4, 0).events)).toEqual([1, 2, 3, 4]);
    });

    it('keeps at most maxEvents, dropping the oldest', () => {
      const buffer = new ReplayBuffer(3, 60_000);
      fill(buffer, 1, 4);
      expect(buffer.size).toBe(3);
      expect(seqs(buffer.since(0, 4, 0).events)).toEqual([2, 3, 4]);
    });

    it('keeps the newest maxEvents in order after the ring wrapped several times', () => {
      const buffer = new ReplayBuffer(3, 60_000);
      fill(buffer, 1, 11);
      expect(buffer.size).toBe(3);
      expect(seqs(buffer.since(0, 11, 0).events)).toEqual([9, 10, 11]);
      expect(seqs(buffer.since(9, 11, 0).events)).toEqual([10, 11]);
    });

    it('keeps nothing when maxEvents is 0', () => {
      const buffer = new ReplayBuffer(0, 60_000);
      fill(buffer, 1, 3);
      expect(buffer.size).toBe(0);
      expect(buffer.since(0, 3, 0).events).toEqual([]);
    });
  });

  describe('#since', () => {
    it('returns the events after `since`, oldest first, as they were pushed', () => {
      const buffer = new ReplayBuffer(10, 60_000);
      const pushed = [event(1), event(2), event(3), event(4), event(5)];
      for (const e of pushed) buffer.push(e);
      const slice = buffer.since(2, 5, 0);
      expect(slice.events).toEqual([pushed[2], pushed[3], pushed[4]]);
      expect(slice.events[0]).toBe(pushed[2]);
      expect(slice.complete).toBe(true);
    });

    it('is complete when every event after `since` is still held', () => {
      const buffer = new ReplayBuffer(3, 60_000);
      fill(buffer, 1, 5); // holds 3, 4, 5
      expect(buffer.since(2, 5, 0)).toEqual({ events: [event(3), event(4), event(5)], complete: true });
      expect(buffer.since(4, 5, 0)).toEqual({ events: [event(5)], complete: true });
    });

    it('is incomplete when events after `since` were evicted by count, and returns what is left', () => {
      const buffer = new ReplayBuffer(3, 60_000);
      fill(buffer, 1, 5); // 1 and 2 evicted
      const slice = buffer.since(1, 5, 0);
      expect(slice.complete).toBe(false);
      expect(seqs(slice.events)).toEqual([3, 4, 5]);
      expect(buffer.since(0, 5, 0).complete).toBe(false);
    });

    it('evicts events older than maxAgeMs and reports the gap', () => {
      const buffer = new ReplayBuffer(100, 1_000);
      buffer.push(event(1, 0));
      buffer.push(event(2, 500));
      buffer.push(event(3, 1_500));
      const slice = buffer.since(0, 3, 1_600); // 1 and 2 are more than 1000 ms old
      expect(seqs(slice.events)).toEqual([3]);
      expect(slice.complete).toBe(false);
      expect(buffer.size).toBe(1);
    });

    it('keeps an event that is exactly maxAgeMs old', () => {
      const buffer = new ReplayBuffer(100, 1_000);
      buffer.push(event(1, 0));
      expect(buffer.since(0, 1, 1_000)).toEqual({ events: [event(1, 0)], complete: true });
      expect(buffer.since(0, 1, 1_001)).toEqual({ events: [], complete: false });
    });

    it('is complete after age eviction when the evicted events were already seen', () => {
      const buffer = new ReplayBuffer(100, 1_000);
      buffer.push(event(1, 0));
      buffer.push(event(2, 2_000));
      expect(buffer.since(1, 2, 2_500)).toEqual({ events: [event(2, 2_000)], complete: true });
    });

    it('is incomplete for an empty buffer when events after `since` exist', () => {
      const buffer = new ReplayBuffer(10, 60_000);
      expect(buffer.since(0, 3, 0)).toEqual({ events: [], complete: false });
    });

    it('is complete with no events when `since` is the head', () => {
      const buffer = new ReplayBuffer(10, 60_000);
      fill(buffer, 1, 3);
      expect(buffer.since(3, 3, 0)).toEqual({ events: [], complete: true });
    });

    it('is incomplete with no events when `since` is above the head (a position from another epoch)', () => {
      const buffer = new ReplayBuffer(10, 60_000);
      fill(buffer, 1, 3);
      expect(buffer.since(7, 3, 0)).toEqual({ events: [], complete: false });
    });

    it('is complete with no events for a topic that has none (head 0)', () => {
      expect(new ReplayBuffer(10, 60_000).since(0, 0, 0)).toEqual({ events: [], complete: true });
    });

    it('with maxEvents 0, is complete only when nothing was missed', () => {
      const buffer = new ReplayBuffer(0, 60_000);
      fill(buffer, 1, 3);
      expect(buffer.since(3, 3, 0)).toEqual({ events: [], complete: true });
      expect(buffer.since(2, 3, 0)).toEqual({ events: [], complete: false });
    });

    it('stays consistent when pushes and age evictions interleave across the ring', () => {
      const buffer = new ReplayBuffer(4, 100);
      for (let seq = 1; seq <= 20; seq++) {
        buffer.push(event(seq, seq * 10));
        const now = seq * 10;
        const slice = buffer.since(Math.max(0, seq - 2), seq, now);
        expect(seqs(slice.events)).toEqual(seq === 1 ? [1] : [seq - 1, seq]);
        expect(slice.complete).toBe(true);
      }
      // the count bound holds 17..20; at 285 ms, 17 and 18 are more than 100 ms old
      expect(seqs(buffer.since(0, 20, 200).events)).toEqual([17, 18, 19, 20]);
      expect(seqs(buffer.since(0, 20, 285).events)).toEqual([19, 20]);
      expect(buffer.since(17, 20, 285).complete).toBe(false);
      expect(buffer.since(18, 20, 285).complete).toBe(true);
    });
  });
});
