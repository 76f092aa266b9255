/**
 * `npm run loadtest -- --scenario=… --connections=…`: N Heartbeat clients against the monitor
 * server (started here, or running at --url), one scenario, a table of client and server figures,
 * JSON and an SVG chart of connections and event-loop lag. See --help.
 */
import { CLIENT_DEFAULTS } from '@heartbeat/protocol';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './lib/cli-main.js';
import { cliHelp } from './lib/cli-options.js';
import { Fleet } from './lib/fleet.js';
import { machineDescription, machineLoad } from './lib/machine.js';
import { ProgressLine, progressBar } from './lib/progress.js';
import { round } from './lib/stats.js';
import { renderSvgChart } from './lib/svg-chart.js';
import { renderTextTable } from './lib/text-table.js';
import { LOADTEST_OPTIONS, LOADTEST_USAGE, type LoadtestOptions, parseLoadtestOptions } from './loadtest/loadtest-options.js';
import { SCENARIO_RUNNERS, type ScenarioOutcome } from './loadtest/scenarios.js';
import { type LoadTarget, openTarget } from './loadtest/target.js';
import { Timeline, type TimelinePoint, counterRate } from './loadtest/timeline.js';

const DEFAULT_OUT = fileURLToPath(new URL('../output/', import.meta.url));
/** The server this run started, so that an interrupted run does not leave it behind. */
let startedTarget: LoadTarget | null = null;

function serverFigures(timeline: Timeline, from: number): [string, string][] {
  const points = timeline.since(from);
  const values = (pick: (p: TimelinePoint) => number | null) => points.map(pick).filter((v): v is number => v !== null);
  if (!timeline.lastMetrics) return [['server figures', `not available: ${timeline.lastError ?? 'no scrape of /metrics succeeded'}`]];
  const max = (list: number[]) => (list.length ? Math.max(...list) : Number.NaN);
  return [
    ['server: connections, most', round(max(values((p) => p.serverConnections)))],
    ['server: event-loop lag p99, worst scrape (ms, nodejs_eventloop_lag_p99_seconds)', round(max(values((p) => p.lagP99Ms)))],
    ['server: RSS, most (MiB)', round(max(values((p) => p.rssBytes)) / 2 ** 20)],
    ['server: CPU, average (% of one core)', round(counterRate(points, (p) => p.cpuSeconds) * 100)],
    ['server: pings sent / pongs received per second', `${round(counterRate(points, (p) => p.pingsSent))} / ${round(counterRate(points, (p) => p.pongsReceived))}`],
    ['server: closes by code (since it started)', JSON.stringify(timeline.closesByCode())],
  ];
}

function chart(options: LoadtestOptions, timeline: Timeline, outcome: ScenarioOutcome | null): string {
  const series = (pick: (p: TimelinePoint) => number | null) => timeline.points.map((p) => [p.t / 1000, pick(p)] as const);
  return renderSvgChart({
    title: `loadtest --scenario=${options.scenario} --connections=${options.connections}`,
    xLabel: 'seconds since start',
    leftLabel: 'connections',
    rightLabel: 'event-loop lag p99 (ms)',
    series: [
      { name: 'clients connected', color: '#1f77b4', axis: 'left', points: series((p) => p.clientsConnected) },
      { name: 'server connections', color: '#2ca02c', axis: 'left', points: series((p) => p.serverConnections) },
      { name: 'server lag p99', color: '#d62728', axis: 'right', points: series((p) => p.lagP99Ms) },
    ],
    markers: outcome?.markers ?? [],
  });
}

async function run(options: LoadtestOptions): Promise<number> {
  const target = await openTarget(options);
  startedTarget = target;
  const timeline = new Timeline(target.metricsUrl);
  timeline.start();
  let fleet: Fleet | null = null;
  try {
    fleet = await openFleet(options, target);
    timeline.attach(fleet);
    return await runScenario(options, target, fleet, timeline);
  } finally {
    timeline.stop();
    await fleet?.close();
    await target.process?.kill('SIGKILL');
  }
}

