import { describe, expect, it } from '@jest/globals';
import type { BenchServerKind } from '../servers/bench-server-api.js';
import { benchFigures, benchTable } from './bench-report.js';
import type { RunResult } from './bench-run.js';
import type { TwoNodeResult } from './bench-two-nodes.js';

/** A run whose every figure is derived from `scale`, so a ratio between kinds is the ratio of their scales. */
function run(kind: BenchServerKind, connections: number, scale: number, restart: { allBackMs: number; failedHandshakes: number }): RunResult {
  const sample = { at: 0, rssBytes: 0, heapUsedBytes: 0, codeBytes: 0, cpuMicros: 0, heartbeats: 0, connections: 0, lag: { p50Ms: 0, p99Ms: 0, maxMs: 0 } };
  return {
    kind,
    connections,
    ramp: { ms: 1_000, listenOverflows: 0 },
    memory: { rssPerConnection: scale * 1024, heapPerConnection: scale * 1024, codePerConnection: scale * 512, warmupHeapKept: scale * 1024, started: sample, baseline: sample, loaded: sample },
    cpu: { cpuMs: 0, heartbeats: 0, windowMs: 0, msPer1000Heartbeats: scale, clientMs: 0, clientMsPer1000Heartbeats: scale * 2 },
    lag: { p50Ms: 0, p99Ms: scale, maxMs: 0 },
    fanout: { events: 1, deliveries: 1, ms: 1, messagesPerSecond: scale * 1000, publishMs: 0 },
    restart: { clients: connections, back: connections, allBackMs: restart.allBackMs, medianBackMs: 0, peakAcceptsPerSecond: 10, failedHandshakes: restart.failedHandshakes, failureReasons: {}, downMs: 0, listenOverflows: 0 },
  };
}

/** Two monitor servers on one Redis (or a Redis Cluster: `kind`) delivering `messagesPerSecond`. */
function twoNodes(connections: number, messagesPerSecond: number, kind: TwoNodeResult['kind'] = 'monitor-redis'): TwoNodeResult {
  return {
    kind,
    connections,
    nodeConnections: [connections / 2, connections / 2],
    ramp: { ms: 1_000, listenOverflows: 0 },
    fanout: { events: 1, deliveries: 1, ms: 1, messagesPerSecond, publishMs: 0 },
  };
}

const ok = { allBackMs: 4_000, failedHandshakes: 0 };
const TWO_NODE_ROW = 'fan-out, 2 nodes on one Redis (messages/s delivered)';
const CLUSTER_ROW = 'fan-out, 2 nodes on a 3-shard Redis Cluster (messages/s delivered)';
const figures = benchFigures(5_000);

