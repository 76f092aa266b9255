/**
 * `npm run bench:hidden-tab`: the Heartbeat client and socket.io-client each in a hidden tab of one
 * Chromium, beside an empty hidden tab (see --help). Prints the tables, writes them as JSON and, for
 * windows of 10 minutes or more, into docs/benchmarks.md.
 */
import { MONITOR_BUILD, monitorBuildMissing } from '@heartbeat/testing/monitor-build';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CLIENT_PING_INTERVAL_MS, SERVER_HEARTBEAT_DEFAULTS } from '@heartbeat/protocol';
import { THROTTLED_MIN_MS } from './hidden-tab/hidden-tab-browser.js';
import { HIDDEN_TAB_OPTIONS, HIDDEN_TAB_USAGE, hiddenTabSettings, type HiddenTabSettings } from './hidden-tab/hidden-tab-options.js';
import { hiddenTabTable, perMinuteTable, runProblems, TAB_KINDS, TAB_LABELS, tabFigures, type TabFigures, type TabKind } from './hidden-tab/hidden-tab-report.js';
import { type HiddenTabResult, hiddenTabRun, killHiddenTabBrowser } from './hidden-tab/hidden-tab-run.js';
import { runCli } from './lib/cli-main.js';
import { cliHelp } from './lib/cli-options.js';
import { machineDescription, machineLoad } from './lib/machine.js';
import { upsertSection } from './lib/markdown-section.js';
import { ProgressLine } from './lib/progress.js';
import { renderMarkdownTable, renderTextTable } from './lib/text-table.js';

const OUTPUT = fileURLToPath(new URL('../output/', import.meta.url));
const DOCS = fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url));
const DOCS_HEADING = '## Hidden tab: Heartbeat client vs socket.io-client in a background tab of Chromium';

function setupText(settings: HiddenTabSettings, result: HiddenTabResult): string {
  const seconds = (ms: number) => `${ms / 1000} s`;
  const hidden = TAB_KINDS.map((kind) => `${TAB_LABELS[kind]} ${result.hidden[kind].before.chainedTimeoutsMs.toFixed(0)} ms`).join(', ');
  return [
    `One headless ${result.chromiumVersion} (Debian's package); the three tabs opened with CDP Target.createTarget({ background: true }) behind an about:blank tab in the same window,`,
    'so each page loads and runs hidden, as a tab the user left; each on a site of its own (heartbeat.localhost, socketio.localhost, empty.localhost), so each has its own renderer',
    `process and JS heap (the browser ran ${result.renderers} renderer processes). Playwright attaches over CDP with \`noDefaults\`: its own launch turns background throttling off and emulates focus, which keeps a tab visible.`,
    `Every tab reported document.visibilityState "hidden" before and after the window, and three chained setTimeout(10 ms) took ${hidden} in it before the window`,
    `(Chromium's one wake-up a second for hidden tabs; about 30 ms in a visible tab, at least ${THROTTLED_MIN_MS} ms required).`,
    `Servers with the heartbeat an application gets by default: the monitor server from apps/monitor-server/dist pings every ${seconds(SERVER_HEARTBEAT_DEFAULTS.pingInterval)}`,
    '(no HEARTBEAT_* variables; a client token, the topic public and the alert simulator off); the Heartbeat client with default options, whose own ping',
    `(${seconds(DEFAULT_CLIENT_PING_INTERVAL_MS)} by default) follows the server's, so every ${seconds(SERVER_HEARTBEAT_DEFAULTS.pingInterval)} too (docs/client.md#timing-from-the-server);`,
    'Socket.IO 4 with its defaults (the server pings every 25 s, pingTimeout 20 s; the client only answers) and socket.io-client with its defaults',
    "(HTTP long-polling first, then WebSocket; the server allows the page's origin by CORS).",
    `Each page is its client bundled with esbuild, minified, from the built packages (Heartbeat ${kB(result.bundleBytes.heartbeat)}, socket.io-client ${kB(result.bundleBytes.socketio)});`,
    'the Heartbeat page subscribes to one topic, the Socket.IO page listens to one event; both count events, connections and heartbeat frames. The empty tab runs no script.',
    `Both servers publish one small event (a JSON payload under 50 bytes) every ${seconds(settings.eventIntervalMs)} through the window.`,
    "Metrics: CDP Performance.getMetrics per tab with timeDomain threadTicks (durations are CPU time of the tab's main thread), at the start of the window, every minute and at its end:",
    'ScriptDuration (script time), TaskDuration (task time), ThreadTime (main-thread CPU), ProcessTime (the renderer process, all threads; 10 ms steps), JSHeapUsedSize and JSHeapTotalSize;',
    "heap used read after HeapProfiler.collectGarbage at the start and the end. Ratios: Heartbeat ÷ socket.io-client, as measured and above the empty tab (each minus the empty tab's figure).",
  ].join(' ');
}

function kB(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} kB`;
}

async function run(settings: HiddenTabSettings): Promise<number> {
  const missing = monitorBuildMissing(MONITOR_BUILD.app, 'npm run bench:hidden-tab');
  if (missing) {
    console.error(missing);
    return 1;
  }
  mkdirSync(OUTPUT, { recursive: true });
  const startedAt = new Date();
  const loadBefore = machineLoad();
  const command = `npm run bench:hidden-tab${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  console.log(`${command}\n${machineDescription()}; ${loadBefore}\n`);
  const result = await hiddenTabRun(settings, new ProgressLine());
  const loadAfter = machineLoad();

  const figures = Object.fromEntries(TAB_KINDS.map((kind) => [kind, tabFigures(result.runs[kind])])) as Record<TabKind, TabFigures>;
  const table = hiddenTabTable(figures, result.published);
  const minutes = perMinuteTable(figures);
  const notHidden = TAB_KINDS.filter((kind) => result.hidden[kind].visibilityAfter !== 'hidden').map((kind) => `The ${TAB_LABELS[kind]} tab was ${result.hidden[kind].visibilityAfter} at the end of the window, not hidden.`);
  const problems = [...notHidden, ...runProblems(figures, result.published)];
  console.log(`\n${renderTextTable(table)}\n\n${renderTextTable(minutes)}`);

  const outputFile = `${OUTPUT}hidden-tab.json`;
  writeFileSync(outputFile, JSON.stringify({ command, startedAt: startedAt.toISOString(), machine: machineDescription(), loadBefore, loadAfter, settings, result, table, minutes, problems }, null, 2));
  console.log(`\nResults: ${outputFile}`);
  if (problems.length > 0) {
    console.error(`\n${problems.join('\n')}`);
    return 1;
  }
  if (settings.writeDocs) {
    const body = [
      `Command: \`${command}\` — ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${(settings.windowMs / 60_000).toFixed(1)} min window.`,
      '',
      `Machine: ${machineDescription()}. Servers, browser and other work share it: ${loadBefore} before the run, ${loadAfter} after it.`,
      '',
      setupText(settings, result),
      '',
      renderMarkdownTable(table),
      '',
      renderMarkdownTable(minutes),
    ].join('\n');
    const current = existsSync(DOCS) ? readFileSync(DOCS, 'utf8') : '# Benchmarks\n';
    writeFileSync(DOCS, upsertSection(current, DOCS_HEADING, body));
    console.log(`Written to ${DOCS}`);
  }
  return 0;
}

runCli<ReturnType<typeof hiddenTabSettings>>({ parse: hiddenTabSettings, help: cliHelp(HIDDEN_TAB_USAGE, HIDDEN_TAB_OPTIONS), run, onAbort: killHiddenTabBrowser });
