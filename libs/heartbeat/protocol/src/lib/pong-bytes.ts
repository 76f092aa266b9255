import { MAX_TIMESTAMP_LENGTH } from './frame-limits.js';
import type { ClientPongFrame } from './frames.js';

/**
 * What a server needs of a client's pong, read off its bytes: its `timestamp` is checked as
 * parseClientFrame checks it, but not made into text (the server does not read it).
 */
export type PongReading = Pick<ClientPongFrame, 'client_time' | 'sequence' | 'ping_count'>;

/**
 * Reads a client's pong straight from the frame's UTF-8 bytes when it is written exactly as
 * HeartbeatClient writes it (`JSON.stringify` of type, timestamp, client_time, sequence, ping_count,
 * in that order, with integer numbers): no text decoding, no `JSON.parse` and no parsed object in
 * between. A server receives one pong per connection per ping interval, and the text and the parse
 * were most of the garbage of an idle server; making the timestamp's text alone cost a tenth of an
 * idle server's time on pongs (docs/benchmarks.md, issue 14).
 *
 * It only accepts: anything else (other frames, other key orders, spaces, escapes, fractions,
 * numbers beyond 15 digits) is undefined and goes through parseClientFrame, which either gives the
 * same frame or names what is wrong. pong-bytes.spec.ts holds the two to the same result.
 */
export function readPongBytes(bytes: Uint8Array): PongReading | undefined {
  let at = expect(bytes, 0, TYPE_AND_TIMESTAMP);
  if (at < 0) return undefined;
  const timestampStart = at;
  // Printable ASCII other than `"` and `\`: JSON.parse would read these bytes as the same characters.
  while (at < bytes.length && bytes[at] !== QUOTE) {
    const byte = bytes[at];
    if (byte < 0x20 || byte > 0x7e || byte === BACKSLASH) return undefined;
    at++;
  }
  const timestampEnd = at;
  if (timestampEnd - timestampStart > MAX_TIMESTAMP_LENGTH) return undefined;
  at = expect(bytes, at, CLIENT_TIME);
  const clientTime = readInteger(bytes, at);
  if (clientTime === undefined) return undefined;
  at = expect(bytes, clientTime.end, SEQUENCE);
  const sequence = readInteger(bytes, at);
  if (sequence === undefined) return undefined;
  at = expect(bytes, sequence.end, PING_COUNT);
  const pingCount = readInteger(bytes, at);
  if (pingCount === undefined || pingCount.end !== bytes.length - 1 || bytes[pingCount.end] !== CLOSE_BRACE) return undefined;
  return {
    client_time: clientTime.value,
    sequence: sequence.value,
    ping_count: pingCount.value,
  };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE_BRACE = 0x7d;
const ZERO = 0x30;
const NINE = 0x39;
/** Up to 15 digits: always a safe integer, read exactly as JSON.parse reads it. */
const MAX_DIGITS = 15;

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (character) => character.charCodeAt(0));
const TYPE_AND_TIMESTAMP = ascii('{"type":"pong","timestamp":"');
const CLIENT_TIME = ascii('","client_time":');
const SEQUENCE = ascii(',"sequence":');
const PING_COUNT = ascii(',"ping_count":');

/** The index after `expected` if the bytes at `at` are it, else -1. */
function expect(bytes: Uint8Array, at: number, expected: Uint8Array): number {
  if (at < 0 || at + expected.length > bytes.length) return -1;
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return -1;
  return at + expected.length;
}

/** A JSON non-negative integer (no sign, fraction, exponent or leading zero) and the index after it. */
function readInteger(bytes: Uint8Array, at: number): { value: number; end: number } | undefined {
  if (at < 0) return undefined;
  let value = 0;
  let end = at;
  while (end < bytes.length && bytes[end] >= ZERO && bytes[end] <= NINE) {
    value = value * 10 + (bytes[end] - ZERO);
    end++;
  }
  const digits = end - at;
  if (digits === 0 || digits > MAX_DIGITS || (digits > 1 && bytes[at] === ZERO)) return undefined;
  return { value, end };
}
