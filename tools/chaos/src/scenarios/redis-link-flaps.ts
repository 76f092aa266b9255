import type { MonitorServerProcess } from '@heartbeat/testing';
import { ChaosProxy } from '../lib/chaos-proxy.js';
import type { ClientFleet } from '../lib/client-fleet.js';
import { allLinked, linkedFleet, startNodes, type Termination, terminate } from '../lib/cluster.js';
import { NodeWatch, peakCpu, worstHealthLatency } from '../lib/node-watch.js';
import { RedisServerProcess } from '../lib/redis-server.js';
import { ScenarioBuilder, type ScenarioResult } from '../lib/report.js';
import { sleep, topicHead } from '../lib/server.js';
import { busyBetween, cpuSnapshot, max, ms, percentile } from '../lib/stats.js';

const NODES = 3;
const CLIENTS = 60;
const PROCESSES = 2;
/** Alerts per second published by each node: several publishers, so a node that hears again hears gaps. */
const RATE = 10;
const ROUNDS = 3;
/** How long the primary stays dead in each round, the proxy accepting and closing every connection. */
const DOWN_MS = 15_000;
/** Before the link stays up, it comes and goes for this long, 100–500 ms each way. */
const FLAPS_MS = 2_500;
const DRAIN_WINDOW_MS = 2_000;
/**
 * SIGTERM → exit: the drain window, the close-handshake grace and straggler margin of the drain
 * (docs/server.md#graceful-drain: 5 s + 1 s), and a second for Nest and the Redis link to close.
 */
const DRAIN_BOUND_MS = DRAIN_WINDOW_MS + 5_000 + 1_000 + 1_000;
/**
 * Generous: when the link comes back a node catches up in one burst (100–200 ms of CPU here), which
 * a machine shared with other processes stretches; a node that spins does not answer at all.
 */
const HEALTH_BOUND_MS = 2_000;
/** A node is pinned when it uses this share of a core over 3 s in a row. */
const PINNED_SHARE = 0.9;

interface Round {
  /** ms from the link staying up to every node saying so on /health (NaN: not within 15 s). */
  linkedMs: number;
  /** ms from the link staying up to every client having the head taken then (NaN: not within 15 s). */
  flowMs: number;
}

/**
 * 7. The Redis link flaps: a load balancer in front of a dead primary accepts every connection and
 * closes it at once, then the primary comes back. A node must keep serving (/health), never spin
 * (docs/scaling.md: a gap that cannot be filled now waits for the link), deliver again once the
 * link is back, and stop on SIGTERM — even while the link flaps.
 */
