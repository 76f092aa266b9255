import { clientPongFrameSchema } from './frame-schemas.js';
import { expectAgreement } from '../testing/frame-parity.js';
import { clientPong } from './hot-frames.js';

describe('hot frame checks', () => {
  describe('clientPong', () => {
    it('accepts exactly what clientPongFrameSchema accepts and builds the same frame', () => {
      const valid = { type: 'pong', timestamp: '2026-11-24T04:00:00.000Z', client_time: 1_795_000_000_000, sequence: 12, ping_count: 12 };
      expect(expectAgreement(clientPong, clientPongFrameSchema, valid)).toBeGreaterThan(10);
    });
  });
});
