import { describe, expect, it } from '@jest/globals';
import { parseNetstat } from './kernel-counters.js';

describe('parseNetstat', () => {
  it('pairs each header line with the value line under it, prefixed by its group', () => {
    const text = ['TcpExt: SyncookiesSent ListenOverflows ListenDrops', 'TcpExt: 3 120 121', 'IpExt: InNoRoutes', 'IpExt: 0', ''].join('\n');
    expect(parseNetstat(text)).toEqual({ 'TcpExt.SyncookiesSent': 3, 'TcpExt.ListenOverflows': 120, 'TcpExt.ListenDrops': 121, 'IpExt.InNoRoutes': 0 });
  });
});