export async function redisLinkFlaps(): Promise<ScenarioResult> {
  const s = new ScenarioBuilder(
    'redis-link-flaps',
    '7. Redis link flaps (dead primary behind a proxy)',
    `while the link to Redis flaps, every node answers /health within ${HEALTH_BOUND_MS} ms and never pins a core; once the link is back events flow to every client again; on SIGTERM every node exits 0 within its drain bound.`,
  );
  s.setup =
    `${NODES} monitor servers in Redis mode, each publishing ALERT_RATE=${RATE}/s on \`alerts\`, reaching their own redis-server through a TCP proxy; ` +
    `${CLIENTS} clients in ${PROCESSES} processes spread over the nodes; ${ROUNDS} rounds of: the primary dead for ${DOWN_MS / 1000} s (the proxy resets every connection, then accepts each new one and closes it at once), ` +
    `${FLAPS_MS / 1000} s of flaps (100–500 ms each way), then the primary back (the proxy forwards; Redis kept its data). Then SIGTERM to every node while the link flaps; ` +
    `DRAIN_WINDOW_MS=${DRAIN_WINDOW_MS}, bound ${DRAIN_BOUND_MS} ms. /health asked every 200 ms per node (bound ${HEALTH_BOUND_MS} ms), CPU sampled from /proc every second; pinned = ${PINNED_SHARE * 100} % of a core over 3 s.`;
  let redis: RedisServerProcess | null = null;
  let proxy: ChaosProxy | null = null;
  let nodes: MonitorServerProcess[] = [];
  let fleet: ClientFleet | null = null;
  let watch: NodeWatch | null = null;
  try {
    redis = await RedisServerProcess.start();
    proxy = await ChaosProxy.start(redis.port, ['127.0.0.1']);
    nodes = await startNodes(NODES, `redis://127.0.0.1:${proxy.port}`, {
      ALERT_RATE: String(RATE),
      REDIS_KEY_PREFIX: 'chaos-flaps:',
      DRAIN_WINDOW_MS: String(DRAIN_WINDOW_MS),
      HEARTBEAT_PING_INTERVAL_MS: '1000',
      HEARTBEAT_INTERVAL_MS: '1000',
      HEARTBEAT_TIMEOUT_MS: '3000',
    });
    ({ fleet } = await linkedFleet(nodes, { name: 'redis-flaps', processes: PROCESSES, clientsPerProcess: CLIENTS / PROCESSES, addressBlock: 150, connectSpreadMs: 500 }, 15_000));

    const startedAt = Date.now();
    const machineBefore = cpuSnapshot();
    watch = NodeWatch.start(nodes.map((node, i) => ({ name: `node-${i + 1}`, url: node.url, pid: node.pid })));
    const rounds: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      proxy.backendDown();
      await sleep(DOWN_MS);
      await flap(proxy, FLAPS_MS);
      proxy.backendUp();
      const upAt = Date.now();
      const linked = await allLinked(nodes, 15_000);
      const linkedMs = linked ? Date.now() - upAt : Number.NaN;
      // A node that never linked again keeps its clients from the head: no use waiting for them.
      const head = linked ? await headFromAny(nodes, round) : null;
      const flowing = head !== null && (await fleet.caughtUp(head.epoch, head.seq, 15_000));
      rounds.push({ linkedMs, flowMs: flowing ? Date.now() - upAt : Number.NaN });
    }

    // SIGTERM while the link flaps: the drain must not wait on Redis, nor a spinning loop hold it.
    proxy.backendDown();
    const flapping = flap(proxy, DRAIN_BOUND_MS);
    await sleep(1_000);
    const watched = await watch.stop();
    watch = null;
    const machineBusy = busyBetween(machineBefore, cpuSnapshot());
    const termAt = Date.now();
    const terminations = await Promise.all(nodes.map((node) => terminate(node, DRAIN_BOUND_MS)));
    await flapping;
    const reports = await fleet.reports();

    const perNode = watched.map((report, i) => {
      const latencies = report.health.map((sample) => sample.latencyMs).filter((latency): latency is number => latency !== null);
      return {
        name: report.name,
        asked: report.health.length,
        unanswered: report.health.length - latencies.length,
        worst: worstHealthLatency(report),
        p99: percentile(latencies, 99),
        cpu: peakCpu(report, 3),
        termination: terminations[i] as Termination,
      };
    });
    // The drain's own 1012 closes after SIGTERM are not the link's doing.
    const lostDuringRounds = reports.map((r) => r.lost.filter((l) => l.at >= startedAt && l.at < termAt));
    const codes: Record<number, number> = {};
    for (const l of lostDuringRounds.flat()) codes[l.code] = (codes[l.code] ?? 0) + 1;
    const reconnected = lostDuringRounds.filter((lost) => lost.length > 0).length;
    let silent = 0;
    let duplicates = 0;
    let toldGaps = 0;
    for (const report of reports) {
      toldGaps += report.gaps.length;
      for (const track of Object.values(report.wire?.epochs ?? {})) {
        silent += track.missing;
        duplicates += track.duplicates;
      }
      for (const track of Object.values(report.epochs)) duplicates += track.duplicates;
    }
    const proxyStats = { ...proxy.stats };

    s.table({
      title: 'Each node over the rounds (/health asked every 200 ms; CPU as a share of one core)',
      header: ['node', '/health asked', 'unanswered', 'worst latency', 'p99 latency', 'max CPU (1 s)', 'max CPU (3 s)', 'SIGTERM → exit'],
      rows: perNode.map((node) => [
        node.name,
        node.asked,
        node.unanswered,
        ms(node.worst),
        ms(node.p99),
        `${Math.round(node.cpu.single * 100)} %`,
        `${Math.round(node.cpu.sustained * 100)} %`,
        `${node.termination.withinBound ? '' : 'KILLED after '}${ms(node.termination.ms)} (${node.termination.exit.code === null ? `signal ${node.termination.exit.signal}` : `code ${node.termination.exit.code}`})`,
      ]),
    });
    s.table({
      title: 'Each round, from the primary back',
      header: ['round', 'every node linked after', 'events to every client after'],
      rows: rounds.map((round, i) => [i + 1, ms(round.linkedMs), ms(round.flowMs)]),
    });
    s.figures([
      ['nodes / clients', `${NODES} / ${CLIENTS}`],
      ['machine CPU busy over the rounds (all cores, every process)', `${Math.round(machineBusy * 100)} %`],
      ['connections to Redis accepted by the proxy / closed at once', `${proxyStats.accepted} / ${proxyStats.closedAtOnce}`],
      ['clients that lost their connection (they reconnect)', `${reconnected} of ${CLIENTS}${reconnected ? ` (closes by code ${JSON.stringify(codes)})` : ''}`],
      ['`gap` events in the clients', toldGaps],
      ['events skipped without a `gap` (wire) / duplicates', `${silent} / ${duplicates}`],
    ]);
    s.data.figures = { machineBusy, rounds, perNode, codes, reconnected, silent, duplicates, toldGaps, proxy: proxyStats, watched };

    const worst = max(perNode.map((node) => node.worst));
    s.check(
      'every node answered /health throughout',
      worst < HEALTH_BOUND_MS,
      `worst ${ms(worst)} (bound ${HEALTH_BOUND_MS} ms), unanswered ${perNode.reduce((n, node) => n + node.unanswered, 0)}`,
    );
    const hottest = max(perNode.map((node) => node.cpu.sustained));
    s.check('no node pinned a core', hottest < PINNED_SHARE, `highest 3 s average ${Math.round(hottest * 100)} % of a core (pinned at ${PINNED_SHARE * 100} %)`);
    s.check(
      'events flow to every client once the link is back',
      rounds.length === ROUNDS && rounds.every((round) => Number.isFinite(round.flowMs)),
      `after ${rounds.map((round) => ms(round.flowMs)).join(', ')}; ${CLIENTS - reconnected} clients kept their connection, ${reconnected} reconnected`,
    );
    s.check(
      'every loss told, nothing twice',
      silent === 0 && duplicates === 0,
      `${silent} events skipped without a \`gap\`, ${duplicates} duplicates; ${toldGaps} gaps told`,
    );
    s.check(
      'every node exited 0 on SIGTERM within its drain bound',
      terminations.every((t) => t.withinBound && t.exit.code === 0),
      `${terminations.map((t) => `${ms(t.ms)} (${t.exit.code ?? t.exit.signal})`).join(', ')}; bound ${DRAIN_BOUND_MS} ms`,
    );
  } catch (error) {
    s.fail(error);
  } finally {
    await watch?.stop();
    await fleet?.stop();
    await Promise.all(nodes.map((node) => node.kill('SIGKILL')));
    await proxy?.close();
    await redis?.stop();
  }
  return s.result();
}

/** The topic's head from the first node that tells it, starting at `from`: a node that hangs must not stop the scenario. */
async function headFromAny(nodes: readonly MonitorServerProcess[], from: number): Promise<{ epoch: string; seq: number } | null> {
  for (let i = 0; i < nodes.length; i++) {
    const head = await topicHead(nodes[(from + i) % nodes.length] as MonitorServerProcess, 'alerts').catch(() => null);
    if (head) return head;
  }
  return null;
}

/** The link comes and goes for `durationMs`, 100–500 ms each way, and ends down. */
async function flap(proxy: ChaosProxy, durationMs: number): Promise<void> {
  const until = Date.now() + durationMs;
  while (Date.now() < until) {
    proxy.backendUp();
    await sleep(100 + Math.random() * 400);
    proxy.backendDown();
    await sleep(100 + Math.random() * 400);
  }
}
