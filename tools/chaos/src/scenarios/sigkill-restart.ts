import { ClientFleet, RESTART_CLIENT_TIMING } from '../lib/client-fleet.js';
import type { ClientReport } from '../lib/ipc.js';
import { ScenarioBuilder, type ScenarioResult } from '../lib/report.js';
import { sleep, startServer, topicHead, waitFor } from '../lib/server.js';
import { count, max, median, ms, percentile } from '../lib/stats.js';

const CLIENTS = 200;
const PROCESSES = 4;
const RATE = 50;
/**
 * Once the server listens again, a client is back by the end of the backoff delay it is waiting
 * out, which is at most maxReconnectInterval (jitter only shortens it), plus its handshake:
 * the bound is maxReconnectInterval + 1 s for the attempt itself on a loaded machine.
 */
const BACK_BOUND_MS = RESTART_CLIENT_TIMING.maxReconnectInterval + 1_000;

/**
 * 2. SIGKILL restart: no close frames, no FIN handling by the app; the in-memory buffer is gone,
 * so every client must be told (`gap`, new epoch) rather than silently lose events.
 */
export async function sigkillRestart(): Promise<ScenarioResult> {
  const s = new ScenarioBuilder(
    'sigkill-restart',
    '2. SIGKILL and restart on the same port',
    'all clients are back within the bound of their backoff settings, and each is told of the lost buffer by a `gap` with the new epoch — never silent loss.',
  );
  s.setup =
    `${CLIENTS} clients in ${PROCESSES} processes subscribed to \`alerts\` at ALERT_RATE=${RATE}/s, in-memory server killed with SIGKILL and restarted on the same port; ` +
    `client reconnectInterval ${RESTART_CLIENT_TIMING.reconnectInterval} ms ×${RESTART_CLIENT_TIMING.backoffMultiplier} up to ${RESTART_CLIENT_TIMING.maxReconnectInterval} ms, jitter ${RESTART_CLIENT_TIMING.jitter}, ${RESTART_CLIENT_TIMING.maxReconnectAttempts} fast attempts; ` +
    `bound after the server listens again = maxReconnectInterval + 1 s = ${BACK_BOUND_MS} ms.`;
  const server = await startServer({ ALERT_RATE: String(RATE), HEARTBEAT_PING_INTERVAL_MS: '1000', HEARTBEAT_INTERVAL_MS: '1000', HEARTBEAT_TIMEOUT_MS: '3000' });
  let fleet: ClientFleet | null = null;
  try {
    fleet = await ClientFleet.start({
      name: 'kill',
      wsUrl: server.wsUrl,
      processes: PROCESSES,
      clientsPerProcess: CLIENTS / PROCESSES,
      options: RESTART_CLIENT_TIMING,
      addressBlock: 40,
      connectSpreadMs: 500,
    });
    if (!(await fleet.allConnected(15_000))) throw new Error(`not all ${CLIENTS} clients connected within 15 s`);
    const before = await topicHead(server, 'alerts');
    await fleet.caughtUp(before.epoch, before.seq, 10_000);
    await sleep(1_000);

    const killedAt = Date.now();
    const exit = await server.kill('SIGKILL');
    await server.restart();
    const listeningAt = Date.now();
    const allBack = await waitFor(async () => (await fleet?.status())?.connected === CLIENTS, BACK_BOUND_MS + 10_000, 20);
    const after = await topicHead(server, 'alerts');
    const settled = await fleet.caughtUp(after.epoch, after.seq, 10_000);
    const reports = await fleet.reports();

    const backAt = reports.map((r) => r.established.find((e) => e.at > killedAt)?.at ?? Number.NaN);
    const sinceListening = backAt.map((at) => at - listeningAt);
    const sinceKill = backAt.map((at) => at - killedAt);
    const analysis = analyseRestart(reports, before.epoch, after.epoch, after.seq);

    s.figures([
      ['clients', CLIENTS],
      ['killed by', `${exit.signal ?? `exit ${exit.code}`}`],
      ['server down (kill → listening again)', ms(listeningAt - killedAt)],
      ['kill → all back', ms(max(sinceKill))],
      ['listening → all back (time-to-all-back)', `${ms(max(sinceListening))} (bound ${BACK_BOUND_MS} ms)`],
      ['listening → back, median / p90', `${ms(median(sinceListening))} / ${ms(percentile(sinceListening, 90))}`],
      ['epochs', `${before.epoch} → ${after.epoch}`],
      ['clients with a `gap` (new-epoch)', `${analysis.newEpochGaps} of ${CLIENTS}`],
      ['other gaps', analysis.otherGaps],
      ['events checked (both epochs)', count(analysis.eventsChecked)],
      ['silently missing', analysis.silentMissing],
      ['duplicates', analysis.duplicates],
    ]);
    s.data.figures = { killedAt, listeningAt, sinceListening, sinceKill, before, after, exit, ...analysis };

    s.check('server killed by SIGKILL', exit.signal === 'SIGKILL', `exit ${JSON.stringify(exit)}`);
    s.check(
      'all clients back within the bound',
      allBack && max(sinceListening) <= BACK_BOUND_MS,
      `${backAt.filter((at) => !Number.isNaN(at)).length}/${CLIENTS} back, the last ${ms(max(sinceListening))} after the server listened (bound ${BACK_BOUND_MS} ms)`,
    );
    s.check('each client saw a gap with the new epoch', analysis.newEpochGaps === CLIENTS && analysis.otherGaps === 0, `${analysis.newEpochGaps}/${CLIENTS}`);
    s.check(
      'never silent loss',
      settled && analysis.silentMissing === 0 && analysis.duplicates === 0 && analysis.problems.length === 0,
      analysis.problems.length === 0
        ? 'each client: old epoch complete up to the kill, new epoch complete from its first event to the head, no duplicates'
        : analysis.problems.slice(0, 3).join('; '),
    );
  } catch (error) {
    s.fail(error);
  } finally {
    await fleet?.stop();
    await server.kill('SIGKILL');
  }
  return s.result();
}

function analyseRestart(reports: readonly ClientReport[], oldEpoch: string, newEpoch: string, head: number) {
  let newEpochGaps = 0;
  let otherGaps = 0;
  let eventsChecked = 0;
  let silentMissing = 0;
  let duplicates = 0;
  const problems: string[] = [];
  for (const report of reports) {
    const gap = report.gaps.find((g) => g.reason === 'new-epoch' && g.epoch === newEpoch && g.previousEpoch === oldEpoch);
    if (gap) newEpochGaps++;
    otherGaps += report.gaps.length - (gap ? 1 : 0);
    for (const [epoch, track] of Object.entries(report.epochs)) {
      eventsChecked += track.count;
      silentMissing += track.missing;
      duplicates += track.duplicates;
      if (track.missing > 0) problems.push(`client ${report.index}: ${track.missing} missing in ${epoch} ${JSON.stringify(track.missingRanges)}`);
      if (track.duplicates > 0) problems.push(`client ${report.index}: ${track.duplicates} duplicates in ${epoch}`);
    }
    const fresh = report.epochs[newEpoch];
    if (!fresh || fresh.last < head) problems.push(`client ${report.index}: new epoch not caught up (${fresh?.last ?? 'nothing'} < ${head})`);
    if (!report.epochs[oldEpoch]) problems.push(`client ${report.index}: nothing of the old epoch`);
  }
  return { newEpochGaps, otherGaps, eventsChecked, silentMissing, duplicates, problems };
}
