import { clientPongFrameSchema, helloFrameSchema } from './frame-schemas.js';
import { expectAgreement } from '../testing/frame-parity.js';
import { clientHello, clientPong } from './hot-frames.js';

describe('hot frame checks', () => {
  describe('clientPong', () => {
    it('accepts exactly what clientPongFrameSchema accepts and builds the same frame', () => {
      const valid = { type: 'pong', timestamp: '2026-11-24T04:00:00.000Z', client_time: 1_795_000_000_000, sequence: 12, ping_count: 12 };
      expect(expectAgreement(clientPong, clientPongFrameSchema, valid)).toBeGreaterThan(10);
    });
  });

  describe('clientHello', () => {
    const full = {
      type: 'hello',
      token: 'token-1',
      session_id: 'session-1',
      positions: { alerts: 12, 'alerts.eu': 0 },
      subscribe: ['news', 'x'.repeat(200)],
      client: { name: 'app', version: '1.2.3' },
    };

    it('accepts exactly what helloFrameSchema accepts and builds the same frame, for a hello with every field', () => {
      expect(expectAgreement(clientHello, helloFrameSchema, full)).toBeGreaterThan(30);
    });

    it('accepts exactly what helloFrameSchema accepts for a first connection\'s hello (no session, no positions)', () => {
      expect(expectAgreement(clientHello, helloFrameSchema, { type: 'hello', subscribe: ['alerts'] })).toBeGreaterThan(3);
    });

    it('agrees with helloFrameSchema on topic lists and positions of every kind', () => {
      const lists: unknown[] = [[], [''], ['x'.repeat(201)], ['ok', 7], ['ok', null], [['nested']], Array.from({ length: 50 }, (_, i) => `t${i}`)];
      const positions: unknown[] = [{}, { '': 1 }, { ['x'.repeat(201)]: 1 }, { a: -1 }, { a: 1.5 }, { a: '1' }, { 7: 3 }, JSON.parse('{"__proto__": 1}'), JSON.parse('{"a": 1, "__proto__": {"b": 2}}')];
      const frames = [...lists.map((subscribe) => ({ type: 'hello', subscribe })), ...positions.map((p) => ({ type: 'hello', positions: p }))];
      for (const frame of frames) {
        const fromSchema = helloFrameSchema.safeParse(frame);
        const fromCheck = clientHello(frame);
        // The same verdicts, but for a `__proto__` key, which the check leaves to the schema.
        if (fromCheck !== undefined) expect(JSON.stringify(fromCheck)).toEqual(JSON.stringify(fromSchema.data));
        else if (!JSON.stringify(frame).includes('__proto__')) expect([JSON.stringify(frame), fromSchema.success]).toEqual([JSON.stringify(frame), false]);
      }
    });
  });
});
