import { describe, expect, it } from '@jest/globals';
import { loopbackAddresses, shares, workerLoads } from './fleet.js';

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

describe('workerLoads', () => {
  it('gives every worker a share of the connections against one server', () => {
    expect(workerLoads(10, 3, ['a'])).toEqual([
      { url: 'a', count: 4 },
      { url: 'a', count: 3 },
      { url: 'a', count: 3 },
    ]);
  });

  it('splits the connections half and half over two servers, each with workers of its own', () => {
    const loads = workerLoads(1_001, 4, ['a', 'b']);
    expect(loads).toEqual([
      { url: 'a', count: 251 },
      { url: 'a', count: 250 },
      { url: 'b', count: 250 },
      { url: 'b', count: 250 },
    ]);
  });

  it('rounds the workers up to a multiple of the servers, so that each server gets as many', () => {
    expect(workerLoads(10, 3, ['a', 'b']).map((load) => load.url)).toEqual(['a', 'a', 'b', 'b']);
    expect(workerLoads(10, 1, ['a', 'b'])).toEqual([
      { url: 'a', count: 5 },
      { url: 'b', count: 5 },
    ]);
  });

  it('leaves out workers with nothing to open', () => {
    expect(workerLoads(1, 4, ['a', 'b'])).toEqual([{ url: 'a', count: 1 }]);
    expect(workerLoads(2, 8, ['a'])).toEqual([
      { url: 'a', count: 1 },
      { url: 'a', count: 1 },
    ]);
  });
});
