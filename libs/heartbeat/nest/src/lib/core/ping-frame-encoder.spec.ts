import { parseServerFrame } from '@heartbeat/protocol';
import { PingFrameEncoder } from './ping-frame-encoder.js';

describe('PingFrameEncoder', () => {
  describe('#encode', () => {
    it('writes a ping frame the protocol parses, with the tick timestamp, server time and sequence', () => {
      const encoder = new PingFrameEncoder();
      encoder.begin('2026-11-24T04:00:00.000Z', 1_795_000_000_000);
      const parsed = parseServerFrame(encoder.encode(42));
      expect(parsed).toEqual({
        ok: true,
        frame: { type: 'ping', timestamp: '2026-11-24T04:00:00.000Z', server_time: 1_795_000_000_000, sequence: 42 },
      });
    });

    it('writes the same text as JSON.stringify for sequences of every length, 0 and the largest safe integer included', () => {
      const encoder = new PingFrameEncoder();
      encoder.begin('2026-11-24T04:00:00.000Z', 1_795_000_000_123);
      for (const sequence of [0, 1, 9, 10, 99, 100, 12_345, 999_999_999, 1_000_000_000, Number.MAX_SAFE_INTEGER]) {
        const expected = JSON.stringify({ type: 'ping', timestamp: '2026-11-24T04:00:00.000Z', server_time: 1_795_000_000_123, sequence });
        expect(encoder.encode(sequence)).toBe(expected);
      }
    });

    it('uses the timestamp of the latest begin', () => {
      const encoder = new PingFrameEncoder();
      encoder.begin('2026-11-24T04:00:00.000Z', 1);
      const first = encoder.encode(1);
      encoder.begin('2026-11-24T04:00:01.000Z', 1_001);
      expect(JSON.parse(first).timestamp).toBe('2026-11-24T04:00:00.000Z');
      expect(JSON.parse(encoder.encode(2))).toMatchObject({ timestamp: '2026-11-24T04:00:01.000Z', server_time: 1_001, sequence: 2 });
    });
  });
});
