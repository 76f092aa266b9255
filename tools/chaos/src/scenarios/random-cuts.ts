import { DEFAULT_REPLAY_MAX_AGE_MS, DEFAULT_REPLAY_MAX_EVENTS } from '@heartbeat/protocol';
import { ClientFleet } from '../lib/client-fleet.js';
import type { CutKind, CutRecord } from '../lib/ipc.js';
import { analyse } from '../lib/seq-analysis.js';
import { ScenarioBuilder, type ScenarioResult } from '../lib/report.js';
import { disconnectionsByCode, scrapeMetrics, sleep, startServer, topicHead } from '../lib/server.js';
import { count, max, median, ms, shuffle, sum } from '../lib/stats.js';

const CLIENTS = 200;
const PROCESSES = 4;
const RATE = 200;
const CUTS = 100;
const RUN_MS = 40_000;
/**
 * The monitor server's replay buffer (the module defaults): at RATE events/s it covers
 * REPLAY_MAX_EVENTS / RATE = 5 s of outage, more than detection + reconnect take here (≈ 2.2 s).
 */
const REPLAY_MAX_EVENTS = DEFAULT_REPLAY_MAX_EVENTS;
const REPLAY_MAX_AGE_MS = DEFAULT_REPLAY_MAX_AGE_MS;
const CLIENT = {
  pingInterval: 1_000,
  pongTimeout: 300,
  maxMissedPongs: 3,
  reconnectInterval: 250,
  backoffMultiplier: 1.5,
  maxReconnectInterval: 2_000,
  maxReconnectAttempts: 50,
  jitter: 0.3,
  connectTimeout: 5_000,
};
/** The client's detection bound for a silent link: pingInterval + maxMissedPongs × pongTimeout. */
const DETECTION_BOUND_MS = CLIENT.pingInterval + CLIENT.maxMissedPongs * CLIENT.pongTimeout;

/**
 * 1. Random cuts: connections cut at random, half by RST, half by a blackhole that only a heartbeat
 * can detect; every client's seq list must still be complete, in order and without duplicates.
 */
