import { describe, expect, it } from '@jest/globals';
import { loopbackAddresses, shares } from './fleet.js';

describe('shares', () => {
  it('splits a total into whole parts that differ by at most one', () => {
    expect(shares(10, 3)).toEqual([4, 3, 3]);
    expect(shares(2, 4)).toEqual([1, 1, 0, 0]);
  });
});

describe('loopbackAddresses', () => {
  it('gives distinct 127.77.x.y addresses, 250 per third octet, none ending in 0', () => {
    const addresses = loopbackAddresses(251);
    expect(addresses[0]).toBe('127.77.0.1');
    expect(addresses[249]).toBe('127.77.0.250');
    expect(addresses[250]).toBe('127.77.1.1');
    expect(new Set(addresses).size).toBe(251);
  });
});
