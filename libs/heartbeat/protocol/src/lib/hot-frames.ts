import { MAX_TIMESTAMP_LENGTH } from './frame-limits.js';
import type { ClientPongFrame } from './frames.js';
import { isCounter, isEpochMs, isText } from './value-tests.js';

/**
 * Hand-written checks for the frames that every server connection receives all the time: a client's
 * pong (once per ping interval). They apply the rules of the frame's zod schema in frame-schemas.ts
 * and build the same result (the schema's fields in the schema's order, unknown fields dropped)
 * without zod's per-parse allocations, which at 19,000 connections pinged every second are a fair
 * share of the server's CPU and garbage. They only accept: whatever they refuse goes to the schema,
 * which names what is wrong. hot-frames.spec.ts holds them to agreeing with the schemas. Server
 * frames need none: their zod-free rules (server-frame-guards.ts) allocate nothing for a valid field.
 */
export type HotFrameCheck<F> = (value: Readonly<Record<string, unknown>>) => F | undefined;

export const clientPong: HotFrameCheck<ClientPongFrame> = ({ timestamp, client_time, sequence, ping_count }) =>
  isText(timestamp, 0, MAX_TIMESTAMP_LENGTH) && isEpochMs(client_time) && isCounter(sequence) && isCounter(ping_count)
    ? { type: 'pong', timestamp, client_time, sequence, ping_count }
    : undefined;

export const clientHotFrames: Readonly<Record<string, HotFrameCheck<unknown>>> = { pong: clientPong };
