import { parseClientFrame } from './frame-codec.js';
import { type ParseResult, encodeFrame } from './frame-envelope.js';
import { parseServerFrame } from './server-frame-codec.js';
import { clientFrameSchemas, serverFrameSchemas } from './frame-schemas.js';
import type { ClientFrame, ServerFrame } from './frames.js';
import { type FrameError, ProtocolErrorCode } from './protocol-error.js';

// ---- examples of every frame of docs/protocol.md -----------------------------------------------

/**
 * The client `pong` example of docs/protocol.md (Server heartbeat), pretty-printed, with a stray
 * space after `"pong",` (C→S).
 */
const SOURCE_PONG = `{
  "type": "pong", 
  "timestamp": "2024-01-01T12:00:00.000Z",
  "client_time": 1704110400000,
  "sequence": 123,
  "ping_count": 10
}`;

/** The server `ping` example of docs/protocol.md (Server heartbeat), pretty-printed (S→C). */
const SOURCE_PING = `{
  "type": "ping",
  "timestamp": "2024-01-01T12:00:00.000Z",
  "server_time": 1704110400000,
  "sequence": 123
}`;

const TIMESTAMP = '2024-01-01T12:00:00.000Z';
const T0 = 1_704_110_400_000;

/** One or more valid examples of every frame a client may send, named for the test titles. */
const CLIENT_EXAMPLES: ReadonlyArray<readonly [string, ClientFrame]> = [
  [
    'hello with token, session, positions and client',
    {
      type: 'hello',
      token: 'eyJhbGciOiJIUzI1NiJ9.e30.sig',
      session_id: 'sess-7f3a',
      positions: { alerts: 41, 'tenant/1/alerts': 0 },
      client: { name: '@heartbeat/client', version: '0.1.0' },
    },
  ],
  ['hello with no fields', { type: 'hello' }],
  ['hello resuming with empty positions', { type: 'hello', session_id: 's', positions: {} }],
  ['hello subscribing topics from their head', { type: 'hello', positions: { alerts: 41 }, subscribe: ['news', 'tenant/1/alerts'] }],
  ['hello with an empty subscribe', { type: 'hello', subscribe: [] }],
  ['ping', { type: 'ping', timestamp: TIMESTAMP, client_time: T0, sequence: 7 }],
  ['ping with sequence 0', { type: 'ping', timestamp: TIMESTAMP, client_time: T0, sequence: 0 }],
  ['pong (the docs/protocol.md example)', { type: 'pong', timestamp: TIMESTAMP, client_time: T0, sequence: 123, ping_count: 10 }],
  ['subscribe', { type: 'subscribe', topic: 'alerts' }],
  ['subscribe since a seq', { type: 'subscribe', topic: 'alerts', since: 41 }],
  ['unsubscribe', { type: 'unsubscribe', topic: 'alerts' }],
  ['unsubscribe with since', { type: 'unsubscribe', topic: 'alerts', since: 3 }],
  ['message with topic', { type: 'message', id: 'm-1', topic: 'reviews', data: { alert_id: 'a-1', verdict: 'approve' } }],
  ['message without topic, null data', { type: 'message', id: 'm-2', data: null }],
  ['message with array data', { type: 'message', id: 'm-3', data: [1, 'two', { three: 3 }] }],
  ['message with string data', { type: 'message', id: 'm-4', data: 'text' }],
  ['subscribe asking for presence', { type: 'subscribe', topic: 'alerts', presence: true }],
  ['request', { type: 'request', id: 'r-1', topic: 'alerts.acks', data: { alert_id: 'a-1' } }],
  ['auth', { type: 'auth', token: 'fresh-token' }],
];

