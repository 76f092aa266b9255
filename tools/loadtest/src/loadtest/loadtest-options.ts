import { CliOptionsError, type OptionSchema, optionName, parseCliOptions } from '../lib/cli-options.js';

export const SCENARIOS = ['idle', 'fanout', 'restart', 'drain', 'resume'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const LOADTEST_USAGE = [
  'Usage: npm run loadtest -- [options]',
  '',
  'Opens N Heartbeat client connections (the client library, in several worker processes, from loopback source',
  'addresses) at a given rate, runs a scenario, and prints a table of figures, the client side and the server',
  "side (read from the server's /metrics). The table is also written as JSON, and a chart of connections and",
  'event-loop lag over time as SVG, both to tools/loadtest/output/ (--out).',
  '',
  'Scenarios:',
  '  idle     heartbeat only, for --duration s',
  '  fanout   events to every client (ALERT_RATE=--events-per-second): delivered/s, latency',
  '  restart  SIGKILL the server and start it again: time until all are back, peak accepts/s, failed handshakes',
  '  drain    SIGTERM: closes with 1012 spread over the drain window, server exit code, all back',
  '  resume   events and random connection cuts for --duration s: lost and duplicated events',
  '',
  'Without --url the tool starts the built monitor server itself (restart and drain need that); with --url it',
  'loads a server that is already running (loopback only), with --token as the client token.',
  '',
  'Examples:',
  '  npm run loadtest -- --scenario=idle --connections=2000 --rate=500',
  '  npm run loadtest -- --scenario=restart --connections=5000 --max-reconnect-interval=5000',
  '  npm run loadtest -- --scenario=fanout --url=ws://127.0.0.1:3000/ws --token=secret --events-per-second=50',
];

export const LOADTEST_OPTIONS = {
  scenario: { kind: 'choice', choices: SCENARIOS, default: 'idle', description: 'What to do with the connections once they are open.' },
  connections: { kind: 'number', integer: true, min: 1, max: 200_000, default: 1_000, description: 'Connections to open.' },
  rate: { kind: 'number', min: 1, default: 500, placeholder: 'PER_S', description: 'New connections per second while opening them.' },
  duration: { kind: 'number', min: 1, default: 30, placeholder: 'S', description: 'Seconds of the idle, fanout and resume phases.' },
  url: { kind: 'text', placeholder: 'WS_URL', description: 'WebSocket URL of a running server (loopback); without it the tool starts the monitor server.' },
  token: { kind: 'text', description: 'Client token for --url (the tool sets its own when it starts the server).' },
  metricsUrl: { kind: 'text', placeholder: 'URL', description: 'Prometheus endpoint of the server (default: /metrics next to the WebSocket URL).' },
  topic: { kind: 'text', default: 'alerts', description: 'Topic the clients subscribe to.' },
  eventsPerSecond: { kind: 'number', min: 0, max: 10_000, default: 20, description: 'Events per second on the topic, for fanout and resume (the started server\'s ALERT_RATE).' },
  cutsPerSecond: { kind: 'number', min: 0.1, default: 5, description: 'resume: connections cut per second (dropped without a close handshake).' },
  processes: { kind: 'number', integer: true, min: 1, max: 32, description: 'Client worker processes (default: one per 4,000 connections, at least 2).' },
  pingInterval: { kind: 'number', integer: true, min: 100, placeholder: 'MS', description: "Started server's HEARTBEAT_PING_INTERVAL_MS (default: the server's)." },
  drainWindow: { kind: 'number', integer: true, min: 0, default: 5_000, placeholder: 'MS', description: "Started server's DRAIN_WINDOW_MS." },
  clientPingInterval: { kind: 'number', integer: true, min: 100, placeholder: 'MS', description: "Clients' pingInterval (default: the server's, from welcome.heartbeat)." },
  reconnectInterval: { kind: 'number', integer: true, min: 0, placeholder: 'MS', description: "Clients' reconnectInterval (default: the client's)." },
  maxReconnectInterval: { kind: 'number', integer: true, min: 0, placeholder: 'MS', description: "Clients' maxReconnectInterval (default: the client's)." },
  out: { kind: 'text', placeholder: 'DIR', description: 'Folder for the JSON and SVG files (default tools/loadtest/output).' },
} as const satisfies OptionSchema;

export type LoadtestOptions = ReturnType<typeof parseLoadtestOptions>;

/** Parses and cross-checks the options; a combination that cannot work is refused with the reason. */
export function parseLoadtestOptions(argv: readonly string[]) {
  const options = parseCliOptions(argv, LOADTEST_OPTIONS);
  if (options.help) return options;
  if (options.url !== undefined) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new CliOptionsError(`--url must be a WebSocket URL such as ws://127.0.0.1:3000/ws, but is "${options.url}".`);
    }
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new CliOptionsError(`--url must start with ws:// or wss://, but is "${options.url}".`);
    if (!isLoopback(url.hostname)) {
      throw new CliOptionsError(`--url must point at this machine (localhost, 127.x.x.x or [::1]), but names ${url.hostname}: a load test only targets loopback.`);
    }
    if (options.scenario === 'restart' || options.scenario === 'drain') {
      throw new CliOptionsError(`--scenario=${options.scenario} kills the server and starts it again, so the tool must start it: leave out --url.`);
    }
    for (const key of ['pingInterval', 'drainWindow'] as const) {
      const name = optionName(key);
      if (argv.some((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`))) {
        throw new CliOptionsError(`--${name} sets up a server the tool starts; a server at --url keeps its own settings.`);
      }
    }
  }
  if ((options.scenario === 'fanout' || options.scenario === 'resume') && options.eventsPerSecond === 0 && options.url === undefined) {
    throw new CliOptionsError(`--scenario=${options.scenario} needs events: give --events-per-second a value above 0.`);
  }
  return options;
}

export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** `/metrics` on the HTTP side of the WebSocket URL's host. */
export function defaultMetricsUrl(wsUrl: string): string {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = '/metrics';
  url.search = '';
  return url.toString();
}
