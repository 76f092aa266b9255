import { ClientFleet } from '../lib/client-fleet.js';
import { analyse } from '../lib/seq-analysis.js';
import { ScenarioBuilder, type ScenarioResult } from '../lib/report.js';
import { adminStats, disconnectionsByCode, metricSum, scrapeMetrics, sleep, startServer, topicHead, waitFor } from '../lib/server.js';
import { count, max, mb, ms } from '../lib/stats.js';

const RATE = 1_000;
/** Clients in the process that is stopped: each one's connection must be cut at the high-water mark. */
const STALLED = 20;
const HEALTHY = 5;
/** The server's send-buffer high-water mark per connection (maxBufferedBytes, default 1 MiB). */
const HIGH_WATER_MARK = 1024 * 1024;
/** Allowed RSS growth over the baseline while the readers are stalled. */
const RSS_GROWTH_BOUND = 64 * 1024 * 1024;
const STALL_TIMEOUT_MS = 40_000;

interface Sample {
  t: number;
  rss: number;
  maxBuffered: number;
  totalBuffered: number;
  slow: number;
}

/**
 * 4. Stalled reader: a process whose clients stop reading (SIGSTOP) while the server publishes
 * 1,000 events/s. The server must cut them at the send-buffer high-water mark (4009) instead of
 * buffering without bound; its memory stays bounded meanwhile; other clients are unaffected.
 */