export async function randomCuts(): Promise<ScenarioResult> {
  const s = new ScenarioBuilder(
    'random-cuts',
    '1. Random cuts (RST and blackhole)',
    "every client's received seq list for the run's epoch is complete from its first seq to the last published, in order, without duplicates, across cuts it could not see coming.",
  );
  s.setup =
    `${CLIENTS} clients in ${PROCESSES} processes, each behind a chaos TCP proxy in its process, subscribed to \`alerts\` at ALERT_RATE=${RATE}/s; ` +
    `${CUTS} cuts at random times over ${RUN_MS / 1000} s (half RST, half blackhole); client pingInterval ${CLIENT.pingInterval} ms, pongTimeout ${CLIENT.pongTimeout} ms × ${CLIENT.maxMissedPongs}, ` +
    `reconnectInterval ${CLIENT.reconnectInterval} ms ×${CLIENT.backoffMultiplier} up to ${CLIENT.maxReconnectInterval} ms, jitter ${CLIENT.jitter}; ` +
    `server ping 1000 ms, replay buffer ${REPLAY_MAX_EVENTS} events / ${REPLAY_MAX_AGE_MS / 1000} s (defaults: ${(REPLAY_MAX_EVENTS / RATE).toFixed(0)} s of this topic).`;
  const server = await startServer({
    ALERT_RATE: String(RATE),
    HEARTBEAT_PING_INTERVAL_MS: '1000',
    HEARTBEAT_INTERVAL_MS: '1000',
    HEARTBEAT_TIMEOUT_MS: '3000',
    HEARTBEAT_MAX_MISSED_PINGS: '3',
  });
  let fleet: ClientFleet | null = null;
  try {
    fleet = await ClientFleet.start({
      name: 'cuts',
      wsUrl: server.wsUrl,
      processes: PROCESSES,
      clientsPerProcess: CLIENTS / PROCESSES,
      options: CLIENT,
      proxy: true,
      addressBlock: 10,
      connectSpreadMs: 1_000,
    });
    if (!(await fleet.allConnected(15_000))) throw new Error(`not all ${CLIENTS} clients connected within 15 s: ${JSON.stringify(await fleet.status())}`);
    await sleep(1_000);

    // The cuts: random instants over the run, kinds shuffled half and half.
    const kinds = shuffle<CutKind>([...Array<CutKind>(CUTS / 2).fill('rst'), ...Array<CutKind>(CUTS / 2).fill('blackhole')]);
    const instants = Array.from({ length: CUTS }, () => Math.random() * RUN_MS).sort((a, b) => a - b);
    const startedAt = Date.now();
    const applied: Record<CutKind, number> = { rst: 0, blackhole: 0 };
    let notApplied = 0;
    for (let i = 0; i < CUTS; i++) {
      const wait = startedAt + (instants[i] as number) - Date.now();
      if (wait > 0) await sleep(wait);
      const kind = kinds[i] as CutKind;
      if (await fleet.cut(kind)) applied[kind]++;
      else notApplied++;
    }
    const rest = startedAt + RUN_MS - Date.now();
    if (rest > 0) await sleep(rest);

    // Settle: everyone back and caught up with the head as it is now.
    const head = await topicHead(server, 'alerts');
    const settled = await fleet.caughtUp(head.epoch, head.seq, 20_000);
    const reports = await fleet.reports();
    const proxy = await fleet.proxyStats();
    const metrics = await scrapeMetrics(server);

    const analysis = analyse(reports, head.epoch, head.seq);
    const cuts = reports.flatMap((r) => r.cuts);
    const byKind = (kind: CutKind) => cuts.filter((c) => c.kind === kind);
    const backTimes = (list: CutRecord[]) => list.filter((c) => c.backAt !== null).map((c) => (c.backAt as number) - c.at);
    const detectTimes = byKind('blackhole')
      .filter((c) => c.lostAt !== null)
      .map((c) => (c.lostAt as number) - c.at);
    const rstBack = backTimes(byKind('rst'));
    const holeBack = backTimes(byKind('blackhole'));
    const reconnects = sum(reports.map((r) => r.reconnectCount));
    const longestOutage = max([...rstBack, ...holeBack]);
    const wireEvents = sum(reports.map((r) => r.wireEvents));
    const delivered = sum(reports.map((r) => r.delivered));

    s.figures([
      ['clients', CLIENTS],
      ['events published during the run (head seq)', count(head.seq)],
      ['cuts by RST', applied.rst],
      ['cuts by blackhole', applied.blackhole],
      ['reconnects (all causes)', reconnects],
      ['server closes by code', JSON.stringify(disconnectionsByCode(metrics))],
      ['RST: cut → back, median / max', `${ms(median(rstBack))} / ${ms(max(rstBack))}`],
      ['blackhole: cut → detected, median / max', `${ms(median(detectTimes))} / ${ms(max(detectTimes))} (bound ${DETECTION_BOUND_MS} ms)`],
      ['blackhole: cut → back, median / max', `${ms(median(holeBack))} / ${ms(max(holeBack))}`],
      ['longest outage × rate vs replay buffer', `${count(Math.round((longestOutage * RATE) / 1000))} events ≤ ${count(REPLAY_MAX_EVENTS)}`],
      ['blackholed connections the server dropped by its own heartbeat (4000)', disconnectionsByCode(metrics)['4000'] ?? 0],
      ['events checked', count(analysis.eventsChecked)],
      ['missing', analysis.missing],
      ['duplicates', analysis.duplicates],
      ['gaps reported', analysis.gaps],
      ['duplicates on the wire, dropped by the client', count(wireEvents - delivered)],
    ]);
    s.data.figures = {
      head,
      applied,
      notApplied,
      reconnects,
      proxy,
      rstBackMs: rstBack,
      blackholeDetectMs: detectTimes,
      blackholeBackMs: holeBack,
      closesByCode: disconnectionsByCode(metrics),
      ...analysis,
      wireEvents,
      delivered,
    };

    s.check('cuts made', applied.rst + applied.blackhole === CUTS, `${applied.rst} RST + ${applied.blackhole} blackhole of ${CUTS} (${notApplied} found no connected client)`);
    s.check('all clients back and caught up', settled, settled ? `all ${CLIENTS} connected and at head ${head.seq}` : `not within 20 s`);
    s.check(
      'every blackhole detected by the client heartbeat',
      detectTimes.length === applied.blackhole && max(detectTimes) <= DETECTION_BOUND_MS + 1_000,
      `${detectTimes.length}/${applied.blackhole} detected, max ${ms(max(detectTimes))} (bound ${DETECTION_BOUND_MS} ms + 1 s for timer lateness under load)`,
    );
    s.check(
      'complete, in order, no duplicates',
      analysis.incomplete.length === 0 && analysis.missing === 0 && analysis.duplicates === 0 && analysis.gaps === 0,
      analysis.incomplete.length === 0
        ? `${CLIENTS} clients × their whole run: ${count(analysis.eventsChecked)} events, missing 0, duplicates 0, gaps 0`
        : `${analysis.incomplete.length} clients incomplete, e.g. ${analysis.incomplete.slice(0, 3).join('; ')}` +
          (analysis.gaps > 0
            ? ` — ${analysis.gaps} evicted gap(s): the longest outage (${ms(longestOutage)}) outlasted what the replay buffer holds at this rate (${ms((REPLAY_MAX_EVENTS / RATE) * 1000)}); slow reconnects point to a loaded machine`
            : ''),
    );
  } catch (error) {
    s.fail(error);
  } finally {
    await fleet?.stop();
    await server.kill('SIGKILL');
  }
  return s.result();
}
