import { MAX_ID_LENGTH, MAX_TIMESTAMP_LENGTH, MAX_TOPIC_LENGTH } from './frame-limits.js';
import { isCounter, isEpochMs, isText } from './value-tests.js';

/**
 * The rules of every server frame's zod schema (frame-schemas.ts), written without zod: the client
 * parses server frames with these, so that a browser bundle carries no zod (issue 14's weight
 * budget). server-frame-guards.spec.ts holds each guard to accepting exactly what its schema
 * accepts and building the same frame (the schema's fields in its order, unknown fields dropped).
 * One table serves every type, the frequent ping and event included: a valid field costs no
 * allocation (a check hands back the value itself), so they need no hand-written fast path.
 */

/** What a check found wrong with a value: a sentence such as "expected an integer ≥ 0". */
class Problem {
  constructor(readonly text: string) {}
}

/** A field's check: the value to keep (the value itself, or a built object or array), or a Problem. */
type FieldCheck = (value: unknown, present: boolean) => unknown;

/** A check of plain values: `value` when `test` accepts it, else a Problem saying what was `expected`. */
function rule(test: (value: unknown) => boolean, expected: string): FieldCheck {
  const problem = new Problem(expected);
  return (value) => (test(value) ? value : problem);
}

const text = (min: number, max: number): FieldCheck =>
  rule((value) => isText(value, min, max), `expected a string of ${min === max ? min : `${min}–${max}`} characters`);

const anyText = rule((value) => typeof value === 'string', 'expected a string');
const counter = rule(isCounter, 'expected an integer ≥ 0');
const epochMs = rule(isEpochMs, 'expected a finite number');
const bool = rule((value) => typeof value === 'boolean', 'expected true or false');
/** Any JSON value, but the key must be there (as zod's `z.unknown()` in an object requires it). */
const anything: FieldCheck = (value, present) => (present ? value : new Problem('required'));

const topic = text(1, MAX_TOPIC_LENGTH);
const id = text(1, MAX_ID_LENGTH);
const isoTimestamp = text(0, MAX_TIMESTAMP_LENGTH);

/** Marks a field that may be absent: an absent one is left out of the frame. */
interface Optional {
  readonly optional: FieldCheck;
}

const optional = (check: FieldCheck): Optional => ({ optional: check });

type Shape = Readonly<Record<string, FieldCheck | Optional>>;

/**
 * Checks `value` against `shape`, appending problems under `path`; copies the fields into `built`
 * and returns it when there were none.
 */
function checkObject(
  shape: Shape,
  value: unknown,
  path: string,
  problems: string[],
  built: Record<string, unknown> = {},
): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${path || 'frame'}: expected an object`);
    return undefined;
  }
  const source = value as Record<string, unknown>;
  const before = problems.length;
  for (const key in shape) {
    const field = shape[key];
    const present = Object.hasOwn(source, key);
    const isOptional = typeof field !== 'function';
    if (isOptional && !present) continue;
    const check = isOptional ? field.optional : field;
    const nested = (check as Partial<NestedCheck>).shape;
    if (nested && present) {
      // A nested object names its own fields' paths (`heartbeat.ping_interval`).
      const inner = checkObject(nested, source[key], path ? `${path}.${key}` : key, problems);
      if (inner) built[key] = inner;
      continue;
    }
    const result = present || check === anything ? check(source[key], present) : new Problem('required');
    if (result instanceof Problem) problems.push(`${path ? `${path}.${key}` : key}: ${result.text}`);
    else built[key] = result;
  }
  return problems.length === before ? built : undefined;
}

/** A check of a nested object, whose shape checkObject walks with the full path. */
type NestedCheck = FieldCheck & { readonly shape: Shape };

function object(shape: Shape): NestedCheck {
  const check: FieldCheck = (value) => {
    const problems: string[] = [];
    return checkObject(shape, value, '', problems) ?? new Problem(problems.join(', '));
  };
  return Object.assign(check, { shape });
}

function list(item: FieldCheck): FieldCheck {
  return (value) => {
    if (!Array.isArray(value)) return new Problem('expected an array');
    const items: unknown[] = [];
    for (const [index, element] of value.entries()) {
      const result = item(element, true);
      if (result instanceof Problem) return new Problem(`item ${index}: ${result.text}`);
      items.push(result);
    }
    return items;
  };
}

const member = object({ user_id: id, connections: counter, since: epochMs });

/** One shape per server frame type, fields in the schema's order (`type` first, always). */
const SERVER_SHAPES: Readonly<Record<string, Shape>> = {
  welcome: {
    session_id: id,
    resumed: bool,
    heartbeat: object({ ping_interval: counter, heartbeat_timeout: counter, max_missed_pings: counter }),
    server_time: epochMs,
    token_expires_at: optional(epochMs),
    user_id: optional(id),
    hello_subscribe: optional(bool),
  },
  ping: { timestamp: isoTimestamp, server_time: epochMs, sequence: counter },
  pong: { timestamp: isoTimestamp, server_time: epochMs, client_time: epochMs, sequence: counter, ping_count: counter },
  subscribed: { topic, epoch: id, seq: counter, recovered: bool, replayed: counter, joined: optional(bool) },
  event: { topic, seq: counter, epoch: id, data: anything, timestamp: isoTimestamp },
  unsubscribed: { topic, reason: id },
  presence: { topic, members: list(member) },
  join: { topic, member },
  leave: { topic, user_id: id },
  message: { topic: optional(topic), data: anything, timestamp: isoTimestamp },
  ack: { id },
  result: { id, data: anything },
  authenticated: { token_expires_at: optional(epochMs) },
  error: { code: id, message: anyText, ref: optional(anyText), details: optional(anything) },
};

/** The server frame types, in the order of docs/protocol.md. */
export const SERVER_FRAME_TYPES: readonly string[] = Object.keys(SERVER_SHAPES);

/**
 * Checks a parsed JSON object whose `type` is `type`: the frame (unknown fields dropped), or the
 * problems as one sentence; undefined for a type servers do not send.
 */
export function checkServerFrame(type: string, value: Record<string, unknown>): { frame: unknown } | { problems: string } | undefined {
  if (!Object.hasOwn(SERVER_SHAPES, type)) return undefined;
  const problems: string[] = [];
  const frame = checkObject(SERVER_SHAPES[type], value, '', problems, { type });
  return frame ? { frame } : { problems: problems.join('; ') };
}
