import { MAX_ID_LENGTH, MAX_TIMESTAMP_LENGTH, MAX_TOPIC_LENGTH } from './frame-limits.js';

/**
 * The rules of every server frame's zod schema (frame-schemas.ts), written without zod: the client
 * parses server frames with these, so that a browser bundle carries no zod (issue 14's weight
 * budget). server-frame-guards.spec.ts holds each guard to accepting exactly what its schema
 * accepts and building the same frame (the schema's fields in its order, unknown fields dropped).
 */

/** A field's check: the value to keep, or a sentence saying what is wrong with it. */
type FieldCheck = (value: unknown, present: boolean) => { value: unknown } | string;

/** Problems found in one frame, each with its path (`heartbeat.ping_interval`). */
type Problems = string[];

const kept = (value: unknown) => ({ value });

function text(min: number, max: number): FieldCheck {
  return (value) =>
    typeof value === 'string' && value.length >= min && value.length <= max
      ? kept(value)
      : `expected a string of ${min === max ? min : `${min}–${max}`} characters`;
}

const anyText: FieldCheck = (value) => (typeof value === 'string' ? kept(value) : 'expected a string');
const counter: FieldCheck = (value) => (Number.isSafeInteger(value) && (value as number) >= 0 ? kept(value) : 'expected an integer ≥ 0');
const epochMs: FieldCheck = (value) => (typeof value === 'number' && Number.isFinite(value) ? kept(value) : 'expected a finite number');
const bool: FieldCheck = (value) => (typeof value === 'boolean' ? kept(value) : 'expected true or false');
/** Any JSON value, but the key must be there (as zod's `z.unknown()` in an object requires it). */
const anything: FieldCheck = (value, present) => (present ? kept(value) : 'required');

const topic = text(1, MAX_TOPIC_LENGTH);
const id = text(1, MAX_ID_LENGTH);
const isoTimestamp = text(0, MAX_TIMESTAMP_LENGTH);

/** Marks a field that may be absent: an absent one is left out of the frame. */
interface Optional {
  readonly optional: FieldCheck;
}

const optional = (check: FieldCheck): Optional => ({ optional: check });

type Shape = Readonly<Record<string, FieldCheck | Optional>>;

/** Checks `value` against `shape`, appending problems under `path`; the built object when there were none. */
function checkObject(shape: Shape, value: unknown, path: string, problems: Problems): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${path || 'frame'}: expected an object`);
    return undefined;
  }
  const source = value as Record<string, unknown>;
  const built: Record<string, unknown> = {};
  const before = problems.length;
  for (const [key, field] of Object.entries(shape)) {
    const present = Object.hasOwn(source, key);
    const isOptional = typeof field !== 'function';
    if (isOptional && !present) continue;
    const check = isOptional ? field.optional : field;
    const at = path ? `${path}.${key}` : key;
    const nested = (check as Partial<NestedCheck>).shape;
    if (nested && present) {
      // A nested object names its own fields' paths (`heartbeat.ping_interval`).
      const inner = checkObject(nested, source[key], at, problems);
      if (inner) built[key] = inner;
      continue;
    }
    const result = present || check === anything ? check(source[key], present) : 'required';
    if (typeof result === 'string') problems.push(`${at}: ${result}`);
    else built[key] = result.value;
  }
  return problems.length === before ? built : undefined;
}

/** A check of a nested object, whose shape checkObject walks with the full path. */
type NestedCheck = FieldCheck & { readonly shape: Shape };

function object(shape: Shape): NestedCheck {
  const check: FieldCheck = (value) => {
    const problems: Problems = [];
    const built = checkObject(shape, value, '', problems);
    return built ? kept(built) : problems.join(', ');
  };
  return Object.assign(check, { shape });
}

function list(item: FieldCheck): FieldCheck {
  return (value) => {
    if (!Array.isArray(value)) return 'expected an array';
    const items: unknown[] = [];
    for (const [index, element] of value.entries()) {
      const result = item(element, true);
      if (typeof result === 'string') return `item ${index}: ${result}`;
      items.push(result.value);
    }
    return kept(items);
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
  },
  ping: { timestamp: isoTimestamp, server_time: epochMs, sequence: counter },
  pong: { timestamp: isoTimestamp, server_time: epochMs, client_time: epochMs, sequence: counter, ping_count: counter },
  subscribed: { topic, epoch: id, seq: counter, recovered: bool, replayed: counter },
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
  const shape = Object.hasOwn(SERVER_SHAPES, type) ? SERVER_SHAPES[type] : undefined;
  if (!shape) return undefined;
  const problems: Problems = [];
  const built = checkObject(shape, value, '', problems);
  return built ? { frame: { type, ...built } } : { problems: problems.join('; ') };
}
