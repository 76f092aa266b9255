/**
 * The chaos suite: `npm run test:chaos [-- --only=1,3] [--write-docs]`, and the security suite:
 * `npm run test:security [-- --only=S1]` (the same runner with `--suite=security`).
 * Runs each scenario against the real (built) monitor server, prints its figures and checks,
 * writes them as JSON under tools/chaos/output/ (output/security/ for the security suite), and
 * with --write-docs updates the chaos figures in docs/reliability.md. Exits 1 when a check failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { writeDocs } from './lib/docs.js';
import { renderScenario, type ScenarioResult } from './lib/report.js';
import { killAllRedis } from './lib/redis-server.js';
import { killAllServers } from './lib/server.js';
import { cpuBusy } from './lib/stats.js';
import { badInput } from './scenarios/bad-input.js';
import { randomCuts } from './scenarios/random-cuts.js';
import { redisLinkFlaps } from './scenarios/redis-link-flaps.js';
import { redisRestartEmpty } from './scenarios/redis-restart-empty.js';
import { sigkillRestart } from './scenarios/sigkill-restart.js';
import { sigtermDrain } from './scenarios/sigterm-drain.js';
import { stalledReader } from './scenarios/stalled-reader.js';
import { adminEndpoints } from './security/admin-endpoints.js';
import { anotherUsersTopic } from './security/another-users-topic.js';
import { forbiddenFlood } from './security/forbidden-flood.js';
import { halfOpenPresence } from './security/half-open-presence.js';
import { sessionsAndTokens } from './security/sessions-and-tokens.js';

type Scenarios = readonly [string, () => Promise<ScenarioResult>][];

const SUITES: Readonly<Record<'chaos' | 'security', { title: string; scenarios: Scenarios; output: string }>> = {
  chaos: {
    title: 'Chaos suite',
    output: fileURLToPath(new URL('../output/', import.meta.url)),
    scenarios: [
      ['1', randomCuts],
      ['2', sigkillRestart],
      ['3', sigtermDrain],
      ['4', stalledReader],
      ['5', badInput],
      ['6', redisRestartEmpty],
      ['7', redisLinkFlaps],
    ],
  },
  // Who may see what (docs/server.md#topic-authorization): each scenario tries to get in where it
  // does not belong and checks that nothing leaked to any connection.
  security: {
    title: 'Security suite',
    output: fileURLToPath(new URL('../output/security/', import.meta.url)),
    scenarios: [
      ['S1', anotherUsersTopic],
      ['S2', sessionsAndTokens],
      ['S3', adminEndpoints],
      ['S4', forbiddenFlood],
      ['S5', halfOpenPresence],
    ],
  },
};

function parseArgs(argv: readonly string[]) {
  const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const suite = argv.find((a) => a.startsWith('--suite='))?.slice('--suite='.length) ?? 'chaos';
  if (suite !== 'chaos' && suite !== 'security') throw new Error(`--suite=${suite} is not a suite; use --suite=chaos or --suite=security.`);
  return {
    suite: SUITES[suite],
    only: only ? new Set(only.split(',').map((s) => s.trim())) : null,
    writeDocs: argv.includes('--write-docs') && suite === 'chaos',
  };
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const { title, output } = args.suite;
  const selected = args.suite.scenarios.filter(([id]) => !args.only || args.only.has(id));
  mkdirSync(output, { recursive: true });
  const startedAt = new Date();
  console.log(`${title}: ${selected.length} scenario(s) on ${machine()}\n`);
  const results: ScenarioResult[] = [];
  for (const [id, scenario] of selected) {
    // Other processes on the machine skew every timing below: say how busy it was.
    const busy = await cpuBusy();
    console.log(`--- scenario ${id} (CPU busy before the start: ${Math.round(busy * 100)} %) ---`);
    if (busy > 0.25) console.log('Warning: the machine is busy with other work; timings and bounds may suffer.');
    let result: ScenarioResult;
    try {
      result = await scenario();
    } catch (error) {
      result = {
        id,
        title: `scenario ${id}`,
        guarantee: '',
        setup: '',
        tables: [],
        checks: [{ name: 'scenario ran', ok: false, detail: error instanceof Error ? (error.stack ?? error.message) : String(error) }],
        passed: false,
        durationMs: 0,
        data: {},
      };
    }
    result.cpuBusyBefore = busy;
    results.push(result);
    console.log(`${renderScenario(result)}\n`);
    writeFileSync(`${output}${result.id}.json`, JSON.stringify(result, null, 2));
  }
  const summary = {
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    machine: machine(),
    passed: results.every((r) => r.passed),
    scenarios: results.map((r) => ({ id: r.id, title: r.title, passed: r.passed, durationMs: r.durationMs })),
  };
  writeFileSync(`${output}summary.json`, JSON.stringify(summary, null, 2));
  console.log(`${title} ${summary.passed ? 'passed' : 'FAILED'} in ${(summary.durationMs / 1000).toFixed(0)} s; results in ${output}`);
  for (const r of results) console.log(`  ${r.passed ? '✔' : '✘'} ${r.title} (${(r.durationMs / 1000).toFixed(1)} s)`);
  if (args.writeDocs) {
    if (args.only) console.log('--write-docs with --only: only the scenarios that ran are updated.');
    const path = writeDocs(results, { machine: machine(), startedAt, command: `npm run test:chaos -- ${process.argv.slice(2).join(' ')}`.trim() });
    console.log(`Figures written to ${path}`);
  }
  return summary.passed ? 0 : 1;
}

// An interrupted run (Ctrl-C, a CI timeout) takes its servers with it; the workers exit when their
// IPC channel closes.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllServers();
    killAllRedis();
    process.exit(130);
  });
}

// Exit explicitly: a scenario that failed half-way may leave a socket or a timer behind.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
