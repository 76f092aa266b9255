import type * as z from 'zod';
import { clientPongFrameSchema, eventFrameSchema, serverPingFrameSchema } from './frame-schemas.js';
import { type HotFrameCheck, clientPong, event, serverPing } from './hot-frames.js';

/** Values a field may hold after JSON.parse, at and around the limits the schemas set. */
const FIELD_VALUES: readonly unknown[] = [
  undefined,
  null,
  true,
  0,
  -0,
  1,
  -1,
  1.5,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  JSON.parse('1e400'), // Infinity: a JSON number too large for a double
  1_700_000_000_000.25,
  '',
  '7',
  'x'.repeat(64),
  'x'.repeat(65),
  'x'.repeat(128),
  'x'.repeat(129),
  'x'.repeat(200),
  'x'.repeat(201),
  [],
  {},
  { nested: [1, 'two'] },
];

/** Every frame that differs from `valid` in one field (absent or any of FIELD_VALUES), plus an unknown field. */
function variants(valid: Record<string, unknown>): Record<string, unknown>[] {
  const frames: Record<string, unknown>[] = [valid, { ...valid, extra: 1 }, { extra: 1, ...valid }];
  for (const field of Object.keys(valid)) {
    if (field === 'type') continue;
    const { [field]: _dropped, ...without } = valid;
    frames.push(without);
    for (const value of FIELD_VALUES) if (value !== undefined) frames.push({ ...valid, [field]: value });
  }
  return frames;
}

function expectAgreement(check: HotFrameCheck<unknown>, schema: z.ZodType, valid: Record<string, unknown>): number {
  let accepted = 0;
  for (const frame of variants(valid)) {
    const fromSchema = schema.safeParse(frame);
    const fromCheck = check(frame);
    const described = JSON.stringify(frame).slice(0, 120);
    // The same verdict, and the same frame to the key order (what an encoder would write back).
    expect([described, fromCheck !== undefined]).toEqual([described, fromSchema.success]);
    if (fromCheck !== undefined) {
      expect(Object.keys(fromCheck as object)).toEqual(Object.keys(fromSchema.data as object));
      expect(fromCheck).toEqual(fromSchema.data);
      accepted++;
    }
  }
  return accepted;
}

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
