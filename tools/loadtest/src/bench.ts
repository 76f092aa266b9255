/**
 * `npm run bench`: the monitor server against bare `ws` and Socket.IO under the same idle load (see
 * --help). Prints the table, writes it as JSON and, for full runs, into docs/benchmarks.md.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RedisClusterTopology } from '@heartbeat/testing';
import { MONITOR_BUILD, monitorBuildMissing } from '@heartbeat/testing/monitor-build';
import { BENCH_OPTIONS, BENCH_USAGE, WARMUP_CONNECTIONS, benchSettings, isTwoNodeKind, type BenchSettings } from './bench/bench-options.js';
import { type BenchResult, benchFigures, benchTable } from './bench/bench-report.js';
import { BENCH_RECONNECT, benchRun, fanoutEvents, fanoutProfileFile, heapProfileFile, restartProfileFile, type RunResult } from './bench/bench-run.js';
import { benchTwoNodes, requireBenchRedis } from './bench/bench-two-nodes.js';
import { runCli } from './lib/cli-main.js';
import { cliHelp } from './lib/cli-options.js';
import { summarizeProfile, type CpuProfile } from './lib/cpu-profile.js';
import { summarizeHeapProfile, type HeapProfile } from './lib/heap-profile.js';
import { machineDescription, machineLoad } from './lib/machine.js';
import { upsertSection } from './lib/markdown-section.js';
import { ProgressLine } from './lib/progress.js';
import { renderMarkdownTable, renderTextTable } from './lib/text-table.js';

const OUTPUT = fileURLToPath(new URL('../output/', import.meta.url));
const DOCS = fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url));
const DOCS_HEADING = '## Idle connections, fan-out and restart: monitor server vs ws vs Socket.IO';

function setupText(settings: BenchSettings): string {
  const r = BENCH_RECONNECT;
  return [
    `Servers, each alone in a process on this machine, all pinging every ${settings.pingIntervalMs} ms: (a) the monitor server's app from apps/monitor-server/dist`,
    `(HEARTBEAT_PING_INTERVAL_MS=${settings.pingIntervalMs}, dead after 3 missed pings, default limits) with Heartbeat clients whose own ping is every 10 min;`,
    `(b) a bare \`ws\` server with the heartbeat recipe of the ws README (ping all, terminate those that did not pong) and \`ws\` clients that JSON.parse each message, as an application would (the other two clients decode theirs);`,
    `(c) Socket.IO 4 (pingInterval ${settings.pingIntervalMs} ms, the rest default) with socket.io-client on the WebSocket transport.`,
    `Clients: ${settings.processes} worker processes, at most 400 per loopback source address, ${settings.ratePerSecond}/s while ramping up; all three kinds reconnect on the same schedule`,
    `(${r.reconnectInterval} ms × ${r.backoffMultiplier} up to ${r.maxReconnectInterval} ms, jitter ${r.jitter}).`,
    `Memory: RSS and heap after a full GC, ${settings.settleMs / 1000} s after the last connect, minus the same before the first, per connection;`,
    `the baseline is read after a warm-up of ${WARMUP_CONNECTIONS} connections opened, kept for the settle time (pinged, as the measured ones are before their reading) and closed (the same for each server), so that the memory the first connections grow once is not counted per connection (what the heap kept of them has its own row).`,
    `Of the heap per connection, the net growth of V8's code between the two readings (v8.getHeapCodeStatistics(): machine code, baseline and optimized, bytecode and their metadata) has a row of its own: V8 compiles it for the server as the connections arrive, not for each, and the warm-up does not take it out of the figure (a warm-up of ${WARMUP_CONNECTIONS} does not make the handshake path hot; a larger one did not keep the code either: docs/benchmarks.md, ninth pass).`,
    `CPU: process.cpuUsage() of the server over ${settings.windowMs / 1000} s, from ${settings.afterGcMs / 1000} s after the memory reading (a forced full GC, after which each server spends more for 5–10 s), divided by the pongs it received then.`,
    `Every server's node runs with --no-memory-reducer: V8's memory reducer otherwise collects 8 s after the memory reading's forced GC and gives back memory between two readings.`,
    `Lag: p99 of monitorEventLoopDelay (10 ms resolution, resolution subtracted) over the same window.`,
    `Client processes share the 2 cores with the server: Heartbeat clients parse every ping and answer with a JSON pong, where \`ws\` answers a control frame, so their load on the machine is larger;`,
    `the clients' CPU row is process.cpuUsage() of all client processes over the same window, divided by the same pongs (no events flow then; the clients' own timers are included): what a heartbeat costs the other end, in CPU that competes with the server for the 2 cores.`,
    `Fan-out: once every client's subscription was answered, ${fanoutText(settings)} of ~200 bytes published at once to all, deliveries ÷ time until the last client had them all (client work included).`,
    ...(settings.servers.includes('monitor-redis')
      ? [
          `Fan-out, 2 nodes on one Redis (monitor-redis): two monitor servers as in (a) on the Redis at ${settings.redisUrl} (a key prefix of their own, deleted after the run),`,
          'the clients half on each, the same events published on the first node, so half the deliveries pass through Redis Pub/Sub to the other; only the fan-out is measured.',
        ]
      : []),
    ...(settings.servers.includes('monitor-cluster')
      ? [
          'Fan-out, 2 nodes on a Redis Cluster (monitor-cluster): the same on a three-shard Redis Cluster (no replicas) the benchmark starts with redis-server on this machine and stops after the run;',
          'the benchmark topic lives on one shard, its events go over sharded Pub/Sub (SPUBLISH/SSUBSCRIBE).',
        ]
      : []),
    `Restart: SIGKILL, start again on the same port; seconds from listening until every client is connected again (given up after ${(BENCH_RECONNECT.maxReconnectInterval + 60_000) / 1000} s), and attempts started after it that failed.`,
    `Accept-queue overflows: the kernel's TcpExt ListenOverflows (machine-wide) over the restart and the ramp: connections the server did not accept in time, whose clients then wait for SYN retransmits.`,
  ].join(' ');
}

/** `200 events` or `11 to 200 events (fewer, the more connections)`. */
function fanoutText(settings: BenchSettings): string {
  const counts = settings.sizes.map((connections) => fanoutEvents(connections, settings.fanoutDeliveries));
  const fewest = Math.min(...counts);
  const most = Math.max(...counts);
  return fewest === most ? `${most} events` : `${fewest} to ${most} events (fewer, the more connections)`;
}

