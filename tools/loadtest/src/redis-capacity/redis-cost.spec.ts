import { describe, expect, it } from '@jest/globals';
import { costOf, redisCostTable } from './redis-cost.js';

describe('costOf', () => {
  it('divides the CPU beyond the idle rate, and the memory growth, by the operations', () => {
    const cost = costOf('publish', 1_000, { at: 0, cpuSeconds: 10, usedMemory: 1_000_000 }, { at: 2_000, cpuSeconds: 10.05, usedMemory: 1_300_000 }, 0.005 / 1_000);
    expect(cost.cpuSeconds).toBeCloseTo(0.04);
    expect(cost.cpuMicrosPerOperation).toBeCloseTo(40);
    expect(cost.operationsPerCore).toBe(25_000);
    expect(cost.bytesPerOperation).toBe(300);
  });

  it('never counts less than no CPU, and no operation as free', () => {
    const cost = costOf('close', 10, { at: 0, cpuSeconds: 1, usedMemory: 0 }, { at: 1_000, cpuSeconds: 1, usedMemory: 0 }, 0.001);
    expect([cost.cpuSeconds, cost.cpuMicrosPerOperation, cost.operationsPerCore]).toEqual([0, 0, Infinity]);
  });
});

describe('redisCostTable', () => {
  it('shows the idle phase as Redis CPU per second and the others per operation', () => {
    const idle = costOf('idle', 1, { at: 0, cpuSeconds: 0, usedMemory: 0 }, { at: 10_000, cpuSeconds: 0.02, usedMemory: 0 });
    const hello = costOf('hello', 100, { at: 0, cpuSeconds: 0, usedMemory: 0 }, { at: 1_000, cpuSeconds: 0.001, usedMemory: 25_000 });
    expect(redisCostTable([idle, hello]).rows).toEqual([
      ['idle (two nodes, no client): Redis CPU ms a second', '—', '2', '—', '—'],
      ['hello', '100', '10', '100,000', '250'],
    ]);
  });
});
