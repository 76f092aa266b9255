import { CLIENT_DEFAULTS } from '@heartbeat/protocol';
import { ClientFleet } from '../lib/client-fleet.js';
import { ScenarioBuilder, type ScenarioResult } from '../lib/report.js';
import { startServer, waitFor } from '../lib/server.js';
import { histogram, max, min, ms, peakPerWindow, percentile, peakSliding } from '../lib/stats.js';

const CLIENTS = 1_000;
const PROCESSES = 4;
const DRAIN_WINDOW_MS = 5_000;
const SLICES = 10;
const WINDOW_MS = 100;
/** The clients keep the library's defaults: 1012 → reconnect after a random share of reconnectInterval (5 s). */
const CLIENT = {};

/**
 * 3. SIGTERM drain: the server closes its clients with 1012 spread over drainWindow and exits 0;
 * the server started next on the same port is not hit by a reconnect storm.
 */
export async function sigtermDrain(): Promise<ScenarioResult> {
  const s = new ScenarioBuilder(
    'sigterm-drain',
    '3. SIGTERM drain with 1,000 clients',
    'on SIGTERM the server closes its clients with 1012 spread evenly over drainWindow and exits 0; the server started next on the same port sees a peak reconnect rate within 2× of clients / drainWindow.',
  );
  const share = (CLIENTS / DRAIN_WINDOW_MS) * WINDOW_MS;
  s.setup =
    `${CLIENTS} clients in ${PROCESSES} processes with the client's default options (reconnectInterval ${CLIENT_DEFAULTS.reconnectInterval} ms, ×${CLIENT_DEFAULTS.backoffMultiplier}, jitter ${CLIENT_DEFAULTS.jitter}), ` +
    `DRAIN_WINDOW_MS=${DRAIN_WINDOW_MS}; SIGTERM, then a new server on the same port as soon as the old one has exited (it keeps the port, answering upgrades with 503, while it drains). ` +
    `Fair share: ${CLIENTS} / ${DRAIN_WINDOW_MS} ms = ${share} accepts per ${WINDOW_MS} ms.`;
  const server = await startServer({ ALERT_RATE: '10', DRAIN_WINDOW_MS: String(DRAIN_WINDOW_MS), HEARTBEAT_PING_INTERVAL_MS: '5000', HEARTBEAT_INTERVAL_MS: '5000', HEARTBEAT_TIMEOUT_MS: '15000' });
  let fleet: ClientFleet | null = null;
  try {
    fleet = await ClientFleet.start({
      name: 'drain',
      wsUrl: server.wsUrl,
      processes: PROCESSES,
      clientsPerProcess: CLIENTS / PROCESSES,
      options: CLIENT,
      addressBlock: 60,
      connectSpreadMs: 2_000,
    });
    if (!(await fleet.allConnected(30_000))) throw new Error(`not all ${CLIENTS} clients connected within 30 s: ${JSON.stringify(await fleet.status())}`);

    const termAt = Date.now();
    const exit = await server.kill('SIGTERM');
    const exitedAt = Date.now();
    await server.restart();
    const listeningAt = Date.now();
    const allBack = await waitFor(async () => (await fleet?.status())?.connected === CLIENTS, 40_000, 200);
    const backAllAt = Date.now();
    const reports = await fleet.reports();

    const closes = reports.map((r) => r.lost.find((l) => l.at >= termAt));
    const closeTimes = closes.filter((c) => c?.code === 1012).map((c) => (c?.at as number) - termAt);
    const otherCloses = closes.filter((c) => c && c.code !== 1012).map((c) => c?.code);
    const slices = histogram(closeTimes, 0, DRAIN_WINDOW_MS, SLICES);
    const fairSlice = CLIENTS / SLICES;
    const accepts = reports.map((r) => r.established.find((e) => e.at > termAt)?.at).filter((at): at is number => at !== undefined);
    const peak = peakPerWindow(accepts, WINDOW_MS, listeningAt);
    const peakSecond = peakSliding(accepts, 1_000);
    const acceptSlices = histogram(
      accepts.map((at) => at - listeningAt),
      0,
      Math.ceil((max(accepts) - listeningAt) / 1_000) * 1_000,
      Math.max(1, Math.ceil((max(accepts) - listeningAt) / 1_000)),
    );

    s.table({
      title: `Close times (1012) relative to SIGTERM, per ${DRAIN_WINDOW_MS / SLICES} ms slice of the drain window (fair share ${fairSlice})`,
      header: slices.map((_, i) => `${(i * DRAIN_WINDOW_MS) / SLICES / 1000}–${((i + 1) * DRAIN_WINDOW_MS) / SLICES / 1000} s`),
      rows: [slices],
    });
    s.table({
      title: 'Accepts on the new server per second after it listened',
      header: acceptSlices.map((_, i) => `${i}–${i + 1} s`),
      rows: [acceptSlices],
    });
    s.figures([
      ['clients', CLIENTS],
      ['closed with 1012', `${closeTimes.length} (other codes: ${otherCloses.length ? JSON.stringify(otherCloses.slice(0, 5)) : 'none'})`],
      [
        'close time after SIGTERM: p0 / p10 / p50 / p90 / p100',
        [0, 10, 50, 90, 100].map((p) => ms(p === 0 ? min(closeTimes) : percentile(closeTimes, p))).join(' / '),
      ],
      ['largest slice / fair share', `${max(slices)} / ${fairSlice} (${(max(slices) / fairSlice).toFixed(2)}×)`],
      ['server exit', `${exit.code === null ? `signal ${exit.signal}` : `code ${exit.code}`} after ${ms(exitedAt - termAt)}`],
      ['new server listening after SIGTERM', ms(listeningAt - termAt)],
      [`peak accepts per ${WINDOW_MS} ms on the new server`, `${peak.peak} at +${ms(peak.at)} (fair share ${share}, limit ${2 * share}; ${(peak.peak / share).toFixed(2)}×)`],
      ['peak accepts in any 1 s', `${peakSecond} (fair share ${(CLIENTS / DRAIN_WINDOW_MS) * 1000})`],
      ['all back after the new server listened', allBack ? ms(max(accepts) - listeningAt) : `NO (${accepts.length}/${CLIENTS})`],
    ]);
    s.data.figures = { termAt, exitedAt, listeningAt, backAllAt, exit, closeTimes, slices, acceptsAfterListening: accepts.map((at) => at - listeningAt), peak, peakSecond };

    s.check('every client closed with 1012', closeTimes.length === CLIENTS, `${closeTimes.length}/${CLIENTS}`);
    s.check(
      'closes spread across the window',
      max(slices) <= 2 * fairSlice && max(closeTimes) <= DRAIN_WINDOW_MS + 500,
      `largest ${DRAIN_WINDOW_MS / SLICES} ms slice ${max(slices)} ≤ 2 × ${fairSlice}; last close at ${ms(max(closeTimes))}`,
    );
    s.check('server exited 0', exit.code === 0, JSON.stringify(exit));
    s.check('all clients back on the new server', allBack, `${accepts.length}/${CLIENTS}`);
    s.check('no reconnect storm', peak.peak <= 2 * share, `peak ${peak.peak} per ${WINDOW_MS} ms ≤ 2 × ${share}`);
  } catch (error) {
    s.fail(error);
  } finally {
    await fleet?.stop();
    await server.kill('SIGKILL');
  }
  return s.result();
}
