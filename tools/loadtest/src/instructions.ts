/**
 * `npm run bench:instructions`: the instructions each server executes per heartbeat, counted by
 * valgrind's callgrind (see --help). CPU time per heartbeat (`npm run bench`) moves by a tenth from
 * one run to the next on a shared machine; a count of instructions repeats within a few percent, so a
 * change to the heartbeat path can be weighed before and after it. Prints the table, writes it as
 * JSON and into docs/benchmarks.md.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@heartbeat/testing';
import { MONITOR_BUILD, monitorBuildMissing } from '@heartbeat/testing/monitor-build';
import { connectClients } from './bench/bench-run.js';
import { BenchServer } from './bench/bench-server.js';
import { CallgrindControl, VALGRIND, callgrindArgs, callgrindProblem } from './lib/callgrind.js';
import { runCli } from './lib/cli-main.js';
import { type OptionSchema, cliHelp, parseCliOptions } from './lib/cli-options.js';
import { machineDescription, machineLoad } from './lib/machine.js';
import { upsertSection } from './lib/markdown-section.js';
import { ProgressLine } from './lib/progress.js';
import { type TextTable, renderMarkdownTable, renderTextTable } from './lib/text-table.js';
import type { BenchServerKind } from './servers/bench-server-api.js';

const OUTPUT = fileURLToPath(new URL('../output/', import.meta.url));
const DOCS = fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url));
const DOCS_HEADING = '## Instructions per heartbeat: monitor server vs ws vs Socket.IO (callgrind)';
const SERVERS: readonly BenchServerKind[] = ['monitor', 'ws', 'socketio'];
/** Counting on makes valgrind translate every code block again: the first seconds after it are not counted. */
const RETRANSLATE_MS = 5_000;

const USAGE = [
  'Usage: npm run bench:instructions [-- options]',
  '',
  'Each server (the monitor server from its build, a bare `ws` server with the ws README heartbeat, Socket.IO 4)',
  'runs under valgrind --tool=callgrind with counting off, pinging every second, with --connections idle clients',
  'of its kind. After --warmup seconds, counting is turned on for --window seconds; the user-space instructions',
  'of the whole process (every thread) are divided by the pongs it received then. Repeatable within a few percent,',
  'where CPU time (npm run bench) moves by a tenth: for weighing a change to the heartbeat path before and after.',
  'Instructions are not time: the kernel is not counted, and code runs differently fast per instruction.',
  'Needs valgrind (Debian: apt-get install -y valgrind). About 2 minutes per server.',
];

const OPTIONS = {
  connections: { kind: 'number', integer: true, min: 10, default: 500, description: 'Idle clients of each server (the server is about 50 times slower under valgrind).' },
  warmup: { kind: 'number', min: 0, default: 20, placeholder: 'S', description: 'Seconds after the last connect before counting, for the JIT to settle.' },
  window: { kind: 'number', min: 1, default: 10, placeholder: 'S', description: 'Seconds counted.' },
  servers: { kind: 'choice-list', choices: SERVERS, default: SERVERS, description: 'Servers to count.' },
  docs: { kind: 'flag', default: true, description: 'Write the table to docs/benchmarks.md.' },
} as const satisfies OptionSchema;

interface Settings {
  help: boolean;
  connections: number;
  warmupMs: number;
  windowMs: number;
  servers: BenchServerKind[];
  writeDocs: boolean;
}