function openFleet(options: LoadtestOptions, target: LoadTarget): Promise<Fleet> {
  const processes = processCount(options);
  return Fleet.start({
    kind: 'heartbeat',
    urls: [target.wsUrl],
    ...(target.token === undefined ? {} : { token: target.token }),
    topic: options.topic,
    connections: options.connections,
    ratePerSecond: options.rate,
    processes,
    // Under the monitor server's default MAX_CONNECTIONS_PER_ADDRESS of 1,000.
    addresses: Math.ceil(options.connections / 400),
    reconnect: {
      reconnectInterval: options.reconnectInterval ?? CLIENT_DEFAULTS.reconnectInterval,
      backoffMultiplier: CLIENT_DEFAULTS.backoffMultiplier,
      maxReconnectInterval: options.maxReconnectInterval ?? CLIENT_DEFAULTS.maxReconnectInterval,
      jitter: CLIENT_DEFAULTS.jitter,
      connectTimeout: CLIENT_DEFAULTS.connectTimeout,
    },
    ...(options.clientPingInterval === undefined ? {} : { heartbeat: { pingInterval: options.clientPingInterval } }),
    sampleLatency: options.scenario === 'fanout',
  });
}

function processCount(options: LoadtestOptions): number {
  return options.processes ?? Math.max(2, Math.ceil(options.connections / 4_000));
}

async function runScenario(options: LoadtestOptions, target: LoadTarget, fleet: Fleet, timeline: Timeline): Promise<number> {
  const progress = new ProgressLine();
  const processes = processCount(options);
  console.log(`Load: ${options.connections} Heartbeat clients in ${processes} processes at ${options.rate}/s against ${target.describe()}`);
  console.log(`${machineDescription()}; ${machineLoad()}\n`);

  const rampMs = (options.connections / options.rate) * 1000;
  const connectStart = Date.now();
  const opened = await fleet.waitFor(
    // Clients that gave up (a refused token) will not connect: no point in waiting for them.
    (s) => s.connected + s.gaveUp === options.connections,
    rampMs + 60_000,
    (s) => progress.update(`connecting ${progressBar(s.connected / options.connections)} ${s.connected}/${options.connections}`),
    250,
  );
  progress.done(`connecting: ${opened.status.connected}/${options.connections} in ${((Date.now() - connectStart) / 1000).toFixed(1)} s`);
  if (opened.status.connected < options.connections) {
    const { connected, gaveUp, lastError } = opened.status;
    const why = lastError ? ` Last failure: ${lastError}.` : '';
    console.error(
      gaveUp > 0
        ? `${gaveUp} of ${options.connections} clients gave up connecting (${connected} connected).${why} Check the URL and the client token (--token).`
        : `Only ${connected} of ${options.connections} clients connected within ${Math.round((rampMs + 60_000) / 1000)} s.${why} ` +
            'Check the URL, or open fewer connections or open them more slowly (--connections, --rate).',
    );
    return 1;
  }
  const connectMs = Date.now() - connectStart;
  const scenarioFrom = timeline.now();
  const outcome = await SCENARIO_RUNNERS[options.scenario]({ options, target, fleet, timeline, progress });
  // One more scrape after the scenario, so its end shows on the chart and in the figures.
  await new Promise((done) => setTimeout(done, 1_500));
  timeline.stop();

  const rows: [string, string][] = [
    ['scenario', options.scenario],
    ['connections', `${options.connections} in ${processes} processes`],
    ['time to open all', `${(connectMs / 1000).toFixed(1)} s at ${options.rate}/s`],
    ...outcome.figures,
    ...serverFigures(timeline, scenarioFrom),
  ];
  console.log(`\n${renderTextTable({ columns: [{ header: 'figure' }, { header: 'value' }], rows })}\n`);
  for (const check of outcome.checks) console.log(`${check.ok ? '✔' : '✘'} ${check.name}${check.detail ? `: ${check.detail}` : ''}`);

  const out = options.out ? resolve(options.out) : DEFAULT_OUT;
  mkdirSync(out, { recursive: true });
  const base = resolve(out, `loadtest-${options.scenario}`);
  writeFileSync(
    `${base}.json`,
    JSON.stringify({ options, machine: machineDescription(), target: target.describe(), figures: rows, checks: outcome.checks, data: outcome.data, timeline: timeline.points }, null, 2),
  );
  writeFileSync(`${base}.svg`, chart(options, timeline, outcome));
  console.log(`\nWritten: ${base}.json, ${base}.svg`);
  return outcome.checks.every((c) => c.ok) ? 0 : 1;
}

runCli({
  parse: parseLoadtestOptions,
  help: cliHelp(LOADTEST_USAGE, LOADTEST_OPTIONS),
  run,
  onAbort: () => {
    const pid = startedTarget?.process?.pid;
    if (pid) process.kill(pid, 'SIGKILL');
  },
});
