import type { MonitorServerProcess } from '@heartbeat/testing';
import { ClientFleet, RESTART_CLIENT_TIMING } from '../lib/client-fleet.js';
import { allLinked, linkedFleet, startNodes } from '../lib/cluster.js';
import type { ClientReport } from '../lib/ipc.js';
import { RedisServerProcess } from '../lib/redis-server.js';
import { ScenarioBuilder, type ScenarioResult } from '../lib/report.js';
import { sleep, topicHead } from '../lib/server.js';
import { count, max, median, ms } from '../lib/stats.js';

const NODES = 3;
const CLIENTS = 300;
/** One worker process per node's worth of clients; each process spreads its clients over all nodes. */
const PROCESSES = 3;
/** Alerts per second published by each node: the stream goes on through the outage. */
const RATE = 10;
const REDIS_DOWN_MS = 2_000;

/**
 * 6. Redis restarted empty: the backplane loses every topic's state. The loss is told in-band
 * (docs/protocol.md, losses told in-band): each subscriber gets `subscribed` with the new epoch on
 * its open connection, then the new epoch's events, contiguous; nobody is disconnected for it.
 */
export async function redisRestartEmpty(): Promise<ScenarioResult> {
  const s = new ScenarioBuilder(
    'redis-restart-empty',
    '6. Redis restarted empty under three nodes',
    'when Redis comes back empty, no client is disconnected; each is told on its open connection (`subscribed` with the new epoch, a `gap` in the client) and then gets the new epoch’s events contiguous, each once.',
  );
  s.setup =
    `${NODES} monitor servers in Redis mode on a redis-server of their own (no persistence), each publishing ALERT_RATE=${RATE}/s on \`alerts\`; ` +
    `${CLIENTS} clients in ${PROCESSES} processes spread over the nodes, subscribed to \`alerts\`, their frames checked on the wire; ` +
    `Redis killed with SIGKILL and started again empty on the same port after ${REDIS_DOWN_MS} ms while the nodes keep publishing; ` +
    `client reconnectInterval ${RESTART_CLIENT_TIMING.reconnectInterval} ms ×${RESTART_CLIENT_TIMING.backoffMultiplier} up to ${RESTART_CLIENT_TIMING.maxReconnectInterval} ms.`;
  let redis: RedisServerProcess | null = null;
  let nodes: MonitorServerProcess[] = [];
  let fleet: ClientFleet | null = null;
  try {
    redis = await RedisServerProcess.start();
    nodes = await startNodes(NODES, redis.url, {
      ALERT_RATE: String(RATE),
      REDIS_KEY_PREFIX: 'chaos-restart:',
      HEARTBEAT_PING_INTERVAL_MS: '1000',
      HEARTBEAT_INTERVAL_MS: '1000',
      HEARTBEAT_TIMEOUT_MS: '3000',
    });
    let before: { epoch: string; seq: number };
    ({ fleet, head: before } = await linkedFleet(nodes, { name: 'redis-restart', processes: PROCESSES, clientsPerProcess: CLIENTS / PROCESSES, addressBlock: 140, connectSpreadMs: 1_000 }, 20_000));
    await sleep(1_000);

    const killedAt = Date.now();
    await redis.kill('SIGKILL');
    await sleep(REDIS_DOWN_MS);
    await redis.restart();
    const backAt = Date.now();
    const linked = await allLinked(nodes, 15_000);
    const linkedAt = Date.now();
    // The new epoch's head a while after the restart: every client must have it, contiguous.
    await sleep(2_000);
    const after = await topicHead(nodes[1] as MonitorServerProcess, 'alerts');
    const settled = await fleet.caughtUp(after.epoch, after.seq, 20_000);
    const reports = await fleet.reports();
    const a = analyseRestart(reports, killedAt, before.epoch, after.epoch, after.seq);
    const flowSinceBack = a.firstNewEventAt.map((at) => at - backAt);

    s.figures([
      ['clients / nodes', `${CLIENTS} / ${NODES}`],
      ['Redis down (SIGKILL → answering again, empty)', ms(backAt - killedAt)],
      ['Redis back → every node linked again', linked ? ms(linkedAt - backAt) : 'NO'],
      ['epochs', `${before.epoch} → ${after.epoch}`],
      ['clients disconnected', `${a.disconnected} of ${CLIENTS}${a.disconnected ? ` (close codes ${JSON.stringify(a.closeCodes)})` : ''}`],
      ['clients told of the new epoch', `${a.told} of ${CLIENTS} (in-band on the open connection: ${a.toldInBand}; \`gap\` event in the client: ${a.gapEvents})`],
      ['duplicates (wire / delivered)', `${a.wireDuplicates} / ${a.deliveredDuplicates}`],
      ['new-epoch events checked on the wire', count(a.eventsChecked)],
      ['clients whose new epoch is not contiguous to the head', a.notContiguous],
      ['other epochs seen', a.otherEpochs],
      ['Redis back → events flow again, median / all clients', `${ms(median(flowSinceBack))} / ${ms(max(flowSinceBack))}`],
    ]);
    s.data.figures = { killedAt, backAt, linkedAt, before, after, flowSinceBack, ...a };

    s.check('Redis came back empty (a new epoch)', after.epoch !== before.epoch, `${before.epoch} → ${after.epoch}`);
    s.check('no client disconnected', a.disconnected === 0, `${a.disconnected} of ${CLIENTS} lost their connection (codes ${JSON.stringify(a.closeCodes)})`);
    s.check('every client told', a.told === CLIENTS, `${a.told}/${CLIENTS} saw \`subscribed\` with the new epoch or a new-epoch \`gap\` (in-band: ${a.toldInBand})`);
    s.check('nothing duplicated', a.wireDuplicates === 0 && a.deliveredDuplicates === 0, `wire ${a.wireDuplicates}, delivered ${a.deliveredDuplicates}`);
    s.check(
      'the new epoch contiguous per client',
      settled && a.notContiguous === 0,
      a.problems.length === 0 ? `each client: from the seq it was told to ${after.seq}, each event once` : a.problems.slice(0, 3).join('; '),
    );
  } catch (error) {
    s.fail(error);
  } finally {
    await fleet?.stop();
    await Promise.all(nodes.map((node) => node.kill('SIGKILL')));
    await redis?.stop();
  }
  return s.result();
}

