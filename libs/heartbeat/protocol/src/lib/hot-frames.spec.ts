import { clientPongFrameSchema, eventFrameSchema, serverPingFrameSchema } from './frame-schemas.js';
import { expectAgreement } from '../testing/frame-parity.js';
import { clientPong, event, serverPing } from './hot-frames.js';

describe('hot frame checks', () => {
  describe('clientPong', () => {
    it('accepts exactly what clientPongFrameSchema accepts and builds the same frame', () => {
      const valid = { type: 'pong', timestamp: '2026-11-24T04:00:00.000Z', client_time: 1_795_000_000_000, sequence: 12, ping_count: 12 };
      expect(expectAgreement(clientPong, clientPongFrameSchema, valid)).toBeGreaterThan(10);
    });
  });

  describe('serverPing', () => {
    it('accepts exactly what serverPingFrameSchema accepts and builds the same frame', () => {
      const valid = { type: 'ping', timestamp: '2026-11-24T04:00:00.000Z', server_time: 1_795_000_000_000, sequence: 3 };
      expect(expectAgreement(serverPing, serverPingFrameSchema, valid)).toBeGreaterThan(10);
    });
  });

  describe('event', () => {
    it('accepts exactly what eventFrameSchema accepts and builds the same frame, data untouched', () => {
      const data = { id: 'a-1', severity: 'high', tags: ['x'] };
      const valid = { type: 'event', topic: 'alerts', seq: 7, epoch: 'e-1', data, timestamp: '2026-11-24T04:00:00.000Z' };
      expect(expectAgreement(event, eventFrameSchema, valid)).toBeGreaterThan(10);
      expect(event(valid)?.data).toBe(data);
    });

    it('accepts any data value, null included, but not a frame without the data key', () => {
      const base = { type: 'event', topic: 'alerts', seq: 7, epoch: 'e-1', timestamp: '2026-11-24T04:00:00.000Z' };
      expect(event({ ...base, data: null })).toEqual({ ...base, data: null });
      expect(event(base)).toBeUndefined();
    });
  });
});
