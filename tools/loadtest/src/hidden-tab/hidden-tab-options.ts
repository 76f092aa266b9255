import { type OptionSchema, parseCliOptions } from '../lib/cli-options.js';

export const HIDDEN_TAB_USAGE = [
  'Usage: npm run bench:hidden-tab [-- options]',
  '',
  'The Heartbeat client and socket.io-client, each in a hidden tab of one headless Chromium, beside an empty',
  "hidden tab, for --minutes: Chromium's performance metrics per tab (script and task time, main-thread and",
  'renderer CPU, JS heap), and what each client counted (events, connections lost, heartbeat frames). The',
  'monitor server (its build) and a Socket.IO 4 server run with their default heartbeats, and each publishes one',
  'small event every --event-interval seconds. The tables go to the terminal, tools/loadtest/output/hidden-tab.json',
  'and, for windows of 10 minutes or more, docs/benchmarks.md. It fails when a client did not stay connected or',
  'missed an event, or a tab was not hidden.',
  '',
  'Examples:',
  '  npm run bench:hidden-tab                       10 minutes (the figures of docs/benchmarks.md)',
  '  npm run bench:hidden-tab -- --minutes=0.5      a smoke run (CI)',
];

export const HIDDEN_TAB_OPTIONS = {
  minutes: { kind: 'number', min: 0.1, default: 10, placeholder: 'MIN', description: 'Length of the measured window; metrics are read at its start, every minute and at its end.' },
  eventInterval: { kind: 'number', min: 1, default: 10, placeholder: 'S', description: 'Each server publishes one small event every S seconds of the window.' },
  docs: { kind: 'flag', default: true, description: 'Write the tables to docs/benchmarks.md (only for windows of 10 minutes or more).' },
} as const satisfies OptionSchema;

/** Windows shorter than this are smoke runs: printed, never written to docs/benchmarks.md. */
export const DOCS_MIN_WINDOW_MS = 10 * 60_000;
export const SAMPLE_EVERY_MS = 60_000;

export interface HiddenTabSettings {
  windowMs: number;
  eventIntervalMs: number;
  writeDocs: boolean;
}

export function hiddenTabSettings(argv: readonly string[]): HiddenTabSettings & { help: boolean } {
  const options = parseCliOptions(argv, HIDDEN_TAB_OPTIONS);
  const windowMs = Math.round(options.minutes * 60_000);
  return { help: options.help, windowMs, eventIntervalMs: Math.round(options.eventInterval * 1000), writeDocs: options.docs && windowMs >= DOCS_MIN_WINDOW_MS };
}

/**
 * Offsets into the window of what recurs every `everyMs` (the readings between the first and the
 * last, the publishes): none at the very end, where a publish would race the last reading.
 */
export function offsetsInside(windowMs: number, everyMs: number): number[] {
  const offsets: number[] = [];
  for (let at = everyMs; at < windowMs; at += everyMs) offsets.push(at);
  return offsets;
}
