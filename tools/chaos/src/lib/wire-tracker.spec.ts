import { describe, expect, it } from '@jest/globals';
import { WireTracker } from './wire-tracker.js';

const subscribed = (epoch: string, seq: number, recovered = false, replayed = 0) =>
  JSON.stringify({ type: 'subscribed', topic: 'alerts', epoch, seq, recovered, replayed });
const event = (epoch: string, seq: number, topic = 'alerts') => JSON.stringify({ type: 'event', topic, epoch, seq, data: {}, timestamp: '' });

function tracker(...frames: string[]): WireTracker {
  const wire = new WireTracker('alerts');
  wire.connected();
  for (const frame of frames) wire.frame(frame);
  return wire;
}

describe('WireTracker', () => {
  describe('#frame', () => {
    it('takes the first subscribed of a connection as the answer to the client, a later one as told in-band', () => {
      const report = tracker(subscribed('e1', 4, true), event('e1', 5), subscribed('e2', 0)).toJSON();
      expect(report.subscribed.map((s) => [s.epoch, s.seq, s.inBand])).toEqual([
        ['e1', 4, false],
        ['e2', 0, true],
      ]);
    });

    it('counts an event that arrives twice as a duplicate', () => {
      const report = tracker(subscribed('e1', 0, true), event('e1', 1), event('e1', 2), event('e1', 2)).toJSON();
      expect(report.epochs['e1']).toMatchObject({ first: 1, last: 2, count: 2, duplicates: 1, missing: 0 });
    });

    it('counts a jump after a subscribed that was not recovered as told, and one without it as silent', () => {
      const told = tracker(subscribed('e1', 0, true), event('e1', 1), subscribed('e1', 9), event('e1', 10)).toJSON();
      expect(told.epochs['e1']).toMatchObject({ reportedSkipped: 8, missing: 0 });
      const silent = tracker(subscribed('e1', 0, true), event('e1', 1), event('e1', 10)).toJSON();
      expect(silent.epochs['e1']).toMatchObject({ reportedSkipped: 0, missing: 8 });
    });

    it('leaves out frames of other topics, frames without a position and text that is not JSON', () => {
      const report = tracker(event('e1', 1, 'other'), JSON.stringify({ type: 'ping', sequence: 1 }), 'not json {').toJSON();
      expect(report).toEqual({ subscribed: [], epochs: {} });
    });
  });

  describe('#connected', () => {
    it('makes the next subscribed the answer on the new connection again', () => {
      const wire = tracker(subscribed('e1', 0, true));
      wire.connected();
      wire.frame(subscribed('e2', 3));
      expect(wire.toJSON().subscribed.map((s) => s.inBand)).toEqual([false, false]);
    });
  });
});
