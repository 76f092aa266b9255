import { jest } from '@jest/globals';
import { config } from 'rxjs';
import { SampleStream } from './sample-stream.js';

describe('SampleStream', () => {
  describe('#next', () => {
    it('delivers each value to every subscriber, in the order they subscribed', () => {
      const stream = new SampleStream<number>();
      const seen: string[] = [];
      stream.observable.subscribe((value) => seen.push(`a${value}`));
      stream.observable.subscribe((value) => seen.push(`b${value}`));
      stream.next(1);
      stream.next(2);
      expect(seen).toEqual(['a1', 'b1', 'a2', 'b2']);
    });

    it('stops delivering to a subscriber once it unsubscribed, also when it leaves during a delivery', () => {
      const stream = new SampleStream<number>();
      const seen: string[] = [];
      const first = stream.observable.subscribe((value) => {
        seen.push(`a${value}`);
        first.unsubscribe();
      });
      stream.observable.subscribe((value) => seen.push(`b${value}`));
      stream.next(1);
      stream.next(2);
      expect(seen).toEqual(['a1', 'b1', 'b2']);
    });

    it('keeps delivering to the others when one observer throws, and reports the error as rxjs does', () => {
      const reported: unknown[] = [];
      const previous = config.onUnhandledError;
      config.onUnhandledError = (error) => reported.push(error);
      jest.useFakeTimers();
      try {
        const stream = new SampleStream<number>();
        const seen: number[] = [];
        stream.observable.subscribe(() => {
          throw new Error('observer failed');
        });
        stream.observable.subscribe((value) => seen.push(value));
        stream.next(7);
        expect(seen).toEqual([7]);
        // rxjs reports an observer's error on a timer, never to the emitter.
        expect(reported).toEqual([]);
        jest.runOnlyPendingTimers();
        expect(reported).toEqual([new Error('observer failed')]);
      } finally {
        jest.useRealTimers();
        config.onUnhandledError = previous;
      }
    });
  });

  describe('#observed', () => {
    it('is true only while someone subscribes', () => {
      const stream = new SampleStream<number>();
      expect(stream.observed).toBe(false);
      const subscription = stream.observable.subscribe(() => undefined);
      expect(stream.observed).toBe(true);
      subscription.unsubscribe();
      expect(stream.observed).toBe(false);
    });
  });
});
