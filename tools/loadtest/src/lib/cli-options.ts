/**
 * Command-line options of the load test and the benchmark: one schema gives the parser, the
 * defaults and the --help text, so the help can never disagree with what is accepted.
 */

interface BaseSpec {
  readonly description: string;
  /** Shown in --help after the name, e.g. `N` in `--connections=N`. */
  readonly placeholder?: string;
}

export interface NumberSpec extends BaseSpec {
  readonly kind: 'number';
  readonly default?: number;
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
}

export interface ChoiceSpec<C extends string = string> extends BaseSpec {
  readonly kind: 'choice';
  readonly choices: readonly C[];
  readonly default?: C;
}

export interface TextSpec extends BaseSpec {
  readonly kind: 'text';
  readonly default?: string;
}

export interface FlagSpec extends BaseSpec {
  readonly kind: 'flag';
  readonly default?: boolean;
}

/** A comma-separated list of whole numbers, e.g. `--sizes=1000,10000`. */
export interface ListSpec extends BaseSpec {
  readonly kind: 'list';
  readonly default?: readonly number[];
  readonly min?: number;
}

/** Several of a fixed set, comma-separated, e.g. `--servers=monitor,ws`. */
export interface ChoiceListSpec<C extends string = string> extends BaseSpec {
  readonly kind: 'choice-list';
  readonly choices: readonly C[];
  readonly default?: readonly C[];
}

export type OptionSpec = NumberSpec | ChoiceSpec | TextSpec | FlagSpec | ListSpec | ChoiceListSpec;
export type OptionSchema = Readonly<Record<string, OptionSpec>>;

type ValueOf<S extends OptionSpec> = S extends NumberSpec
  ? number
  : S extends ChoiceSpec<infer C>
    ? C
    : S extends FlagSpec
      ? boolean
      : S extends ListSpec
        ? number[]
        : S extends ChoiceListSpec<infer C>
          ? C[]
          : string;

/** Parsed values: options with a default (and flags) are always set, the others may be undefined. */
export type ParsedOptions<S extends OptionSchema> = {
  -readonly [K in keyof S]: S[K] extends FlagSpec ? boolean : S[K] extends { default: unknown } ? ValueOf<S[K]> : ValueOf<S[K]> | undefined;
} & { help: boolean };

/** A command line that cannot be used; the message names the option and what it takes. */
export class CliOptionsError extends Error {
  override readonly name = 'CliOptionsError';
}

/** `eventsPerSecond` → `events-per-second`: schema keys are camelCase, the command line kebab-case. */
export function optionName(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

export function parseCliOptions<S extends OptionSchema>(argv: readonly string[], schema: S): ParsedOptions<S> {
  const byName = new Map(Object.keys(schema).map((key) => [optionName(key), key]));
  const values: Record<string, unknown> = { help: false };
  for (const [key, spec] of Object.entries(schema)) {
    values[key] = spec.kind === 'flag' ? (spec.default ?? false) : spec.default === undefined ? undefined : copy(spec.default);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      values.help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new CliOptionsError(`Unexpected argument "${arg}": options are written --name=value. Run with --help to see them.`);
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals < 0 ? undefined : equals);
    const inline = equals < 0 ? undefined : arg.slice(equals + 1);
    const negated = name.startsWith('no-') && !byName.has(name) ? byName.get(name.slice(3)) : undefined;
    if (negated !== undefined && schema[negated]?.kind === 'flag') {
      if (inline !== undefined) throw new CliOptionsError(`--${name} takes no value. Write --${name} alone.`);
      values[negated] = false;
      continue;
    }
    const key = byName.get(name);
    const spec = key === undefined ? undefined : schema[key];
    if (key === undefined || spec === undefined) throw new CliOptionsError(`Unknown option --${name}. Run with --help to see the options.`);
    if (spec.kind === 'flag') {
      values[key] = flagValue(name, inline);
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new CliOptionsError(`--${name} needs a value, e.g. --${name}=${example(spec)}.`);
      raw = next;
      i++;
    }
    values[key] = convert(name, spec, raw);
  }
  return values as ParsedOptions<S>;
}