/** One or more valid examples of every frame a server may send. */
const SERVER_EXAMPLES: ReadonlyArray<readonly [string, ServerFrame]> = [
  [
    'welcome',
    {
      type: 'welcome',
      session_id: 'sess-7f3a',
      resumed: false,
      heartbeat: { ping_interval: 25_000, heartbeat_timeout: 90_000, max_missed_pings: 3 },
      server_time: T0,
    },
  ],
  [
    'welcome after a resume',
    {
      type: 'welcome',
      session_id: 'sess-7f3a',
      resumed: true,
      heartbeat: { ping_interval: 25_000, heartbeat_timeout: 90_000, max_missed_pings: 3 },
      server_time: T0 + 1,
    },
  ],
  [
    'welcome for a token that expires',
    {
      type: 'welcome',
      session_id: 'sess-7f3b',
      resumed: false,
      heartbeat: { ping_interval: 25_000, heartbeat_timeout: 90_000, max_missed_pings: 3 },
      server_time: T0,
      token_expires_at: T0 + 3_600_000,
    },
  ],
  ['ping (the docs/protocol.md example)', { type: 'ping', timestamp: TIMESTAMP, server_time: T0, sequence: 123 }],
  [
    'pong',
    { type: 'pong', timestamp: TIMESTAMP, server_time: T0 + 40, client_time: T0, sequence: 7, ping_count: 8 },
  ],
  ['subscribed', { type: 'subscribed', topic: 'alerts', epoch: 'e-01HF', seq: 42, recovered: true, replayed: 1 }],
  [
    'subscribed with a gap',
    { type: 'subscribed', topic: 'alerts', epoch: 'e-02', seq: 0, recovered: false, replayed: 0 },
  ],
  ['subscribed by a server-side join', { type: 'subscribed', topic: 'user.alice', epoch: 'e-03', seq: 7, recovered: true, replayed: 1, joined: true }],
  [
    'event',
    {
      type: 'event',
      topic: 'alerts',
      seq: 42,
      epoch: 'e-01HF',
      data: { id: 'a-1', content_id: 'c-9', category: 'violence', risk_score: 0.97, action: 'block' },
      timestamp: TIMESTAMP,
    },
  ],
  ['event with null data', { type: 'event', topic: 'alerts', seq: 0, epoch: 'e', data: null, timestamp: TIMESTAMP }],
  ['welcome naming the user', { type: 'welcome', session_id: 's', resumed: false, heartbeat: { ping_interval: 1, heartbeat_timeout: 3, max_missed_pings: 3 }, server_time: T0, user_id: 'alice' }],
  ['unsubscribed', { type: 'unsubscribed', topic: 'user.alice', reason: 'forbidden' }],
  ['presence', { type: 'presence', topic: 'operators', members: [{ user_id: 'alice', connections: 2, since: T0 }] }],
  ['presence with no members', { type: 'presence', topic: 'operators', members: [] }],
  ['join', { type: 'join', topic: 'operators', member: { user_id: 'bob', connections: 1, since: T0 } }],
  ['leave', { type: 'leave', topic: 'operators', user_id: 'bob' }],
  ['message to one connection', { type: 'message', topic: 'notices', data: { text: 'hi' }, timestamp: TIMESTAMP }],
  ['ack', { type: 'ack', id: 'm-1' }],
  ['result', { type: 'result', id: 'r-1', data: { acknowledged: true } }],
  ['error with details', { type: 'error', code: 'invalid_request', message: 'Bad data.', ref: 'r-1', details: ['alert_id must be a string'] }],
  ['authenticated with a new expiry', { type: 'authenticated', token_expires_at: T0 + 3_600_000 }],
  ['authenticated without expiry', { type: 'authenticated' }],
  ['error with ref', { type: 'error', code: 'invalid_frame', message: 'Invalid "pong" frame.', ref: 'pong' }],
  ['error without ref', { type: 'error', code: 'handshake_required', message: 'Send hello first.' }],
  ['error with an unknown code', { type: 'error', code: 'some_future_code', message: '' }],
];

const ERROR_CODES: readonly string[] = Object.values(ProtocolErrorCode);

// ---- helpers -----------------------------------------------------------------------------------

function frameOf<F>(result: ParseResult<F>): F {
  if (!result.ok) throw new Error(`expected a frame, got ${result.error.code}: ${result.error.message}`);
  return result.frame;
}

function errorOf<F>(result: ParseResult<F>): FrameError {
  if (result.ok) throw new Error(`expected an error, got a "${JSON.stringify(result.frame)}" frame`);
  return result.error;
}

/** mulberry32: a small seeded PRNG so that the fuzz tests are reproducible. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const FIELD_NAMES = [
  'type', 'token', 'session_id', 'positions', 'client', 'timestamp', 'client_time', 'server_time', 'sequence',
  'ping_count', 'topic', 'since', 'id', 'data', 'heartbeat', 'ping_interval', 'heartbeat_timeout',
  'max_missed_pings', 'resumed', 'epoch', 'seq', 'recovered', 'replayed', 'code', 'message', 'ref', 'name',
  'version', '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '',
];
const TYPE_NAMES = [
  ...Object.keys(clientFrameSchemas), ...Object.keys(serverFrameSchemas),
  '__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '', 'PING', 'pong ', 'null',
];
const SPECIAL_NUMBERS = [
  0, -0, 1, -1, 0.5, 1.5, 123, 1e21, -1e21, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308, 5e-324, T0,
];
const STRING_ALPHABET = [
  '{', '}', '[', ']', '"', ':', ',', '\\', ' ', '\n', '\t', 'a', 'z', 'A', '0', '1', '9', '-', '+', '.', 'e', 'E',
  't', 'r', 'u', 'f', 'l', 's', 'n', 'type', 'ping', 'pong', 'hello', '__proto__', 'true', 'false', 'null', 'NaN',
  'Infinity', '\u0000', '\u001f', '\u2028', '\ud800', '\udfff', '心跳', '🟢', '\ufeff', '1e400', '/', 'u0000',
];

function randomString(random: () => number, maxLength: number): string {
  const length = Math.floor(random() * (maxLength + 1));
  let text = '';
  for (let i = 0; i < length; i += 1) text += pick(random, STRING_ALPHABET);
  return text;
}

function randomJson(random: () => number, depth = 0): unknown {
  const kind = Math.floor(random() * (depth >= 3 ? 5 : 8));
  switch (kind) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return random() < 0.5 ? pick(random, SPECIAL_NUMBERS) : (random() - 0.5) * 10 ** Math.floor(random() * 20);
    case 3:
      return randomString(random, 12);
    case 4:
      return pick(random, TYPE_NAMES);
    case 5:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(random, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      const size = Math.floor(random() * 5);
      for (let i = 0; i < size; i += 1) {
        Object.defineProperty(object, pick(random, FIELD_NAMES), {
          value: randomJson(random, depth + 1),
          enumerable: true,
          configurable: true,
          writable: true,
        });
      }
      if (random() < 0.6) object['type'] = pick(random, TYPE_NAMES);
      return object;
    }
  }
}

function mutateText(random: () => number, text: string): string {
  let result = text;
  const edits = 1 + Math.floor(random() * 3);
  for (let i = 0; i < edits; i += 1) {
    const at = Math.floor(random() * (result.length + 1));
    switch (Math.floor(random() * 5)) {
      case 0:
        result = result.slice(0, at) + result.slice(at + 1);
        break;
      case 1:
        result = result.slice(0, at) + pick(random, STRING_ALPHABET) + result.slice(at);
        break;
      case 2:
        result = result.slice(0, at) + pick(random, STRING_ALPHABET) + result.slice(at + 1);
        break;
      case 3:
        result = result.slice(0, at);
        break;
      default:
        result = result.slice(at) + result.slice(0, at);
    }
  }
  return result;
}

function mutateFrame(random: () => number, frame: object): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(frame)) as Record<string, unknown>;
  const edits = 1 + Math.floor(random() * 2);
  for (let i = 0; i < edits; i += 1) {
    const keys = Object.keys(copy);
    const key = random() < 0.8 && keys.length ? pick(random, keys) : pick(random, FIELD_NAMES);
    const action = random();
    if (action < 0.3) delete copy[key];
    else if (action < 0.45) copy['type'] = pick(random, TYPE_NAMES);
    else copy[key] = randomJson(random, 1);
  }
  return copy;
}

/** Runs a parser and describes any broken guarantee: a throw or an ill-formed result. */
function problemWith(parse: (input: unknown) => ParseResult<{ type: string }>, input: unknown): string | null {
  let result: ParseResult<{ type: string }>;
  try {
    result = parse(input);
  } catch (error) {
    return `threw ${String(error)} for ${JSON.stringify(String(input)).slice(0, 200)}`;
  }
  if (result.ok) {
    if (typeof result.frame !== 'object' || result.frame === null || typeof result.frame.type !== 'string') {
      return `ok without a typed frame for ${String(input).slice(0, 200)}`;
    }
    const again = parse(encodeFrame(result.frame as ClientFrame | ServerFrame));
    if (!again.ok || JSON.stringify(again.frame) !== JSON.stringify(result.frame)) {
      return `a parsed frame does not round-trip: ${encodeFrame(result.frame as ClientFrame)}`;
    }
    return null;
  }
  const { code, message } = result.error;
  if (!ERROR_CODES.includes(code) || typeof message !== 'string' || message.length === 0) {
    return `ill-formed error ${JSON.stringify(result.error)}`;
  }
  return null;
}

