import { clientPongFrameSchema, helloFrameSchema } from './frame-schemas.js';
import { expectAgreement, expectSameVerdict } from '../testing/frame-parity.js';
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
      const positions: unknown[] = [{}, { '': 1 }, { ['x'.repeat(201)]: 1 }, { a: -1 }, { a: 1.5 }, { a: '1' }, { 7: 3 }, { a: 1, b: null }];
      const frames = [...lists.map((subscribe) => ({ type: 'hello', subscribe })), ...positions.map((p) => ({ type: 'hello', positions: p }))];
      for (const frame of frames) expectSameVerdict(clientHello, helloFrameSchema, frame);
    });

    it('leaves a `__proto__` position to the schema, whose copy of the positions does not keep it', () => {
      for (const positions of [JSON.parse('{"__proto__": 1}'), JSON.parse('{"a": 1, "__proto__": 2}')]) {
        expect(clientHello({ type: 'hello', positions })).toBeUndefined();
        const fromSchema = helloFrameSchema.safeParse({ type: 'hello', positions });
        if (fromSchema.success) expect(Object.hasOwn(fromSchema.data.positions ?? {}, '__proto__')).toBe(false);
      }
    });

    it('leaves to the schema a string over its limit in UTF-16 units but not in code points', () => {
      // 100 emoji: 200 units, 100 code points, against the 128 of MAX_ID_LENGTH.
      const emoji = '\u{1F493}'.repeat(100);
      for (const frame of [{ type: 'hello', session_id: emoji }, { type: 'hello', client: { name: emoji, version: '1' } }]) {
        expect(clientHello(frame)).toBeUndefined();
      }
    });
  });
});