async function run(settings: BenchSettings): Promise<number> {
  const missing = settings.servers.some((kind) => kind === 'monitor' || isTwoNodeKind(kind)) ? monitorBuildMissing(MONITOR_BUILD.app, 'npm run bench') : null;
  if (missing) {
    console.error(missing);
    return 1;
  }
  // Before any measurement: a missing Redis must not cost the minutes of the other servers first.
  if (settings.servers.includes('monitor-redis')) {
    try {
      await requireBenchRedis(settings.redisUrl);
    } catch (error) {
      console.error(error instanceof Error ? error.message : String(error));
      return 1;
    }
  }
  mkdirSync(OUTPUT, { recursive: true });
  const startedAt = new Date();
  const loadBefore = machineLoad();
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  console.log(`${command}\n${machineDescription()}; ${loadBefore}\n`);
  const progress = new ProgressLine();
  let cluster: RedisClusterTopology | undefined;
  try {
    if (settings.servers.includes('monitor-cluster')) cluster = await RedisClusterTopology.start(3);
  } catch (error) {
    console.error(
      `monitor-cluster needs a Redis Cluster, which the benchmark could not start: ${error instanceof Error ? error.message : String(error)} Leave monitor-cluster out of --servers to go on without it.`,
    );
    return 1;
  }
  let measured: Measured | undefined;
  try {
    measured = await measure(settings, progress, cluster);
  } finally {
    await cluster?.stop();
  }
  if (!measured) return 1;
  const { runs, profiles } = measured;
  const loadAfter = machineLoad();
  const { table, outcomes } = benchTable(runs, benchFigures(BENCH_RECONNECT.maxReconnectInterval));
  const misses = outcomes.filter((o) => !o.met);
  const verdict = `Targets met: ${outcomes.length - misses.length} of ${outcomes.length}${misses.length ? `; missed: ${misses.map((m) => `${m.figure} at ${m.connections.toLocaleString('en-US')}`).join(', ')}` : ''}.`;
  console.log(`\n${renderTextTable(table)}\n\n${verdict}`);
  const restartNotes = restartDetails(runs);
  if (restartNotes) console.log(`\n${restartNotes}`);

  const profileText = profiles
    .filter((file) => existsSync(file))
    .map((file) => (file.endsWith('.heapprofile') ? heapSummaryText(file) : profileSummaryText(file)))
    .join('\n\n');
  if (profileText) console.log(`\n${profileText}`);

  const outputFile = `${OUTPUT}bench${settings.smoke ? '-smoke' : ''}.json`;
  writeFileSync(
    outputFile,
    JSON.stringify({ command, startedAt: startedAt.toISOString(), machine: machineDescription(), loadBefore, loadAfter, settings, runs, table, outcomes }, null, 2),
  );
  console.log(`\nResults: ${outputFile}`);
  if (settings.writeDocs) {
    const body = [
      `Command: \`${command}\` — ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${Math.round((Date.now() - startedAt.getTime()) / 60_000)} min.`,
      '',
      `Machine: ${machineDescription()}. Servers and clients share it: ${loadBefore} before the run, ${loadAfter} after it.`,
      '',
      setupText(settings),
      '',
      renderMarkdownTable(table),
      '',
      verdict,
      ...(restartNotes ? ['', restartNotes] : []),
      ...(profileText ? ['', '```', profileText, '```'] : []),
    ].join('\n');
    const current = existsSync(DOCS) ? readFileSync(DOCS, 'utf8') : '# Benchmarks\n';
    writeFileSync(DOCS, upsertSection(current, DOCS_HEADING, body));
    console.log(`Written to ${DOCS}`);
  }
  return 0;
}