const PARSERS = [
  ['parseClientFrame', parseClientFrame],
  ['parseServerFrame', parseServerFrame],
] as const;

// ---- tests -------------------------------------------------------------------------------------

describe('parseClientFrame', () => {
  describe('with valid frames', () => {
    it.each(CLIENT_EXAMPLES)('returns the typed frame for %s', (_name, frame) => {
      expect(parseClientFrame(JSON.stringify(frame))).toEqual({ ok: true, frame });
    });

    it('has an example for every client frame type', () => {
      const covered = new Set(CLIENT_EXAMPLES.map(([, frame]) => frame.type));

      expect([...covered].sort()).toEqual(Object.keys(clientFrameSchemas).sort());
      expect([...covered].sort()).toEqual(['auth', 'hello', 'message', 'ping', 'pong', 'request', 'subscribe', 'unsubscribe']);
    });

    it("accepts the documented pong example with its snake_case fields", () => {
      const frame = frameOf(parseClientFrame(SOURCE_PONG));

      expect(frame).toEqual({
        type: 'pong',
        timestamp: '2024-01-01T12:00:00.000Z',
        client_time: 1704110400000,
        sequence: 123,
        ping_count: 10,
      });
    });

    it('narrows the result to the frame type', () => {
      const frame = frameOf(parseClientFrame(SOURCE_PONG));
      if (frame.type !== 'pong') throw new Error(`expected a pong, got ${frame.type}`);
      const pingCount: number = frame.ping_count;
      const sequence: number = frame.sequence;

      expect([pingCount, sequence]).toEqual([10, 123]);
    });

    it('drops unknown fields so that newer peers can add some', () => {
      const result = parseClientFrame(
        JSON.stringify({ type: 'subscribe', topic: 'alerts', priority: 'high', nested: { a: 1 } }),
      );

      expect(result).toEqual({ ok: true, frame: { type: 'subscribe', topic: 'alerts' } });
    });

    it('accepts whitespace around the JSON object', () => {
      expect(parseClientFrame(' \n\t{"type":"hello"}\r\n ')).toEqual({ ok: true, frame: { type: 'hello' } });
    });

    it('accepts the length limits exactly: topic 200, id 128, token 8192, timestamp 64', () => {
      expect(parseClientFrame(JSON.stringify({ type: 'subscribe', topic: 't'.repeat(200) })).ok).toBe(true);
      expect(parseClientFrame(JSON.stringify({ type: 'message', id: 'i'.repeat(128), data: 1 })).ok).toBe(true);
      expect(parseClientFrame(JSON.stringify({ type: 'auth', token: 'k'.repeat(8192) })).ok).toBe(true);
      expect(
        parseClientFrame(JSON.stringify({ type: 'ping', timestamp: 's'.repeat(64), client_time: T0, sequence: 1 })).ok,
      ).toBe(true);
    });

    it('accepts the largest safe integer as a counter', () => {
      const frame = { type: 'ping', timestamp: TIMESTAMP, client_time: T0, sequence: Number.MAX_SAFE_INTEGER };

      expect(parseClientFrame(JSON.stringify(frame))).toEqual({ ok: true, frame });
    });

    it('accepts deeply nested message data without overflowing the stack', () => {
      const depth = 100_000;
      const text = `{"type":"message","id":"deep","data":${'['.repeat(depth)}${']'.repeat(depth)}}`;

      expect(() => parseClientFrame(text)).not.toThrow();
      expect(parseClientFrame(text).ok).toBe(true);
    });

    it('keeps __proto__ keys from changing prototypes or polluting Object.prototype', () => {
      const frame = frameOf(
        parseClientFrame(
          '{"type":"hello","__proto__":{"token":"x"},"positions":{"__proto__":{"evil":1},"alerts":3},' +
            '"client":{"name":"n","version":"v","__proto__":{"polluted":true}}}',
        ),
      );
      if (frame.type !== 'hello') throw new Error(`expected a hello, got ${frame.type}`);

      expect(Object.getPrototypeOf(frame)).toBe(Object.prototype);
      expect(frame.token).toBeUndefined();
      expect(Object.getPrototypeOf(frame.positions)).toBe(Object.prototype);
      expect(Object.entries(frame.positions!)).toEqual([['alerts', 3]]);
      expect((frame.positions as Record<string, unknown>)['evil']).toBeUndefined();
      expect(Object.getPrototypeOf(frame.client)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      expect(({} as Record<string, unknown>)['evil']).toBeUndefined();
    });
  });

  describe('with non-text input', () => {
    it.each([
      ['a Buffer', Buffer.from('{"type":"hello"}')],
      ['an ArrayBuffer', new TextEncoder().encode('{"type":"hello"}').buffer],
      ['a Uint8Array', new TextEncoder().encode('{"type":"hello"}')],
      ['an array of Buffers (fragments)', [Buffer.from('{"type":'), Buffer.from('"hello"}')]],
      ['undefined', undefined],
      ['null', null],
      ['a number', 42],
      ['NaN', Number.NaN],
      ['a boolean', true],
      ['a bigint', 10n],
      ['a symbol', Symbol('frame')],
      ['an already parsed object', { type: 'hello' }],
      ['a String object', new String('{"type":"hello"}')],
    ])('rejects %s as binary_frame', (_name, input) => {
      const error = errorOf(parseClientFrame(input));

      expect(error.code).toBe(ProtocolErrorCode.BinaryFrame);
      expect(error.code).toBe('binary_frame');
      expect(error.message).toMatch(/JSON text/);
      expect(error).not.toHaveProperty('ref');
    });
  });

  describe('with invalid JSON', () => {
    it.each([
      ['an empty string', ''],
      ['whitespace only', '  \n '],
      ['an unterminated object', '{"type":"hello"'],
      ['single quotes', "{'type':'hello'}"],
      ['a trailing comma', '{"type":"hello",}'],
      ['an unquoted key', '{type:"hello"}'],
      ['NaN', 'NaN'],
      ['NaN as a field value', '{"type":"ping","timestamp":"t","client_time":NaN,"sequence":1}'],
      ['Infinity as a field value', '{"type":"ping","timestamp":"t","client_time":Infinity,"sequence":1}'],
      ['undefined', 'undefined'],
      ['two objects', '{"type":"hello"}{"type":"hello"}'],
      ['a byte-order mark', '\ufeff{"type":"hello"}'],
      ['a NUL character', '\u0000'],
      ['plain text', 'hello'],
    ])('rejects %s as invalid_json', (_name, input) => {
      const error = errorOf(parseClientFrame(input));

      expect(error.code).toBe(ProtocolErrorCode.InvalidJson);
      expect(error.message).toMatch(/not valid JSON/);
      expect(error).not.toHaveProperty('ref');
    });
  });

  describe('with JSON that is not a frame object', () => {
    it.each([
      ['an empty array', '[]'],
      ['an array holding a frame', '[{"type":"hello"}]'],
      ['null', 'null'],
      ['a number', '42'],
      ['a negative number', '-1.5e3'],
      ['a string', '"hello"'],
      ['a boolean', 'true'],
    ])('rejects %s as invalid_frame', (_name, input) => {
      const error = errorOf(parseClientFrame(input));

      expect(error.code).toBe(ProtocolErrorCode.InvalidFrame);
      expect(error.message).toMatch(/JSON object with a string "type"/);
    });

    it.each([
      ['an empty object', '{}'],
      ['a misspelled type key', '{"typ":"hello"}'],
      ['a type in another case', '{"Type":"hello"}'],
      ['a numeric type', '{"type":1}'],
      ['a null type', '{"type":null}'],
      ['a boolean type', '{"type":true}'],
      ['an object type', '{"type":{}}'],
      ['an array type', '{"type":["hello"]}'],
      ['a type inherited through __proto__', '{"__proto__":{"type":"hello"}}'],
    ])('rejects %s (missing or non-string type) as invalid_frame', (_name, input) => {
      const error = errorOf(parseClientFrame(input));

      expect(error.code).toBe(ProtocolErrorCode.InvalidFrame);
      expect(error.message).toMatch(/no string "type"/);
      expect(error).not.toHaveProperty('ref');
    });
  });

  describe('with an unknown type', () => {
    it.each([
      'nope',
      '',
      'HELLO',
      ' hello',
      'hello\u0000',
      '__proto__',
      'constructor',
      'toString',
      'valueOf',
      'hasOwnProperty',
      'isPrototypeOf',
      '__defineGetter__',
      'prototype',
    ])('rejects type %p as unknown_type without throwing', (type) => {
      const error = errorOf(parseClientFrame(JSON.stringify({ type })));

      expect(error.code).toBe(ProtocolErrorCode.UnknownType);
      expect(error.ref).toBe(type);
      expect(error.message).toContain('known types are hello, ping, pong, subscribe, unsubscribe, message, request, auth');
    });

    it.each(['welcome', 'subscribed', 'event', 'ack', 'error'])(
      'rejects the server-only type %p as unknown_type',
      (type) => {
        const server = SERVER_EXAMPLES.find(([, frame]) => frame.type === type)![1];
        const error = errorOf(parseClientFrame(JSON.stringify(server)));

        expect(error.code).toBe(ProtocolErrorCode.UnknownType);
        expect(error.ref).toBe(type);
        expect(error.message).toContain(`A client may not send frames of type "${type}"`);
      },
    );

    it('truncates a very long type to 64 characters in ref and message', () => {
      const type = 'x'.repeat(10_000);
      const error = errorOf(parseClientFrame(JSON.stringify({ type })));

      expect(error.code).toBe(ProtocolErrorCode.UnknownType);
      expect(error.ref).toHaveLength(64);
      expect(error.ref).toBe(`${'x'.repeat(61)}...`);
      expect(error.message.length).toBeLessThan(300);
    });

    it('keeps the last of duplicate type keys, as JSON.parse does', () => {
      expect(errorOf(parseClientFrame('{"type":"hello","type":"welcome"}')).code).toBe(ProtocolErrorCode.UnknownType);
      expect(parseClientFrame('{"type":"welcome","type":"hello"}')).toEqual({ ok: true, frame: { type: 'hello' } });
    });
  });

  describe('with wrong field types', () => {
    const pong = { type: 'pong', timestamp: TIMESTAMP, client_time: T0, sequence: 123, ping_count: 10 };
    const ping = { type: 'ping', timestamp: TIMESTAMP, client_time: T0, sequence: 1 };

    it.each<readonly [string, Record<string, unknown>, string]>([
      ['pong sequence as a string', { ...pong, sequence: '123' }, 'sequence'],
      ['pong sequence "NaN"', { ...pong, sequence: 'NaN' }, 'sequence'],
      ['pong sequence null', { ...pong, sequence: null }, 'sequence'],
      ['pong sequence negative', { ...pong, sequence: -1 }, 'sequence'],
      ['pong sequence fractional', { ...pong, sequence: 1.5 }, 'sequence'],
      ['pong sequence above the safe integers', { ...pong, sequence: 2 ** 53 }, 'sequence'],
      ['pong negative ping_count', { ...pong, ping_count: -1 }, 'ping_count'],
      ['pong fractional ping_count', { ...pong, ping_count: 0.5 }, 'ping_count'],
      ['pong without ping_count', { type: 'pong', timestamp: TIMESTAMP, client_time: T0, sequence: 1 }, 'ping_count'],
      ['pong client_time as a string', { ...pong, client_time: String(T0) }, 'client_time'],
      ['pong timestamp as a number', { ...pong, timestamp: T0 }, 'timestamp'],
      ['pong timestamp longer than 64', { ...pong, timestamp: 't'.repeat(65) }, 'timestamp'],
      ['pong with server_time instead of client_time', { ...pong, client_time: undefined, server_time: T0 }, 'client_time'],
      ['ping without sequence', { type: 'ping', timestamp: TIMESTAMP, client_time: T0 }, 'sequence'],
      ['ping sequence as a boolean', { ...ping, sequence: true }, 'sequence'],
      ['ping client_time as an object', { ...ping, client_time: { ms: T0 } }, 'client_time'],
      ['a server ping (server_time, no client_time)', { type: 'ping', timestamp: TIMESTAMP, server_time: T0, sequence: 1 }, 'client_time'],
      ['hello token as a number', { type: 'hello', token: 42 }, 'token'],
      ['hello token longer than 8192', { type: 'hello', token: 'k'.repeat(8193) }, 'token'],
      ['hello empty session_id', { type: 'hello', session_id: '' }, 'session_id'],
      ['hello session_id longer than 128', { type: 'hello', session_id: 's'.repeat(129) }, 'session_id'],
      ['hello positions as an array', { type: 'hello', positions: [1, 2] }, 'positions'],
      ['hello negative position', { type: 'hello', positions: { alerts: -1 } }, 'positions'],
      ['hello position as a string', { type: 'hello', positions: { alerts: '5' } }, 'positions'],
      ['hello position topic longer than 200', { type: 'hello', positions: { ['t'.repeat(201)]: 1 } }, 'positions'],
      ['hello subscribe as a topic, not a list', { type: 'hello', subscribe: 'alerts' }, 'subscribe'],
      ['hello subscribe with an empty topic', { type: 'hello', subscribe: ['alerts', ''] }, 'subscribe'],
      ['hello subscribe topic longer than 200', { type: 'hello', subscribe: ['t'.repeat(201)] }, 'subscribe'],
      ['hello client without version', { type: 'hello', client: { name: 'x' } }, 'client'],
      ['hello client as a string', { type: 'hello', client: 'x/1.0' }, 'client'],
      ['subscribe without topic', { type: 'subscribe' }, 'topic'],
      ['subscribe empty topic', { type: 'subscribe', topic: '' }, 'topic'],
      ['subscribe topic longer than 200', { type: 'subscribe', topic: 't'.repeat(201) }, 'topic'],
      ['subscribe topic as a number', { type: 'subscribe', topic: 7 }, 'topic'],
      ['subscribe negative since', { type: 'subscribe', topic: 'alerts', since: -1 }, 'since'],
      ['subscribe since as a string', { type: 'subscribe', topic: 'alerts', since: '4' }, 'since'],
      ['unsubscribe topic as null', { type: 'unsubscribe', topic: null }, 'topic'],
      ['message without id', { type: 'message', data: 1 }, 'id'],
      ['message empty id', { type: 'message', id: '', data: 1 }, 'id'],
      ['message id longer than 128', { type: 'message', id: 'i'.repeat(129), data: 1 }, 'id'],
      ['message numeric id', { type: 'message', id: 1, data: 1 }, 'id'],
      ['message without data', { type: 'message', id: 'm' }, 'data'],
      ['message topic too long', { type: 'message', id: 'm', topic: 't'.repeat(201), data: 1 }, 'topic'],
      ['auth without token', { type: 'auth' }, 'token'],
      ['auth empty token', { type: 'auth', token: '' }, 'token'],
    ])('rejects %s as invalid_frame naming the field', (_name, frame, field) => {
      const error = errorOf(parseClientFrame(JSON.stringify(frame)));

      expect(error.code).toBe(ProtocolErrorCode.InvalidFrame);
      expect(error.ref).toBe(frame['type']);
      expect(error.message).toContain(`Invalid "${String(frame['type'])}" frame`);
      expect(error.message).toContain(field);
    });

    it('rejects a number that overflows to Infinity (1e400) as invalid_frame', () => {
      const error = errorOf(parseClientFrame('{"type":"ping","timestamp":"t","client_time":1e400,"sequence":1}'));

      expect(error.code).toBe(ProtocolErrorCode.InvalidFrame);
      expect(error.message).toContain('client_time');
    });

    it('names every wrong field in one message', () => {
      const error = errorOf(parseClientFrame(JSON.stringify({ ...pong, sequence: '1', ping_count: -1 })));

      expect(error.message).toContain('sequence');
      expect(error.message).toContain('ping_count');
    });
  });
});

describe('parseServerFrame', () => {
  describe('with valid frames', () => {
    it.each(SERVER_EXAMPLES)('returns the typed frame for %s', (_name, frame) => {
      expect(parseServerFrame(JSON.stringify(frame))).toEqual({ ok: true, frame });
    });

    it('has an example for every server frame type', () => {
      const covered = new Set(SERVER_EXAMPLES.map(([, frame]) => frame.type));

      expect([...covered].sort()).toEqual(Object.keys(serverFrameSchemas).sort());
      expect([...covered].sort()).toEqual(['ack', 'authenticated', 'error', 'event', 'join', 'leave', 'message', 'ping', 'pong', 'presence', 'result', 'subscribed', 'unsubscribed', 'welcome']);
    });

    it("accepts the documented ping example with its snake_case fields", () => {
      const frame = frameOf(parseServerFrame(SOURCE_PING));

      expect(frame).toEqual({
        type: 'ping',
        timestamp: '2024-01-01T12:00:00.000Z',
        server_time: 1704110400000,
        sequence: 123,
      });
    });

    it('narrows the result to the frame type', () => {
      const frame = frameOf(parseServerFrame(SOURCE_PING));
      if (frame.type !== 'ping') throw new Error(`expected a ping, got ${frame.type}`);
      const serverTime: number = frame.server_time;

      expect(serverTime).toBe(T0);
    });

    it('gives the welcome heartbeat settings in snake_case', () => {
      const frame = frameOf(parseServerFrame(JSON.stringify(SERVER_EXAMPLES[0]![1])));
      if (frame.type !== 'welcome') throw new Error(`expected a welcome, got ${frame.type}`);

      expect(frame.heartbeat).toEqual({ ping_interval: 25_000, heartbeat_timeout: 90_000, max_missed_pings: 3 });
    });

    it('drops unknown fields, including unknown heartbeat settings', () => {
      const welcome = SERVER_EXAMPLES[0]![1];
      const result = parseServerFrame(
        JSON.stringify({ ...welcome, region: 'eu', heartbeat: { ...(welcome as { heartbeat: object }).heartbeat, jitter: 1 } }),
      );

      expect(result).toEqual({ ok: true, frame: welcome });
    });
  });

  describe('with non-text input', () => {
    it.each([
      ['a Buffer', Buffer.from(SOURCE_PING)],
      ['an ArrayBuffer', new ArrayBuffer(4)],
      ['a Uint8Array', new Uint8Array([123, 125])],
      ['undefined', undefined],
      ['a number', 0],
    ])('rejects %s as binary_frame', (_name, input) => {
      expect(errorOf(parseServerFrame(input)).code).toBe(ProtocolErrorCode.BinaryFrame);
    });
  });

  describe('with invalid input', () => {
    it.each([
      ['invalid JSON', '{"type":', ProtocolErrorCode.InvalidJson],
      ['an array', '[1]', ProtocolErrorCode.InvalidFrame],
      ['null', 'null', ProtocolErrorCode.InvalidFrame],
      ['a number', '3', ProtocolErrorCode.InvalidFrame],
      ['a string', '"ping"', ProtocolErrorCode.InvalidFrame],
      ['a missing type', '{"sequence":1}', ProtocolErrorCode.InvalidFrame],
      ['a numeric type', '{"type":5}', ProtocolErrorCode.InvalidFrame],
      ['an unknown type', '{"type":"nope"}', ProtocolErrorCode.UnknownType],
      ['type __proto__', '{"type":"__proto__"}', ProtocolErrorCode.UnknownType],
      ['type constructor', '{"type":"constructor"}', ProtocolErrorCode.UnknownType],
      ['type toString', '{"type":"toString"}', ProtocolErrorCode.UnknownType],
    ])('rejects %s', (_name, input, code) => {
      expect(errorOf(parseServerFrame(input)).code).toBe(code);
    });

    it.each(['hello', 'subscribe', 'unsubscribe', 'request', 'auth'])(
      'rejects the client-only type %p as unknown_type',
      (type) => {
        const client = CLIENT_EXAMPLES.find(([, frame]) => frame.type === type)![1];
        const error = errorOf(parseServerFrame(JSON.stringify(client)));

        expect(error.code).toBe(ProtocolErrorCode.UnknownType);
        expect(error.ref).toBe(type);
        expect(error.message).toContain(`A server may not send frames of type "${type}"`);
        expect(error.message).toContain('known types are welcome, ping, pong, subscribed, event, unsubscribed, presence, join, leave, message, ack, result, authenticated, error');
      },
    );

    it('rejects a client pong (no server_time) as invalid_frame, not as a server pong', () => {
      const error = errorOf(parseServerFrame(SOURCE_PONG));

      expect(error.code).toBe(ProtocolErrorCode.InvalidFrame);
      expect(error.ref).toBe('pong');
      expect(error.message).toContain('server_time');
    });

    it('rejects a server ping sent as a client frame as invalid_frame', () => {
      const error = errorOf(parseClientFrame(SOURCE_PING));

      expect(error.code).toBe(ProtocolErrorCode.InvalidFrame);
      expect(error.message).toContain('client_time');
    });
  });

  describe('with wrong field types', () => {
    const welcome = {
      type: 'welcome',
      session_id: 's',
      resumed: false,
      heartbeat: { ping_interval: 25_000, heartbeat_timeout: 90_000, max_missed_pings: 3 },
      server_time: T0,
    };
    const event = { type: 'event', topic: 'alerts', seq: 1, epoch: 'e', data: {}, timestamp: TIMESTAMP };
    const subscribed = { type: 'subscribed', topic: 'alerts', epoch: 'e', seq: 1, recovered: true, replayed: 0 };

    it.each<readonly [string, Record<string, unknown>, string]>([
      ['welcome resumed as a string', { ...welcome, resumed: 'true' }, 'resumed'],
      ['welcome empty session_id', { ...welcome, session_id: '' }, 'session_id'],
      ['welcome without heartbeat', { ...welcome, heartbeat: undefined }, 'heartbeat'],
      ['welcome heartbeat without max_missed_pings', { ...welcome, heartbeat: { ping_interval: 1, heartbeat_timeout: 2 } }, 'heartbeat.max_missed_pings'],
      ['welcome negative ping_interval', { ...welcome, heartbeat: { ...welcome.heartbeat, ping_interval: -1 } }, 'heartbeat.ping_interval'],
      ['welcome camelCase heartbeat fields', { ...welcome, heartbeat: { pingInterval: 1, heartbeatTimeout: 2, maxMissedPings: 3 } }, 'heartbeat.ping_interval'],
      ['welcome server_time as a string', { ...welcome, server_time: 'now' }, 'server_time'],
      ['ping fractional sequence', { type: 'ping', timestamp: TIMESTAMP, server_time: T0, sequence: 1.5 }, 'sequence'],
      ['ping without server_time', { type: 'ping', timestamp: TIMESTAMP, sequence: 1 }, 'server_time'],
      ['pong without client_time echo', { type: 'pong', timestamp: TIMESTAMP, server_time: T0, sequence: 1, ping_count: 1 }, 'client_time'],
      ['pong negative ping_count', { type: 'pong', timestamp: TIMESTAMP, server_time: T0, client_time: T0, sequence: 1, ping_count: -2 }, 'ping_count'],
      ['subscribed recovered as a number', { ...subscribed, recovered: 1 }, 'recovered'],
      ['subscribed numeric epoch', { ...subscribed, epoch: 3 }, 'epoch'],
      ['subscribed negative replayed', { ...subscribed, replayed: -1 }, 'replayed'],
      ['subscribed joined as a string', { ...subscribed, joined: 'yes' }, 'joined'],
      ['event negative seq', { ...event, seq: -1 }, 'seq'],
      ['event seq as a string', { ...event, seq: '1' }, 'seq'],
      ['event without epoch', { ...event, epoch: undefined }, 'epoch'],
      ['event empty epoch', { ...event, epoch: '' }, 'epoch'],
      ['event without data', { ...event, data: undefined }, 'data'],
      ['event topic too long', { ...event, topic: 't'.repeat(201) }, 'topic'],
      ['ack numeric id', { type: 'ack', id: 1 }, 'id'],
      ['error empty code', { type: 'error', code: '', message: 'm' }, 'code'],
      ['error without message', { type: 'error', code: 'x' }, 'message'],
      ['error numeric ref', { type: 'error', code: 'x', message: 'm', ref: 1 }, 'ref'],
    ])('rejects %s as invalid_frame naming the field', (_name, frame, field) => {
      const error = errorOf(parseServerFrame(JSON.stringify(frame)));

      expect(error.code).toBe(ProtocolErrorCode.InvalidFrame);
      expect(error.ref).toBe(frame['type']);
      expect(error.message).toContain(field);
    });
  });
});

describe('encodeFrame', () => {
  it.each(CLIENT_EXAMPLES)('round-trips the client frame %s through parseClientFrame', (_name, frame) => {
    expect(parseClientFrame(encodeFrame(frame))).toEqual({ ok: true, frame });
  });

  it.each(SERVER_EXAMPLES)('round-trips the server frame %s through parseServerFrame', (_name, frame) => {
    expect(parseServerFrame(encodeFrame(frame))).toEqual({ ok: true, frame });
  });

  it('encodes to the same JSON text as JSON.stringify', () => {
    for (const [, frame] of [...CLIENT_EXAMPLES, ...SERVER_EXAMPLES]) {
      expect(encodeFrame(frame)).toBe(JSON.stringify(frame));
    }
  });

  it('keeps the snake_case heartbeat field names on the wire', () => {
    const text = encodeFrame(frameOf(parseClientFrame(SOURCE_PONG)));

    expect(text).toBe(
      '{"type":"pong","timestamp":"2024-01-01T12:00:00.000Z","client_time":1704110400000,"sequence":123,"ping_count":10}',
    );
  });

  it('encodes a frame as one line of text', () => {
    const text = encodeFrame({ type: 'event', topic: 'alerts', seq: 1, epoch: 'e', data: { note: 'a\nb' }, timestamp: TIMESTAMP });

    expect(typeof text).toBe('string');
    expect(text).not.toContain('\n');
  });

  it('leaves out optional fields that are undefined', () => {
    expect(encodeFrame({ type: 'error', code: 'invalid_json', message: 'm', ref: undefined })).toBe(
      '{"type":"error","code":"invalid_json","message":"m"}',
    );
  });
});

describe('parseClientFrame and parseServerFrame under fuzzing', () => {
  it.each(PARSERS)('%s never throws for 5,000 random strings', (_name, parse) => {
    const random = seededRandom(0xc0ffee);
    const problems: string[] = [];

    for (let i = 0; i < 5_000; i += 1) {
      const problem = problemWith(parse, randomString(random, 48));
      if (problem) problems.push(problem);
    }

    expect(problems).toEqual([]);
  });

  it.each(PARSERS)('%s never throws for 5,000 random JSON values', (_name, parse) => {
    const random = seededRandom(0xbeef);
    const problems: string[] = [];
    const outcomes = new Set<string>();

    for (let i = 0; i < 5_000; i += 1) {
      const text = JSON.stringify(randomJson(random)) ?? 'null';
      const problem = problemWith(parse, text);
      if (problem) problems.push(problem);
      const result = parse(text);
      outcomes.add(result.ok ? 'ok' : result.error.code);
    }

    expect(problems).toEqual([]);
    expect(outcomes).toContain('invalid_frame');
    expect(outcomes).toContain('unknown_type');
    expect(outcomes).not.toContain('invalid_json');
    expect(outcomes).not.toContain('binary_frame');
  });

  it.each(PARSERS)('%s never throws for 5,000 textual mutations of valid frames', (name, parse) => {
    const random = seededRandom(0x5eed);
    const examples = (name === 'parseClientFrame' ? CLIENT_EXAMPLES : SERVER_EXAMPLES).map(([, frame]) => encodeFrame(frame));
    const problems: string[] = [];
    const outcomes = new Set<string>();

    for (let i = 0; i < 5_000; i += 1) {
      const text = mutateText(random, pick(random, [...examples, SOURCE_PING, SOURCE_PONG]));
      const problem = problemWith(parse, text);
      if (problem) problems.push(problem);
      const result = parse(text);
      outcomes.add(result.ok ? 'ok' : result.error.code);
    }

    expect(problems).toEqual([]);
    expect(outcomes).toContain('ok');
    expect(outcomes).toContain('invalid_json');
    expect(outcomes).toContain('invalid_frame');
  });

  it.each(PARSERS)('%s never throws for 5,000 field mutations of valid frames', (name, parse) => {
    const random = seededRandom(0xfeed);
    const examples = (name === 'parseClientFrame' ? CLIENT_EXAMPLES : SERVER_EXAMPLES).map(([, frame]) => frame);
    const problems: string[] = [];
    const outcomes = new Set<string>();

    for (let i = 0; i < 5_000; i += 1) {
      const text = JSON.stringify(mutateFrame(random, pick(random, examples)));
      const problem = problemWith(parse, text);
      if (problem) problems.push(problem);
      const result = parse(text);
      outcomes.add(result.ok ? 'ok' : result.error.code);
    }

    expect(problems).toEqual([]);
    expect(outcomes).toContain('ok');
    expect(outcomes).toContain('invalid_frame');
    expect(outcomes).toContain('unknown_type');
    expect(outcomes).not.toContain('invalid_json');
  });

  it.each(PARSERS)('%s never throws for non-string values of every kind', (_name, parse) => {
    const random = seededRandom(0xabcdef);
    const problems: string[] = [];

    for (let i = 0; i < 1_000; i += 1) {
      const value = randomJson(random);
      if (typeof value === 'string') continue;
      const problem = problemWith(parse, value);
      if (problem) problems.push(problem);
      expect(parse(value)).toMatchObject({ ok: false, error: { code: ProtocolErrorCode.BinaryFrame } });
    }

    expect(problems).toEqual([]);
  });

  it('leaves Object.prototype untouched', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const random = seededRandom(42);

    for (let i = 0; i < 2_000; i += 1) {
      const frame = mutateFrame(random, pick(random, CLIENT_EXAMPLES)[1]);
      parseClientFrame(JSON.stringify(frame).replace('"type"', '"__proto__":{"polluted":1},"type"'));
    }

    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