function analyseRestart(reports: readonly ClientReport[], killedAt: number, oldEpoch: string, newEpoch: string, head: number) {
  const closeCodes: Record<number, number> = {};
  const firstNewEventAt: number[] = [];
  const problems: string[] = [];
  let disconnected = 0;
  let told = 0;
  let toldInBand = 0;
  let gapEvents = 0;
  let wireDuplicates = 0;
  let deliveredDuplicates = 0;
  let eventsChecked = 0;
  let notContiguous = 0;
  let otherEpochs = 0;
  for (const report of reports) {
    const lost = report.lost.filter((l) => l.at >= killedAt);
    if (lost.length) disconnected++;
    for (const l of lost) closeCodes[l.code] = (closeCodes[l.code] ?? 0) + 1;
    const wire = report.wire ?? { subscribed: [], epochs: {} };
    const toldOnWire = wire.subscribed.find((f) => f.epoch === newEpoch);
    const gap = report.gaps.some((g) => g.reason === 'new-epoch' && g.epoch === newEpoch);
    if (gap) gapEvents++;
    if (toldOnWire || gap) told++;
    if (toldOnWire?.inBand) toldInBand++;
    for (const track of Object.values(wire.epochs)) wireDuplicates += track.duplicates;
    for (const track of Object.values(report.epochs)) deliveredDuplicates += track.duplicates;
    otherEpochs += Object.keys(report.epochs).filter((e) => e !== oldEpoch && e !== newEpoch).length;
    const fresh = wire.epochs[newEpoch];
    const delivered = report.epochs[newEpoch];
    if (delivered) firstNewEventAt.push(delivered.firstAt);
    const reasons: string[] = [];
    if (!toldOnWire) reasons.push('no `subscribed` with the new epoch');
    if (!fresh) reasons.push('no event of the new epoch');
    else {
      eventsChecked += fresh.count;
      const expectedFirst = toldOnWire ? toldOnWire.seq - toldOnWire.replayed + 1 : Number.NaN;
      if (fresh.first !== expectedFirst) reasons.push(`first event ${fresh.first}, told ${toldOnWire ? `${toldOnWire.seq} (replayed ${toldOnWire.replayed})` : 'nothing'}`);
      if (toldOnWire && fresh.firstAt < toldOnWire.at) reasons.push('events of the new epoch before its `subscribed`');
      if (fresh.count !== fresh.last - fresh.first + 1 || fresh.missing + fresh.reportedSkipped > 0) reasons.push(`${fresh.count} events for ${fresh.first}..${fresh.last}`);
      if (fresh.last < head) reasons.push(`last ${fresh.last} < head ${head}`);
    }
    if (reasons.length) {
      notContiguous++;
      problems.push(`client ${report.index}: ${reasons.join(', ')}`);
    }
  }
  return { disconnected, closeCodes, told, toldInBand, gapEvents, wireDuplicates, deliveredDuplicates, eventsChecked, notContiguous, otherEpochs, firstNewEventAt, problems };
}
