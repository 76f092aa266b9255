import { MAX_INTERNED_ADDRESSES, internAddress } from './interned-addresses.js';

/** The same text as a string of its own, as each socket reports it. */
const fresh = (text: string) => [...text].join('');

describe('internAddress', () => {
  it('gives the first copy of an address for every later one', () => {
    const first = internAddress(fresh('10.9.8.7'));
    expect(internAddress(fresh('10.9.8.7'))).toBe(first);
    expect(internAddress('10.9.8.6')).toBe('10.9.8.6');
  });

  it('keeps at most MAX_INTERNED_ADDRESSES, and still answers with the address after that', () => {
    for (let i = 0; i <= MAX_INTERNED_ADDRESSES; i++) expect(internAddress(`10.1.${i >> 8}.${i & 255}`)).toBe(`10.1.${i >> 8}.${i & 255}`);
    expect(internAddress(fresh('10.9.8.7'))).toBe('10.9.8.7');
  });
});
