import { expect } from '@jest/globals';
import type * as z from 'zod';

/** Values a field may hold after JSON.parse, at and around the limits the schemas set. */
const FIELD_VALUES: readonly unknown[] = [
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

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every copy of `valid` with one field absent or replaced by one of FIELD_VALUES. */
function fieldVariants(valid: Record<string, unknown>, skip: readonly string[]): Record<string, unknown>[] {
  const frames: Record<string, unknown>[] = [];
  for (const field of Object.keys(valid)) {
    if (skip.includes(field)) continue;
    const { [field]: _dropped, ...without } = valid;
    frames.push(without);
    for (const value of FIELD_VALUES) frames.push({ ...valid, [field]: value });
  }
  return frames;
}

/**
 * Every frame that differs from `valid` in one field (absent or any of FIELD_VALUES), one field of
 * a nested object, or one field of an array's first object; plus unknown fields before and after.
 */
export function frameVariants(valid: Record<string, unknown>): Record<string, unknown>[] {
  const frames: Record<string, unknown>[] = [valid, { ...valid, extra: 1 }, { extra: 1, ...valid }, ...fieldVariants(valid, ['type'])];
  for (const [field, value] of Object.entries(valid)) {
    if (isPlainObject(value)) {
      for (const inner of [...fieldVariants(value, []), { ...value, extra: 1 }]) frames.push({ ...valid, [field]: inner });
    } else if (Array.isArray(value) && isPlainObject(value[0])) {
      for (const inner of fieldVariants(value[0], [])) frames.push({ ...valid, [field]: [inner, ...value.slice(1)] });
    }
  }
  return frames;
}

/**
 * Checks that `check` accepts `frame` exactly when `schema` does, and builds the same frame to the
 * key order (what an encoder would write back). Returns whether it accepted.
 */
export function expectSameVerdict(check: (frame: Record<string, unknown>) => unknown, schema: z.ZodType, frame: Record<string, unknown>): boolean {
  const fromSchema = schema.safeParse(frame);
  const fromCheck = check(frame);
  const described = JSON.stringify(frame).slice(0, 160);
  expect([described, fromCheck !== undefined]).toEqual([described, fromSchema.success]);
  if (fromCheck !== undefined) expect(JSON.stringify(fromCheck)).toEqual(JSON.stringify(fromSchema.data));
  return fromCheck !== undefined;
}

/** expectSameVerdict for every variant of `valid` (frameVariants). Returns how many it accepted. */
export function expectAgreement(check: (frame: Record<string, unknown>) => unknown, schema: z.ZodType, valid: Record<string, unknown>): number {
  return frameVariants(valid).filter((frame) => expectSameVerdict(check, schema, frame)).length;
}