interface Count {
  kind: BenchServerKind;
  heartbeats: number;
  instructions: number;
  perHeartbeat: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function parse(argv: readonly string[]): Settings {
  const options = parseCliOptions(argv, OPTIONS);
  return {
    help: options.help,
    connections: options.connections,
    warmupMs: options.warmup * 1000,
    windowMs: options.window * 1000,
    servers: options.servers,
    writeDocs: options.docs,
  };
}

async function count(kind: BenchServerKind, settings: Settings, directory: string, progress: ProgressLine): Promise<Count> {
  progress.update(`${kind}: starting under valgrind`);
  const server = await BenchServer.start({
    kind,
    port: await freePort(),
    pingIntervalMs: 1_000,
    wrapper: { execPath: VALGRIND, args: callgrindArgs(directory, kind) },
    readyTimeoutMs: 300_000,
  });
  try {
    const { fleet } = await connectClients(kind, [server.url], { connections: settings.connections, ratePerSecond: 100, processes: 2, fanoutDeliveries: 1 }, progress);
    try {
      const callgrind = new CallgrindControl(server.api.pid, directory, kind, server.env);
      progress.update(`${kind}: warming up for ${settings.warmupMs / 1000} s`);
      await sleep(settings.warmupMs);
      await callgrind.countingOn();
      await sleep(RETRANSLATE_MS);
      progress.update(`${kind}: counting for ${settings.windowMs / 1000} s`);
      await callgrind.zero();
      const before = await server.api.request('sample', {}, 120_000);
      await sleep(settings.windowMs);
      const after = await server.api.request('sample', {}, 120_000);
      const instructions = await callgrind.dump();
      const heartbeats = after.heartbeats - before.heartbeats;
      if (heartbeats <= 0) throw new Error(`The ${kind} server received no pongs while counted: its clients did not stay connected under valgrind; lower --connections.`);
      return { kind, heartbeats, instructions, perHeartbeat: Math.round(instructions / heartbeats) };
    } finally {
      await fleet.close();
    }
  } finally {
    await server.kill();
  }
}

function table(counts: Count[]): TextTable {
  const of = (kind: BenchServerKind) => counts.find((entry) => entry.kind === kind);
  const ratio = (value: number, base: Count | undefined) => (base ? `${(value / base.perHeartbeat).toFixed(2)}×` : '—');
  return {
    columns: [
      { header: 'server' },
      { header: 'pongs counted', align: 'right' },
      { header: 'instructions', align: 'right' },
      { header: 'per heartbeat', align: 'right' },
      { header: '÷ ws', align: 'right' },
      { header: '÷ Socket.IO', align: 'right' },
    ],
    rows: counts.map(({ kind, heartbeats, instructions, perHeartbeat }) => [
      kind,
      heartbeats.toLocaleString('en-US'),
      instructions.toLocaleString('en-US'),
      perHeartbeat.toLocaleString('en-US'),
      ratio(perHeartbeat, of('ws')),
      ratio(perHeartbeat, of('socketio')),
    ]),
  };
}

async function run(settings: Settings): Promise<number> {
  const problem = callgrindProblem() ?? (settings.servers.includes('monitor') ? monitorBuildMissing(MONITOR_BUILD.app, 'npm run bench:instructions') : null);
  if (problem) {
    console.error(problem);
    return 1;
  }
  mkdirSync(OUTPUT, { recursive: true });
  const command = `npm run bench:instructions${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const startedAt = new Date();
  console.log(`${command}\n${machineDescription()}; ${machineLoad()}\n`);
  const directory = mkdtempSync(join(tmpdir(), 'heartbeat-callgrind-'));
  const progress = new ProgressLine();
  const counts: Count[] = [];
  try {
    for (const kind of settings.servers) counts.push(await count(kind, settings, directory, progress));
  } finally {
    progress.done(`counted ${counts.length} of ${settings.servers.length} servers`);
    rmSync(directory, { recursive: true, force: true });
  }
  const rows = table(counts);
  console.log(renderTextTable(rows));
  const outputFile = `${OUTPUT}instructions.json`;
  writeFileSync(outputFile, JSON.stringify({ command, startedAt: startedAt.toISOString(), machine: machineDescription(), settings, counts }, null, 2));
  console.log(`\nResults: ${outputFile}`);
  if (settings.writeDocs) {
    const setup = [
      `Command: \`${command}\`, ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; ${machineDescription()}, valgrind's callgrind.`,
      `Each server under \`valgrind --tool=callgrind --instr-atstart=no\`, pinging every second, with ${settings.connections} idle clients of its kind`,
      `(as in \`npm run bench\`); ${settings.warmupMs / 1000} s after the last connect, counting on, ${RETRANSLATE_MS / 1000} s for valgrind to translate the code again, then counted for`,
      `${settings.windowMs / 1000} s: the process's user-space instructions (every thread: JIT code, V8, Node, libc; not the kernel) ÷ the pongs it received then.`,
      'Repeatable within a few percent from run to run (2 % for the monitor server, 5 % for ws in three counts each); instructions are not time (the kernel\'s share of a heartbeat, about half its CPU time on loopback, is left out).',
    ].join(' ');
    writeFileSync(DOCS, upsertSection(readFileSync(DOCS, 'utf8'), DOCS_HEADING, `${setup}\n\n${renderMarkdownTable(rows)}`));
    console.log(`Written to ${DOCS}`);
  }
  return 0;
}

runCli({ parse, help: cliHelp(USAGE, OPTIONS), run });