export async function stalledReader(): Promise<ScenarioResult> {
  const s = new ScenarioBuilder(
    'stalled-reader',
    '4. Stalled reader (SIGSTOP)',
    "a connection whose reader stopped is closed with 4009 once its send buffer passes the high-water mark; the server's memory stays bounded meanwhile and other clients miss nothing.",
  );
  s.setup =
    `${STALLED} clients in one process stopped with SIGSTOP, ${HEALTHY} healthy clients in another, \`alerts\` at ALERT_RATE=${RATE}/s; ` +
    `server high-water mark ${mb(HIGH_WATER_MARK)} per connection (default maxBufferedBytes), default server heartbeat (25 s pings) so that the heartbeat does not cut the stalled connections first; ` +
    `RSS bound: baseline + ${mb(RSS_GROWTH_BOUND)}.`;
  const server = await startServer({ ALERT_RATE: String(RATE) });
  let stalled: ClientFleet | null = null;
  let healthy: ClientFleet | null = null;
  let stopped = false;
  try {
    const options = { reconnectInterval: 500, maxReconnectInterval: 2_000, maxReconnectAttempts: 50 };
    stalled = await ClientFleet.start({ name: 'stalled', wsUrl: server.wsUrl, processes: 1, clientsPerProcess: STALLED, options, addressBlock: 120 });
    healthy = await ClientFleet.start({ name: 'healthy', wsUrl: server.wsUrl, processes: 1, clientsPerProcess: HEALTHY, options, addressBlock: 124 });
    if (!(await stalled.allConnected(10_000)) || !(await healthy.allConnected(10_000))) throw new Error('clients did not connect');
    await sleep(2_000);

    const sample = async (t0: number): Promise<Sample> => {
      const [metrics, stats] = await Promise.all([scrapeMetrics(server), adminStats<{ connection_details: { buffered_bytes: number }[] }>(server)]);
      const buffered = stats.connection_details.map((c) => c.buffered_bytes);
      return {
        t: Date.now() - t0,
        rss: metricSum(metrics, 'process_resident_memory_bytes'),
        maxBuffered: Math.max(0, ...buffered),
        totalBuffered: buffered.reduce((a, b) => a + b, 0),
        slow: metricSum(metrics, 'heartbeat_slow_consumer_disconnections_total') || metricSum(metrics, 'heartbeat_disconnections_total', 'code="4009"'),
      };
    };
    const baseline = await sample(Date.now());
    const worker = stalled.workers[0];
    if (!worker) throw new Error('no stalled worker');
    const stoppedAt = Date.now();
    worker.signal('SIGSTOP');
    stopped = true;
    const samples: Sample[] = [];
    let allCutAt: number | null = null;
    let firstCutAt: number | null = null;
    while (Date.now() - stoppedAt < STALL_TIMEOUT_MS) {
      const current = await sample(stoppedAt);
      samples.push(current);
      if (current.slow > 0 && firstCutAt === null) firstCutAt = current.t;
      if (current.slow >= STALLED) {
        allCutAt = current.t;
        break;
      }
      await sleep(250);
    }
    // A little longer: memory after the cuts.
    for (let i = 0; i < 4; i++) {
      await sleep(250);
      samples.push(await sample(stoppedAt));
    }
    const stats = await adminStats<{ heartbeat_stats: { slow_consumer_disconnections?: number } }>(server);
    worker.signal('SIGCONT');
    stopped = false;
    const resumedAt = Date.now();
    // Each stalled client first reads what the kernel still holds for it, then finds its connection
    // closed, reconnects and resumes: wait for a connection established after the stall.
    const fleet = stalled;
    const back = await waitFor(async () => (await fleet.reports()).every((r) => r.established.some((e) => e.at > stoppedAt)), 30_000, 250);
    const backAfterMs = Date.now() - resumedAt;
    const head = await topicHead(server, 'alerts');
    const healthyDone = await healthy.caughtUp(head.epoch, head.seq, 10_000);
    const stalledReports = await stalled.reports();
    const healthyReports = await healthy.reports();
    const metrics = await scrapeMetrics(server);
    const healthyAnalysis = analyse(healthyReports, head.epoch, head.seq);

    /** What each stalled client saw end its connection once it read again. */
    const lostCodes: Record<string, number> = {};
    for (const report of stalledReports) {
      const lost = report.lost.find((l) => l.at >= stoppedAt);
      lostCodes[String(lost?.code ?? 'none')] = (lostCodes[String(lost?.code ?? 'none')] ?? 0) + 1;
    }
    const gaps = stalledReports.flatMap((r) => r.gaps.filter((g) => g.at >= stoppedAt));
    const peakRss = max(samples.map((x) => x.rss));
    const peakBuffered = max(samples.map((x) => x.maxBuffered));
    const peakTotal = max(samples.map((x) => x.totalBuffered));
    const timeline = samples.filter((_, i) => i % 8 === 0 || i === samples.length - 1);
    s.table({
      title: 'Server during the stall (RSS and 4009 closes from /metrics, send buffers from the stats API)',
      header: ['since SIGSTOP', 'RSS', 'fullest send buffer', 'all send buffers', '4009 closes'],
      rows: timeline.map((x) => [ms(x.t), mb(x.rss), mb(x.maxBuffered), mb(x.totalBuffered), x.slow]),
    });
    s.figures([
      ['stalled connections', STALLED],
      ['SIGSTOP → first 4009 / all 4009', `${ms(firstCutAt ?? Number.NaN)} / ${ms(allCutAt ?? Number.NaN)}`],
      ['fullest send buffer seen', `${mb(peakBuffered)} (high-water mark ${mb(HIGH_WATER_MARK)})`],
      ['all send buffers, peak', mb(peakTotal)],
      ['server RSS: baseline → peak', `${mb(baseline.rss)} → ${mb(peakRss)} (bound ${mb(baseline.rss + RSS_GROWTH_BOUND)})`],
      ['SIGSTOP → the server\'s send buffers start to fill (the kernel\'s socket buffers are full)', ms(samples.find((x) => x.maxBuffered > 0)?.t ?? Number.NaN)],
      ['slow_consumer_disconnections (stats API)', String(stats.heartbeat_stats.slow_consumer_disconnections ?? 'absent')],
      ['server closes by code', JSON.stringify(disconnectionsByCode(metrics))],
      ['what the stalled clients saw after SIGCONT', JSON.stringify(lostCodes)],
      ['stalled clients back after SIGCONT', back ? `all, within ${ms(backAfterMs)}` : 'NOT all'],
      ['gaps reported to the stalled clients (evicted)', `${gaps.filter((g) => g.reason === 'evicted').length} of ${STALLED}`],
      ['healthy clients: events checked, missing, duplicates', `${count(healthyAnalysis.eventsChecked)}, ${healthyAnalysis.missing}, ${healthyAnalysis.duplicates}`],
    ]);
    s.data.figures = { baseline, samples, firstCutAt, allCutAt, lostCodes, gaps: gaps.length, resumedAt, healthy: healthyAnalysis };

    s.check('every stalled connection closed with 4009', allCutAt !== null, allCutAt !== null ? `${STALLED} × 4009 within ${ms(allCutAt)} of SIGSTOP` : `${max(samples.map((x) => x.slow))} of ${STALLED} within ${STALL_TIMEOUT_MS / 1000} s`);
    s.check('send buffer bounded by the high-water mark', peakBuffered <= HIGH_WATER_MARK + 64 * 1024, `fullest ${mb(peakBuffered)} ≤ ${mb(HIGH_WATER_MARK)} + one frame`);
    s.check('server RSS bounded', peakRss <= baseline.rss + RSS_GROWTH_BOUND, `peak ${mb(peakRss)} ≤ ${mb(baseline.rss + RSS_GROWTH_BOUND)}`);
    const silent = stalledReports.reduce((n, r) => n + (r.epochs[head.epoch]?.missing ?? 0) + (r.epochs[head.epoch]?.duplicates ?? 0), 0);
    s.check(
      'stalled clients come back after SIGCONT, never with silent loss',
      back && silent === 0,
      `${back ? 'all back' : 'not all back'}; each resumed from the replay buffer or was told by a \`gap\` (${gaps.length} gaps), ${silent} events silently missing or duplicated`,
    );
    s.check(
      'healthy clients unaffected',
      healthyDone && healthyAnalysis.incomplete.length === 0,
      healthyAnalysis.incomplete.length === 0 ? `${HEALTHY} clients complete to head ${head.seq}` : healthyAnalysis.incomplete.slice(0, 3).join('; '),
    );
  } catch (error) {
    s.fail(error);
  } finally {
    if (stopped) stalled?.workers[0]?.signal('SIGCONT');
    await stalled?.stop();
    await healthy?.stop();
    await server.kill('SIGKILL');
  }
  return s.result();
}
