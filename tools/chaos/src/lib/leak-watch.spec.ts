import type { ServerFrame } from '@heartbeat/protocol';
import { describe, expect, it } from '@jest/globals';
import { leaksIn, mayRead } from './leak-watch.js';

describe('mayRead', () => {
  it('lets only alice read user.alice and notes#alice', () => {
    expect(mayRead('alice', 'user.alice')).toBe(true);
    expect(mayRead('bob', 'user.alice')).toBe(false);
    expect(mayRead(undefined, 'user.alice')).toBe(false);
    expect(mayRead('alice', 'notes#alice')).toBe(true);
    expect(mayRead('bob', 'notes#alice')).toBe(false);
    expect(mayRead('alice', 'user.alice.x')).toBe(false);
  });

  it('lets anyone read the shared topics', () => {
    expect(mayRead(undefined, 'alerts')).toBe(true);
    expect(mayRead('bob', 'alerts.acks')).toBe(true);
  });
});

describe('leaksIn', () => {
  it('names each content frame of a topic the user may not read, and ignores errors and unsubscribed', () => {
    const frames = [
      { type: 'subscribed', topic: 'user.alice', epoch: 'e', seq: 0, recovered: true, replayed: 0 },
      { type: 'event', topic: 'user.alice', epoch: 'e', seq: 1, data: {}, timestamp: '' },
      { type: 'join', topic: 'user.alice', member: { user_id: 'alice', connections: 1, since: 1 } },
      { type: 'event', topic: 'alerts', epoch: 'e', seq: 1, data: {}, timestamp: '' },
      { type: 'error', code: 'forbidden', message: 'no', ref: 'user.alice' },
      { type: 'unsubscribed', topic: 'user.alice', reason: 'forbidden' },
    ] as ServerFrame[];
    expect(leaksIn('c-1', 'bob', frames).map((leak) => leak.type)).toEqual(['subscribed', 'event', 'join']);
    expect(leaksIn('c-2', 'alice', frames)).toEqual([]);
  });
});
