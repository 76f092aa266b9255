import { describe, expect, it } from '@jest/globals';
import { type HeapProfileNode, summarizeHeapProfile } from './heap-profile.js';

const node = (functionName: string, url: string, selfSize: number, children: HeapProfileNode[] = []): HeapProfileNode => ({
  callFrame: { functionName, url, lineNumber: 0 },
  selfSize,
  children,
});

describe('summarizeHeapProfile', () => {
  const profile = {
    head: node('(root)', '', 0, [
      node('onConnection', 'file:///r/libs/heartbeat/nest/dist/lib/gateway.js', 600, [node('', 'file:///r/node_modules/rxjs/x.js', 150)]),
      node('onConnection', 'file:///r/libs/heartbeat/nest/dist/lib/gateway.js', 200),
      node('parse', 'file:///r/node_modules/ws/receiver.js', 50),
    ]),
  };

  it('adds up what each site holds, across the call paths that reach it, largest first', () => {
    const summary = summarizeHeapProfile(profile);
    expect(summary.totalBytes).toBe(1_000);
    expect(summary.rows[0]).toEqual({ name: 'onConnection', location: 'libs/heartbeat/nest/dist/lib/gateway.js:1', bytes: 800, share: 0.8 });
    expect(summary.rows.map((row) => row.name)).toEqual(['onConnection', '(anonymous)', 'parse']);
  });

  it('keeps only the top rows', () => {
    expect(summarizeHeapProfile(profile, 1).rows).toHaveLength(1);
  });
});
