import { randomId } from './random-id.js';

describe('randomId', () => {
  it('is 22 base64url characters (128 random bits), different each time', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => randomId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('decodes to 16 bytes whose bits vary over many ids (not a counter or a clock)', () => {
    const ids = Array.from({ length: 256 }, () => Buffer.from(randomId(), 'base64url'));
    for (const id of ids) expect(id).toHaveLength(16);
    // Every bit position is 1 in some ids and 0 in others: the chance that a random bit is the same in
    // 256 ids is 2^-255, once per position.
    for (let bit = 0; bit < 128; bit++) {
      const ones = ids.filter((id) => (id[bit >> 3] >> (7 - (bit & 7))) & 1).length;
      expect([bit, ones > 0 && ones < ids.length]).toEqual([bit, true]);
    }
  });
});
