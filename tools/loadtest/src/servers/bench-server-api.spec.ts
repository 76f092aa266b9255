import { describe, expect, it } from '@jest/globals';
import { benchServerEnv } from './bench-server-api.js';

describe('benchServerEnv', () => {
  it('reads the port and the ping interval the benchmark sets', () => {
    expect(benchServerEnv({ BENCH_PORT: '3000', BENCH_PING_INTERVAL_MS: '1000' })).toEqual({ port: 3000, pingInterval: 1000 });
  });

  it("leaves the ping interval undefined, the server's own default, when the benchmark sets none", () => {
    expect(benchServerEnv({ BENCH_PORT: '3000' })).toEqual({ port: 3000, pingInterval: undefined });
  });

  it('refuses a missing port or an interval that is not a positive number', () => {
    expect(() => benchServerEnv({})).toThrow('BENCH_PORT must be a port number');
    expect(() => benchServerEnv({ BENCH_PORT: '3000', BENCH_PING_INTERVAL_MS: '0' })).toThrow('a positive number of milliseconds');
  });
});
