import { MAX_ID_LENGTH, MAX_TIMESTAMP_LENGTH, MAX_TOKEN_LENGTH, MAX_TOPIC_LENGTH } from './frame-limits.js';
import type { ClientPongFrame, HelloFrame } from './frames.js';
import { isCounter, isEpochMs, isText } from './value-tests.js';

/**
 * Hand-written checks for the frames that every server connection receives all the time: a client's
 * pong (once per ping interval), and its `hello` (once per connection, which a reconnect storm asks
 * of every connection at once). They apply the rules of the frame's zod schema in frame-schemas.ts
 * and build the same result (the schema's fields in the schema's order, unknown fields dropped)
 * without zod's per-parse allocations, which at 19,000 connections pinged every second are a fair
 * share of the server's CPU and garbage. They only accept: whatever they refuse goes to the schema,
 * which names what is wrong. A string's length is its count of UTF-16 units here; zod 4.6 and later
 * count a string longer than its limit again in code points, so a string over a limit only in units
 * (emoji in a token) is left to the schema, which decides as the installed zod does.
 * hot-frames.spec.ts holds them to agreeing with the schemas. Server
 * frames need none: their zod-free rules (server-frame-guards.ts) allocate nothing for a valid field.
 */
export type HotFrameCheck<F> = (value: Readonly<Record<string, unknown>>) => F | undefined;

export const clientPong: HotFrameCheck<ClientPongFrame> = ({ timestamp, client_time, sequence, ping_count }) =>
  isText(timestamp, 0, MAX_TIMESTAMP_LENGTH) && isEpochMs(client_time) && isCounter(sequence) && isCounter(ping_count)
    ? { type: 'pong', timestamp, client_time, sequence, ping_count }
    : undefined;

export const clientHello: HotFrameCheck<HelloFrame> = ({ token, session_id, positions, subscribe, client }) => {
  if (token !== undefined && !isText(token, 0, MAX_TOKEN_LENGTH)) return undefined;
  if (session_id !== undefined && !isText(session_id, 1, MAX_ID_LENGTH)) return undefined;
  if (positions !== undefined && !isPositions(positions)) return undefined;
  if (subscribe !== undefined && !(Array.isArray(subscribe) && subscribe.every(isTopic))) return undefined;
  const info = clientInfo(client);
  if (client !== undefined && info === undefined) return undefined;
  // The schema's key order, absent fields left out.
  const hello: { -readonly [K in keyof HelloFrame]: HelloFrame[K] } = { type: 'hello' };
  if (token !== undefined) hello.token = token;
  if (session_id !== undefined) hello.session_id = session_id;
  // Checked in full, and fresh from JSON.parse: kept, not copied.
  if (positions !== undefined) hello.positions = positions;
  if (subscribe !== undefined) hello.subscribe = subscribe;
  if (info !== undefined) hello.client = info;
  return hello;
};

function isTopic(value: unknown): value is string {
  return isText(value, 1, MAX_TOPIC_LENGTH);
}

/** A record of topics to positions. A `__proto__` key, which the schema's copy would lose, is left to the schema. */
function isPositions(value: unknown): value is Record<string, number> {
  return isJsonObject(value) && Object.keys(value).every((key) => key !== '__proto__' && isTopic(key) && isCounter(value[key]));
}

/** `hello.client` as the schema builds it (its two fields only), or undefined when it is absent or not one. */
function clientInfo(value: unknown): HelloFrame['client'] {
  if (!isJsonObject(value)) return undefined;
  const { name, version } = value;
  return isText(name, 0, MAX_ID_LENGTH) && isText(version, 0, MAX_ID_LENGTH) ? { name, version } : undefined;
}

/** A JSON object: not null, not an array. */
function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const clientHotFrames: Readonly<Record<string, HotFrameCheck<unknown>>> = { pong: clientPong, hello: clientHello };
