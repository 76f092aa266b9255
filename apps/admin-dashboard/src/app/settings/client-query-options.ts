import { TIMING_OPTION_NAMES, timingOptionProblem, type HeartbeatTimingOptions, type NetworkPreset } from '@heartbeat/client';

/** The client options a dashboard URL may override, e.g. `/?reconnectInterval=500&jitter=0&debug=1`. */
export type ClientQueryOptions = Partial<HeartbeatTimingOptions> & { debug?: boolean; preset?: NetworkPreset };

/** What `parseClientQuery` read from a query string. */
export interface ParsedClientQuery {
  options: ClientQueryOptions;
  /** `?token=`: the client token for `hello`. */
  token?: string;
  /** `?adminToken=`: the bearer token of the admin API. */
  adminToken?: string;
  /** One sentence per ignored parameter, saying what was wrong with it. */
  warnings: string[];
}

const PRESETS: readonly NetworkPreset[] = ['stable', 'unstable', 'mobile'];
const TRUE_WORDS = ['', '1', 'true', 'on', 'yes'];
const FALSE_WORDS = ['0', 'false', 'off', 'no'];

/**
 * Reads client options and tokens from a URL query string. Invalid values are left out (the
 * client's defaults apply) and reported in `warnings`; parameters it does not know are ignored.
 */
export function parseClientQuery(search: string): ParsedClientQuery {
  const params = new URLSearchParams(search);
  const options: ClientQueryOptions = {};
  const warnings: string[] = [];

  // The client's own rules, so that the page never passes on a value the client would refuse.
  for (const name of TIMING_OPTION_NAMES) {
    const raw = params.get(name);
    if (raw === null) continue;
    const value = raw.trim() === '' ? Number.NaN : Number(raw);
    const expected = timingOptionProblem(name, value);
    if (expected === undefined) options[name] = value;
    else warnings.push(`Ignored ?${name}=${raw}: it must be ${expected}.`);
  }

  const debug = params.get('debug');
  if (debug !== null) {
    const word = debug.trim().toLowerCase();
    if (TRUE_WORDS.includes(word)) options.debug = true;
    else if (FALSE_WORDS.includes(word)) options.debug = false;
    else warnings.push(`Ignored ?debug=${debug}: use 1 to turn debug logs on or 0 to turn them off.`);
  }

  const preset = params.get('preset');
  if (preset !== null) {
    if ((PRESETS as readonly string[]).includes(preset)) options.preset = preset as NetworkPreset;
    else warnings.push(`Ignored ?preset=${preset}: it must be one of ${PRESETS.join(', ')}.`);
  }

  const parsed: ParsedClientQuery = { options, warnings };
  const token = params.get('token')?.trim();
  if (token) parsed.token = token;
  const adminToken = params.get('adminToken')?.trim();
  if (adminToken) parsed.adminToken = adminToken;
  return parsed;
}

/** The query without its token parameters, so that secrets do not stay in the address bar and history. */
export function withoutTokens(search: string): string {
  const params = new URLSearchParams(search);
  params.delete('token');
  params.delete('adminToken');
  const rest = params.toString();
  return rest ? `?${rest}` : '';
}
