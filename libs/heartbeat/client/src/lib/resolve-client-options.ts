import * as ClientMessages from './client.messages.js';
import { SYSTEM_CLOCK, type ClientClock } from './client-clock.js';
import {
  DEFAULT_TIMING,
  NETWORK_PRESETS,
  type HeartbeatClientOptions,
  type HeartbeatLogger,
  type HeartbeatTimingOptions,
  type TokenProvider,
} from './client-options.js';
import { browserConnectivitySignals, type ConnectivitySignals } from './connectivity-signals.js';
import { LIVENESS_OPTION_NAMES, PONG_TIMEOUT_SHARE, type LivenessOptionName } from './liveness-timing.js';
import { TEST_HOOKS, type OptionsWithTestHooks } from './test-hooks.js';
import type { WebSocketConstructor } from './web-socket-like.js';


export class HeartbeatClientOptionsError extends Error {
  override readonly name = 'HeartbeatClientOptionsError';
}

/** Options with every default applied, validated once at construction. */
export interface ResolvedClientOptions extends HeartbeatTimingOptions {
  readonly url: string;
  readonly token: string | TokenProvider | undefined;
  readonly autoReconnect: boolean;
  readonly log: HeartbeatLogger;
  readonly webSocket: WebSocketConstructor;
  readonly connectivity: ConnectivitySignals;
  readonly clientInfo: { name: string; version: string } | undefined;
  readonly random: () => number;
  readonly clock: ClientClock;
  /** The heartbeat options the app set itself (explicitly or by its preset): welcome.heartbeat does not change them. */
  readonly ownLiveness: ReadonlySet<LivenessOptionName>;
}

type Rule = { test: (value: number) => boolean; text: string };
const positive: Rule = { test: (v) => Number.isFinite(v) && v > 0, text: 'a positive number of milliseconds' };
const nonNegative: Rule = { test: (v) => Number.isFinite(v) && v >= 0, text: 'a number of milliseconds, 0 or more' };
const TIMING_RULES: Readonly<Record<keyof HeartbeatTimingOptions, Rule>> = {
  maxReconnectAttempts: { test: (v) => Number.isInteger(v) && v >= 0, text: 'a whole number, 0 or more' },
  reconnectInterval: nonNegative,
  backoffMultiplier: { test: (v) => Number.isFinite(v) && v >= 1, text: 'a number, 1 or more' },
  maxReconnectInterval: nonNegative,
  pingInterval: positive,
  pongTimeout: positive,
  maxMissedPongs: { test: (v) => Number.isInteger(v) && v >= 1, text: 'a whole number, 1 or more' },
  jitter: { test: (v) => Number.isFinite(v) && v >= 0 && v <= 1, text: 'a fraction from 0 to 1' },
  connectTimeout: positive,
  suspendedRetryInterval: nonNegative,
};

/** The names of the timing options (docs/client.md#options), in the order the docs list them. */
export const TIMING_OPTION_NAMES = Object.keys(TIMING_RULES) as readonly (keyof HeartbeatTimingOptions)[];

/**
 * What a timing option must be, in words ("a positive number of milliseconds"), when `value` is
 * not acceptable for it; undefined when it is. The constructor checks with it, and so can an app
 * that takes options from outside (a URL, a form), so that both accept the same values.
 */
export function timingOptionProblem(name: keyof HeartbeatTimingOptions, value: unknown): string | undefined {
  const rule = TIMING_RULES[name];
  return typeof value === 'number' && rule.test(value) ? undefined : rule.text;
}

/** A request timeout (withRequests()' `timeout`, a request's `timeout`) when `value` is one: a positive number of milliseconds. */
export function isRequestTimeout(value: unknown): value is number {
  return typeof value === 'number' && positive.test(value);
}

export function resolveClientOptions(options: HeartbeatClientOptions, globals: typeof globalThis = globalThis): ResolvedClientOptions {
  const preset = options.preset ?? 'stable';
  if (!Object.hasOwn(NETWORK_PRESETS, preset)) throw new HeartbeatClientOptionsError(ClientMessages.unknownPreset(preset));
  const timing: HeartbeatTimingOptions = { ...DEFAULT_TIMING, ...NETWORK_PRESETS[preset] };
  for (const name of TIMING_OPTION_NAMES) {
    const value = options[name];
    if (value === undefined) continue;
    const expected = timingOptionProblem(name, value);
    if (expected !== undefined) throw new HeartbeatClientOptionsError(ClientMessages.optionNotNumber(name, value, expected));
    timing[name] = value as number;
  }
  if (timing.pongTimeout >= timing.pingInterval) {
    if (options.pongTimeout !== undefined) {
      throw new HeartbeatClientOptionsError(ClientMessages.pongTimeoutTooLong(timing.pongTimeout, timing.pingInterval));
    }
    // Only pingInterval was shortened (e.g. `?pingInterval=1000` while debugging): keep the
    // defaults' 3:1 ratio of ping period to pong timeout rather than refuse a default nobody chose.
    timing.pongTimeout = Math.round(timing.pingInterval * PONG_TIMEOUT_SHARE);
  }
  const hooks = (options as OptionsWithTestHooks)[TEST_HOOKS];
  const webSocket = options.webSocket ?? (globals.WebSocket as unknown as WebSocketConstructor | undefined);
  if (!webSocket) throw new HeartbeatClientOptionsError(ClientMessages.noWebSocket());
  // Object.assign, not a spread of `timing`: V8 gave each spread a hidden class of its own (the
  // timing's fields change representation as options overwrite them), so every client's options
  // cost one and every read of them went megamorphic (docs/benchmarks.md, twelfth pass).
  return Object.assign({
    url: resolveUrl(options.url, globals),
    token: options.token,
    autoReconnect: options.autoReconnect ?? true,
    log: loggerFor(options.debug),
    webSocket,
    connectivity: options.connectivity ?? browserConnectivitySignals(globals as never),
    clientInfo: options.clientInfo,
    random: hooks?.random ?? Math.random,
    clock: hooks?.clock ?? SYSTEM_CLOCK,
    ownLiveness: new Set(LIVENESS_OPTION_NAMES.filter((name) => options[name] !== undefined || NETWORK_PRESETS[preset][name] !== undefined)),
  }, timing);
}

/** ws(s):// as given; http(s):// and page-relative paths mapped onto the matching ws scheme. */
export function resolveUrl(url: string, globals: { location?: { href: string } } = globalThis as never): string {
  if (typeof url !== 'string' || url.trim() === '') throw new HeartbeatClientOptionsError(ClientMessages.urlMissing());
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(url);
  if (!absolute && !globals.location) throw new HeartbeatClientOptionsError(ClientMessages.urlRelativeOutsideBrowser(url));
  let parsed: URL;
  try {
    parsed = new URL(url, absolute ? undefined : globals.location?.href);
  } catch {
    throw new HeartbeatClientOptionsError(ClientMessages.urlInvalid(url));
  }
  const scheme = { 'ws:': 'ws:', 'wss:': 'wss:', 'http:': 'ws:', 'https:': 'wss:' }[parsed.protocol];
  if (!scheme) throw new HeartbeatClientOptionsError(ClientMessages.urlBadScheme(url));
  parsed.protocol = scheme;
  return parsed.toString();
}

function loggerFor(debug: HeartbeatClientOptions['debug']): HeartbeatLogger {
  if (typeof debug === 'function') return debug;
  if (debug) return (message, ...details) => console.debug(`[heartbeat] ${message}`, ...details);
  return () => undefined;
}