function copy(value: unknown): unknown {
  return Array.isArray(value) ? [...value] : value;
}

function flagValue(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === 'true') return true;
  if (raw === 'false') return false;
  throw new CliOptionsError(`--${name} is a switch: write --${name} or --no-${name}, not --${name}=${raw}.`);
}

function convert(name: string, spec: Exclude<OptionSpec, FlagSpec>, raw: string): unknown {
  switch (spec.kind) {
    case 'text':
      if (raw.trim() === '') throw new CliOptionsError(`--${name} needs a value, e.g. --${name}=${example(spec)}.`);
      return raw;
    case 'choice':
      if (!spec.choices.includes(raw)) throw new CliOptionsError(`--${name} must be one of ${spec.choices.join(', ')}, but is "${raw}".`);
      return raw;
    case 'choice-list': {
      const items = raw.split(',').map((item) => item.trim());
      const unknown = items.filter((item) => !spec.choices.includes(item));
      if (items.length === 0 || unknown.length > 0 || items.includes('')) {
        throw new CliOptionsError(`--${name} takes a comma-separated list of ${spec.choices.join(', ')}, but is "${raw}".`);
      }
      return items;
    }
    case 'list':
      return raw.split(',').map((item) => {
        const value = Number(item.trim());
        if (item.trim() === '' || !Number.isInteger(value) || value < (spec.min ?? 0)) {
          throw new CliOptionsError(`--${name} takes a comma-separated list of whole numbers of at least ${spec.min ?? 0}, but is "${raw}".`);
        }
        return value;
      });
    case 'number': {
      const value = Number(raw);
      const ok = raw.trim() !== '' && Number.isFinite(value) && (!spec.integer || Number.isInteger(value));
      if (!ok || value < (spec.min ?? -Infinity) || value > (spec.max ?? Infinity)) {
        throw new CliOptionsError(`--${name} must be ${describeNumber(spec)}, but is "${raw}".`);
      }
      return value;
    }
  }
}

function describeNumber(spec: NumberSpec): string {
  const what = spec.integer ? 'a whole number' : 'a number';
  if (spec.min !== undefined && spec.max !== undefined) return `${what} from ${spec.min} to ${spec.max}`;
  if (spec.min !== undefined) return `${what} of at least ${spec.min}`;
  if (spec.max !== undefined) return `${what} of at most ${spec.max}`;
  return what;
}

function example(spec: Exclude<OptionSpec, FlagSpec>): string {
  if (spec.kind === 'choice' || spec.kind === 'choice-list') return spec.choices[0] ?? '';
  if (spec.default !== undefined) return Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default);
  return spec.placeholder ?? 'VALUE';
}

/** The --help text: usage lines, then one entry per option with its default. */
export function cliHelp(usage: readonly string[], schema: OptionSchema): string {
  const entries = Object.entries(schema).map(([key, spec]) => {
    const name = optionName(key);
    const left = spec.kind === 'flag' ? `--${name}` : `--${name}=${spec.placeholder ?? placeholderOf(spec)}`;
    return [left, `${spec.description}${defaultText(name, spec)}`] as const;
  });
  entries.push(['--help', 'Show this text.']);
  const width = Math.max(...entries.map(([left]) => left.length)) + 2;
  return [...usage, '', 'Options:', ...entries.map(([left, right]) => `  ${left.padEnd(width)}${right}`)].join('\n');
}

function placeholderOf(spec: Exclude<OptionSpec, FlagSpec>): string {
  if (spec.kind === 'choice') return spec.choices.join('|');
  if (spec.kind === 'choice-list') return `${spec.choices.join(',')}`;
  if (spec.kind === 'list') return 'N,N,...';
  return spec.kind === 'number' ? 'N' : 'VALUE';
}

function defaultText(name: string, spec: OptionSpec): string {
  if (spec.default === undefined || spec.default === false) return '';
  if (spec.default === true) return ` (on by default; --no-${name} turns it off)`;
  return ` (default ${Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default)})`;
}
