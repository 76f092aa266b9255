import { describe, expect, it } from '@jest/globals';
import type { PageStats } from './page/page-stats.js';
import { hiddenTabTable, type Metrics, perMinuteTable, pickMetrics, ratioText, runProblems, type TabFigures, type TabKind, tabFigures, type TabRun } from './hidden-tab-report.js';

const REPORTED = [
  { name: 'Timestamp', value: 1 },
  { name: 'ScriptDuration', value: 0.5 },
  { name: 'TaskDuration', value: 1 },
  { name: 'ThreadTime', value: 1.5 },
  { name: 'ProcessTime', value: 2 },
  { name: 'JSHeapUsedSize', value: 1_000_000 },
  { name: 'JSHeapTotalSize', value: 2_000_000 },
];

function metrics(scriptSeconds: number, heapTotal = 2_048_000): Metrics {
  return { ScriptDuration: scriptSeconds, TaskDuration: scriptSeconds * 2, ThreadTime: scriptSeconds * 3, ProcessTime: scriptSeconds * 4, JSHeapUsedSize: 1_000_000, JSHeapTotalSize: heapTotal };
}

const STATS: PageStats = { connected: true, connects: 1, drops: 0, events: 6, clientPings: 4, clientPongs: 4, serverPings: 5, lastPingAt: 990_000, lastPongAt: 980_000 };

/** A tab read at 0, 1 and 1.5 minutes, `scriptMs` of script in each interval. */
function run(kind: TabKind, scriptMs: [number, number], stats: PageStats | null): TabRun {
  return {
    kind,
    samples: [
      { atMs: 0, metrics: metrics(1) },
      { atMs: 60_000, metrics: metrics(1 + scriptMs[0] / 1000) },
      { atMs: 90_000, metrics: metrics(1 + (scriptMs[0] + scriptMs[1]) / 1000, 4_096_000) },
    ],
    heapAfterGcBytes: { start: 1_024_000, end: 1_126_400 },
    stats,
    statsAt: 1_000_000,
  };
}

function figures(): Record<TabKind, TabFigures> {
  return {
    heartbeat: tabFigures(run('heartbeat', [30, 15], STATS)),
    socketio: tabFigures(run('socketio', [20, 10], { ...STATS, clientPings: 0, clientPongs: 0, lastPingAt: null, lastPongAt: null })),
    empty: tabFigures(run('empty', [10, 5], null)),
  };
}

describe('pickMetrics', () => {
  it('keeps the metrics the measurement reads', () => {
    expect(pickMetrics(REPORTED)).toEqual({ ScriptDuration: 0.5, TaskDuration: 1, ThreadTime: 1.5, ProcessTime: 2, JSHeapUsedSize: 1_000_000, JSHeapTotalSize: 2_000_000 });
  });

  it('names a metric Chromium did not report', () => {
    expect(() => pickMetrics(REPORTED.filter((metric) => metric.name !== 'ThreadTime'))).toThrow('Chromium reported no ThreadTime');
  });
});

describe('tabFigures', () => {
  it('turns the seconds between the first and the last sample into ms over the window', () => {
    expect(tabFigures(run('heartbeat', [30, 15], STATS))).toMatchObject({ windowMs: 90_000, taskMs: expect.closeTo(90, 6), threadMs: expect.closeTo(135, 6), processMs: expect.closeTo(180, 6) });
  });

  it('keeps the script time of each interval between samples', () => {
    const { intervals } = tabFigures(run('heartbeat', [30, 15], STATS));
    expect(intervals.map((interval) => [interval.fromMs, interval.toMs, Number(interval.scriptMs.toFixed(6))])).toEqual([
      [0, 60_000, 30],
      [60_000, 90_000, 15],
    ]);
  });

  it('takes the heap after GC and the total heap of the last sample', () => {
    expect(tabFigures(run('empty', [1, 1], null))).toMatchObject({ heapStartBytes: 1_024_000, heapEndBytes: 1_126_400, heapTotalEndBytes: 4_096_000 });
  });

  it('refuses a tab read only once', () => {
    expect(() => tabFigures({ ...run('empty', [1, 1], null), samples: [{ atMs: 0, metrics: metrics(1) }] })).toThrow('fewer than two metric samples');
  });
});

describe('ratioText', () => {
  it('divides with two decimals', () => {
    expect(ratioText(3, 2)).toBe('1.50 ×');
  });

  it('gives a dash for a divisor that is not above zero', () => {
    expect([ratioText(3, 0), ratioText(3, -1), ratioText(null, 2)]).toEqual(['—', '—', '—']);
  });
});

describe('hiddenTabTable', () => {
  const rows = new Map(hiddenTabTable(figures(), 6).rows.map((row) => [row[0], row.slice(1)]));

  it('puts the tabs side by side with the ratio of Heartbeat to socket.io-client, as measured and above the empty tab', () => {
    expect(rows.get('script time over the window, ms')).toEqual(['45.0', '30.0', '15.0', '1.50 ×', '2.00 ×']);
  });

  it('gives script time per minute of the window and in its busiest interval', () => {
    expect(rows.get('script time per minute, ms')).toEqual(['30.00', '20.00', '10.00', '1.50 ×', '2.00 ×']);
    expect(rows.get('script time in the busiest minute, ms')).toEqual(['30.0', '20.0', '10.0', '1.50 ×', '2.00 ×']);
  });

  it('gives the heap growth in kB', () => {
    expect(rows.get('JS heap used, growth over the window, kB')?.slice(0, 3)).toEqual(['100.0', '100.0', '100.0']);
  });

  it("gives the clients' counts, and a dash for the empty tab", () => {
    expect(rows.get('events received / published')?.slice(0, 3)).toEqual(['6 / 6', '6 / 6', '—']);
    expect(rows.get('connections opened / lost')?.slice(0, 3)).toEqual(['1 / 0', '1 / 0', '—']);
    expect(rows.get("heartbeat frames the client sent: its pings + pongs to the server's")?.slice(0, 2)).toEqual(['4 + 5', '0 + 5']);
    expect(rows.get("the client's last ping / pong, before the end")?.slice(0, 2)).toEqual(['10 s / 20 s', 'sends none']);
  });
});

describe('perMinuteTable', () => {
  it('gives the script time of each interval per tab', () => {
    const table = perMinuteTable(figures());
    expect(table.columns.map((column) => column.header)).toEqual(['minutes', 'Heartbeat', 'socket.io-client', 'empty tab']);
    expect(table.rows).toEqual([
      ['0–1', '30.0', '20.0', '10.0'],
      ['1–1.5', '15.0', '10.0', '5.0'],
    ]);
  });
});

describe('runProblems', () => {
  it('finds nothing when both clients stayed connected and received every event', () => {
    expect(runProblems(figures(), 6)).toEqual([]);
  });

  it('names a client that lost its connection or missed events', () => {
    const all = figures();
    const dropped = { ...all, socketio: { ...all.socketio, stats: { ...STATS, connects: 2, drops: 1, events: 5 } } };
    expect(runProblems(dropped, 6)).toEqual([
      'The socket.io-client client did not stay connected (opened 2, lost 1, connected at the end: true): its figures include reconnects.',
      'The socket.io-client client received 5 of the 6 events published.',
    ]);
  });

  it('names a client tab whose page script did not run', () => {
    const all = figures();
    expect(runProblems({ ...all, heartbeat: { ...all.heartbeat, stats: null } }, 6)).toEqual([expect.stringContaining('The Heartbeat tab reported no counts')]);
  });
});
