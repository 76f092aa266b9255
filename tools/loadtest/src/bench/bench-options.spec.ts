import { describe, expect, it } from '@jest/globals';
import { benchSettings } from './bench-options.js';

describe('benchSettings', () => {
  it('measures 1,000, 10,000 and 19,000 connections on the three servers, on two monitor servers on the local Redis and on a Redis Cluster by default, into the docs', () => {
    expect(benchSettings([])).toMatchObject({
      sizes: [1_000, 10_000, 19_000],
      servers: ['monitor', 'ws', 'socketio', 'monitor-redis', 'monitor-cluster'],
      redisUrl: 'redis://127.0.0.1:6379',
      pingIntervalMs: 1_000,
      windowMs: 20_000,
      afterGcMs: 10_000,
      writeDocs: true,
    });
  });

  it('makes --smoke short and keeps it out of the docs', () => {
    expect(benchSettings(['--smoke'])).toMatchObject({ sizes: [200], settleMs: 1_000, afterGcMs: 1_000, windowMs: 3_000, processes: 2, writeDocs: false, smoke: true });
  });

  it('takes sizes, servers and windows', () => {
    expect(benchSettings(['--sizes=500', '--servers=monitor,ws', '--after-gc=2', '--window=4', '--no-docs'])).toMatchObject({
      sizes: [500],
      servers: ['monitor', 'ws'],
      afterGcMs: 2_000,
      windowMs: 4_000,
      writeDocs: false,
    });
  });

  it('takes the Redis of the two monitor servers', () => {
    expect(benchSettings(['--servers=monitor,monitor-redis', '--redis=redis://127.0.0.1:6380'])).toMatchObject({ servers: ['monitor', 'monitor-redis'], redisUrl: 'redis://127.0.0.1:6380' });
  });
});
