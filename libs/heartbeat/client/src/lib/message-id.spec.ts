import { clientIdPrefix, randomIdPrefix } from './message-id.js';

describe('randomIdPrefix', () => {
  it('gives 16 hex digits from crypto.getRandomValues', () => {
    const source = {
      getRandomValues: (array: Uint32Array) => {
        array.set([0xdeadbeef, 0x1]);
        return array;
      },
    };

    expect(randomIdPrefix(source)).toBe('deadbeef00000001');
  });

  it('differs between calls with the real crypto', () => {
    const prefixes = new Set(Array.from({ length: 100 }, () => randomIdPrefix()));

    expect(prefixes.size).toBe(100);
    for (const prefix of prefixes) expect(prefix).toMatch(/^[0-9a-f]{16}$/);
  });

  it('falls back to Math.random where there is no crypto', () => {
    expect(randomIdPrefix(undefined)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('clientIdPrefix', () => {
  it('gives the features of one client the same prefix, and another client its own', () => {
    const host = {};
    const other = {};

    expect(clientIdPrefix(host)).toMatch(/^[0-9a-f]{16}$/);
    expect(clientIdPrefix(host)).toBe(clientIdPrefix(host));
    expect(clientIdPrefix(other)).not.toBe(clientIdPrefix(host));
  });
});
