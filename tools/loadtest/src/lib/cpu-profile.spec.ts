import { describe, expect, it } from '@jest/globals';
import { type CpuProfile, shortLocation, summarizeProfile } from './cpu-profile.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)') },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('sendPing', 'file:///work/main/libs/heartbeat/nest/dist/lib/ping-scheduler.js', 41) },
    { id: 4, callFrame: frame('', 'file:///work/main/node_modules/ws/lib/sender.js', 9) },
    { id: 5, callFrame: frame('sendPing', 'file:///work/main/libs/heartbeat/nest/dist/lib/ping-scheduler.js', 41) },
  ],
  // Each sample lasts until the next: 3 → 4 ms, 4 → 2 ms, 2 → 4 ms, 5 → 2 ms, 3 → nothing (last).
  samples: [3, 4, 2, 5, 3],
  timeDeltas: [0, 4_000, 2_000, 4_000, 2_000],
};

describe('shortLocation', () => {
  it('keeps what follows node_modules/ or the repository folder, with a 1-based line', () => {
    expect(shortLocation('file:///work/main/node_modules/ws/lib/sender.js', 9)).toBe('ws/lib/sender.js:10');
    expect(shortLocation('file:///srv/x/libs/heartbeat/nest/dist/a.js', 0)).toBe('libs/heartbeat/nest/dist/a.js:1');
  });

  it('is empty for V8 entries without a script', () => {
    expect(shortLocation('', 0)).toBe('');
  });
});

describe('summarizeProfile', () => {
  const summary = summarizeProfile(PROFILE);

  it('adds up the time of every sample and of the idle ones', () => {
    expect(summary.totalMs).toBe(12);
    expect(summary.idleMs).toBe(4);
  });

  it('merges nodes of the same function and ranks by self time, as shares of the busy time', () => {
    expect(summary.rows).toEqual([
      { name: 'sendPing', location: 'libs/heartbeat/nest/dist/lib/ping-scheduler.js:42', selfMs: 6, share: 0.75 },
      { name: '(anonymous)', location: 'ws/lib/sender.js:10', selfMs: 2, share: 0.25 },
    ]);
  });

  it('keeps only the top rows', () => {
    expect(summarizeProfile(PROFILE, 1).rows).toHaveLength(1);
  });
});