interface Measured {
  runs: BenchResult[];
  /** The profile files written (--profile). */
  profiles: string[];
}

/** Every size on every server, in turn; undefined, having said why, when one could not be measured. */
async function measure(settings: BenchSettings, progress: ProgressLine, cluster: RedisClusterTopology | undefined): Promise<Measured | undefined> {
  const runs: BenchResult[] = [];
  const profiles: string[] = [];
  const clusterNodes = cluster?.nodes.map(({ host, port }) => `${host}:${port}`).join(',');
  for (const connections of settings.sizes) {
    for (const kind of settings.servers) {
      // The two nodes are measured for their fan-out only: nothing to profile.
      const profileFile = settings.profile && !isTwoNodeKind(kind) ? `${OUTPUT}${kind}-${connections}.cpuprofile` : undefined;
      // A file left by an earlier run must not pass for this run's.
      if (profileFile) for (const file of profileFiles(profileFile)) rmSync(file, { force: true });
      try {
        runs.push(
          isTwoNodeKind(kind)
            ? await benchTwoNodes({ connections, ...settings, kind, clusterNodes }, progress)
            : await benchRun({ kind, connections, ...settings, ...(profileFile ? { profileFile } : {}) }, progress),
        );
      } catch (error) {
        progress.done(`${kind} × ${connections}: failed`);
        console.error(`The benchmark could not measure the ${kind} server with ${connections} connections: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      }
      if (profileFile) profiles.push(...profileFiles(profileFile));
    }
  }
  return { runs, profiles };
}

/** Why handshakes failed during the restarts, as the clients and the monitor server saw it. */
function restartDetails(runs: readonly BenchResult[]): string {
  return runs
    .flatMap((r) => (isTwoNodeKind(r.kind) ? [] : [r as RunResult]))
    .filter((r) => r.restart.failedHandshakes > 0 || r.restart.serverNote || (r.restart.serverCloses && Object.keys(r.restart.serverCloses).length > 0))
    .map(
      (r) =>
        `- ${r.kind} × ${r.connections.toLocaleString('en-US')}, restart: ${r.restart.failedHandshakes} failed handshakes ${JSON.stringify(r.restart.failureReasons)}` +
        (r.restart.serverCloses ? `; server closes by code ${JSON.stringify(r.restart.serverCloses)}` : '') +
        (r.restart.serverNote ? `; server figures not read: ${r.restart.serverNote}` : ''),
    )
    .join('\n');
}

function profileFiles(profileFile: string): string[] {
  return [profileFile, fanoutProfileFile(profileFile), restartProfileFile(profileFile), heapProfileFile(profileFile)];
}

function heapSummaryText(file: string): string {
  const summary = summarizeHeapProfile(JSON.parse(readFileSync(file, 'utf8')) as HeapProfile, 15);
  const lines = summary.rows.map((row) => `${(row.share * 100).toFixed(1).padStart(5)} %  ${(row.bytes / 2 ** 20).toFixed(1).padStart(6)} MiB  ${row.name}  ${row.location}`);
  return [`Heap profile ${file} (live allocations after the clients connected, ${(summary.totalBytes / 2 ** 20).toFixed(0)} MiB sampled); by allocation site:`, ...lines].join('\n');
}

function profileSummaryText(file: string): string {
  const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, 15);
  const lines = summary.rows.map((row) => `${(row.share * 100).toFixed(1).padStart(5)} %  ${row.selfMs.toFixed(0).padStart(6)} ms  ${row.name}  ${row.location}`);
  return [`CPU profile ${file} (${(summary.totalMs / 1000).toFixed(1)} s, ${((1 - summary.idleMs / summary.totalMs) * 100).toFixed(0)} % busy); self time, share of busy time:`, ...lines].join('\n');
}

runCli<ReturnType<typeof benchSettings>>({ parse: benchSettings, help: cliHelp(BENCH_USAGE, BENCH_OPTIONS), run });