describe('benchTable', () => {
  it('shows each figure per size with the ratios to ws and the target verdicts', () => {
    const { table, outcomes } = benchTable([run('monitor', 100, 1.2, ok), run('ws', 100, 1, ok), run('socketio', 100, 3, ok)], figures);
    const rss = table.rows[0];
    expect(rss).toEqual(['RSS per connection (KiB)', '100', '1.2', '1', '3', '1.2×', '3×', '≤ 1.0× ws', 'MISS']);
    expect(outcomes.find((o) => o.figure === 'CPU ms per 1,000 heartbeats')).toEqual({ figure: 'CPU ms per 1,000 heartbeats', connections: 100, met: true });
  });

  it("shows the clients' CPU per heartbeat beside the server's, with its ratios and no target", () => {
    const { table, outcomes } = benchTable([run('monitor', 100, 1.5, ok), run('ws', 100, 1, ok), run('socketio', 100, 3, ok)], figures);
    const clients = table.rows.find((row) => row[0].startsWith("clients' CPU"));
    expect(clients).toEqual(["clients' CPU ms per 1,000 heartbeats (all client processes)", '100', '3', '2', '6', '1.5×', '3×', '', '']);
    expect(outcomes.some((o) => o.figure.startsWith("clients' CPU"))).toBe(false);
  });

  it("shows the net growth of V8's code per connection in the row after the heap's, with its ratios and no target", () => {
    const { table, outcomes } = benchTable([run('monitor', 100, 1.2, ok), run('ws', 100, 1, ok), run('socketio', 100, 3, ok)], figures);
    const heap = table.rows.findIndex((row) => row[0] === 'heap per connection (KiB)');
    expect(table.rows[heap + 1]).toEqual(["of the heap per connection, net growth of V8's code (KiB)", '100', '0.6', '0.5', '1.5', '1.2×', '3×', '', '']);
    expect(outcomes.some((o) => o.figure.startsWith('of the heap'))).toBe(false);
  });

  it('holds the CPU to 1.2× ws and 0.65× Socket.IO', () => {
    const cpu = (socketIoScale: number) =>
      benchTable([run('monitor', 100, 1.2, ok), run('ws', 100, 1, ok), run('socketio', 100, socketIoScale, ok)], figures).outcomes.find(
        (o) => o.figure === 'CPU ms per 1,000 heartbeats',
      )?.met;
    expect([cpu(2), cpu(1.8)]).toEqual([true, false]);
  });

  it('wants the fan-out at 1.1× ws and at least level with Socket.IO', () => {
    const fanout = (monitorScale: number, socketIoScale: number) =>
      benchTable([run('monitor', 100, monitorScale, ok), run('ws', 100, 1, ok), run('socketio', 100, socketIoScale, ok)], figures).outcomes.find(
        (o) => o.figure === 'fan-out (messages/s delivered)',
      )?.met;
    expect([fanout(1.1, 1.1), fanout(1.05, 1), fanout(1.2, 1.3)]).toEqual([true, false, false]);
  });

  it('holds the ramp at the largest size to 1.2× ws and no more accept-queue overflows than ws', () => {
    const ramp = (kind: BenchServerKind, ms: number, listenOverflows: number): RunResult => ({ ...run(kind, 100, 1, ok), ramp: { ms, listenOverflows } });
    const verdicts = (monitor: RunResult) =>
      benchTable([monitor, ramp('ws', 1_000, 10)], figures).outcomes.filter((o) => o.figure.startsWith('ramp')).map((o) => o.met);
    expect(verdicts(ramp('monitor', 1_200, 10))).toEqual([true, true]);
    expect(verdicts(ramp('monitor', 1_300, 11))).toEqual([false, false]);
  });

  it('misses the lag target above 0.15× ws, and judges it at the largest size only', () => {
    const runs = [100, 200].flatMap((n) => [run('monitor', n, 1, ok), run('ws', n, 2, ok)]);
    const lagRows = benchTable(runs, figures).table.rows.filter((row) => row[0] === 'p99 event-loop lag (ms)');
    expect(lagRows.map((row) => [row[1], row[8]])).toEqual([
      ['100', ''],
      ['200', 'MISS'],
    ]);
  });

  it('says how many clients were back where not all came back', () => {
    const stuck = run('monitor', 100, 1, { allBackMs: Number.NaN, failedHandshakes: 0 });
    const { table } = benchTable([{ ...stuck, restart: { ...stuck.restart, back: 90 } }, run('ws', 100, 1, ok)], figures);
    expect(table.rows.find((row) => row[0] === 'restart: s until all back')?.slice(2, 6)).toEqual(['90 back', '4', 'not run', '—']);
  });

  it('holds the restart to maxReconnectInterval + 5 s and no failed handshake', () => {
    const slow = { allBackMs: 10_500, failedHandshakes: 2 };
    const { table, outcomes } = benchTable([run('monitor', 100, 1, slow), run('ws', 100, 1, ok)], figures);
    expect(table.rows.find((row) => row[0] === 'restart: s until all back')?.[7]).toBe('≤ 10 s (maxReconnectInterval + 5 s)');
    expect(outcomes.filter((o) => o.figure.startsWith('restart')).map((o) => o.met)).toEqual([false, false]);
  });

  it('says which servers were not run instead of judging without them', () => {
    const { table, outcomes } = benchTable([run('monitor', 100, 1, ok), run('ws', 100, 1, ok)], figures);
    const cpu = 'CPU ms per 1,000 heartbeats';
    expect(table.rows.find((row) => row[0] === cpu)?.slice(4)).toEqual(['not run', '1×', '—', '≤ 1.2× ws and ≤ 0.65× Socket.IO', 'not measured']);
    expect(outcomes.some((o) => o.figure === cpu)).toBe(false);
  });

  it('compares the fan-out of two nodes on one Redis with the single monitor server, at least 0.7×', () => {
    const runs = [run('monitor', 100, 10, ok), run('ws', 100, 10, ok), twoNodes(100, 8_000), run('monitor', 200, 10, ok), twoNodes(200, 6_000)];
    const { table, outcomes } = benchTable(runs, figures);
    expect(table.rows.filter((row) => row[0] === TWO_NODE_ROW)).toEqual([
      [TWO_NODE_ROW, '100', '8,000', '—', '—', '0.8× monitor (1 node)', '—', '≥ 0.7× monitor (1 node)', 'pass'],
      [TWO_NODE_ROW, '200', '6,000', '—', '—', '0.6× monitor (1 node)', '—', '≥ 0.7× monitor (1 node)', 'MISS'],
    ]);
    expect(outcomes.filter((o) => o.figure === TWO_NODE_ROW).map((o) => o.met)).toEqual([true, false]);
  });

  it('shows the fan-out of two nodes on a Redis Cluster in a row of its own, compared with the single monitor server, without a target', () => {
    const { table, outcomes } = benchTable([run('monitor', 100, 10, ok), twoNodes(100, 8_000), twoNodes(100, 9_000, 'monitor-cluster')], figures);
    expect(table.rows.filter((row) => row[0] === TWO_NODE_ROW || row[0] === CLUSTER_ROW).map((row) => row.slice(0, 6))).toEqual([
      [TWO_NODE_ROW, '100', '8,000', '—', '—', '0.8× monitor (1 node)'],
      [CLUSTER_ROW, '100', '9,000', '—', '—', '0.9× monitor (1 node)'],
    ]);
    expect(outcomes.some((o) => o.figure === CLUSTER_ROW)).toBe(false);
  });

  it('reads only the fan-out of the two nodes, and leaves their row unjudged where they were not run', () => {
    const { table, outcomes } = benchTable([run('monitor', 100, 1, ok), run('ws', 100, 1, ok), twoNodes(100, 500)], figures);
    expect(table.rows.find((row) => row[0] === 'RSS per connection (KiB)')?.slice(2, 5)).toEqual(['1', '1', 'not run']);
    const alone = benchTable([run('monitor', 100, 1, ok)], figures);
    expect(alone.table.rows.find((row) => row[0] === TWO_NODE_ROW)?.slice(2)).toEqual(['not run', '—', '—', '—', '—', '≥ 0.7× monitor (1 node)', 'not measured']);
    expect(outcomes.find((o) => o.figure === TWO_NODE_ROW)?.met).toBe(false);
  });
});
