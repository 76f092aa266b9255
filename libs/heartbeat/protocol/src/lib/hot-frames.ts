import { MAX_ID_LENGTH, MAX_TIMESTAMP_LENGTH, MAX_TOPIC_LENGTH } from './frame-limits.js';
import type { ClientPongFrame, EventFrame, ServerPingFrame } from './frames.js';

/**
 * Hand-written checks for the frames that every connection exchanges all the time: a client's pong
 * (once per ping interval on every server connection) and a server's ping and topic events (on every
 * client). They apply the rules of the frames' zod schemas in frame-schemas.ts and build the same
 * result (the schema's fields in the schema's order, unknown fields dropped) without zod's
 * per-parse allocations, which at 19,000 connections pinged every second are a fair share of the
 * server's CPU and garbage. They only accept: whatever they refuse goes to the schema, which names
 * what is wrong. hot-frames.spec.ts holds them to agreeing with the schemas.
 */
export type HotFrameCheck<F> = (value: Readonly<Record<string, unknown>>) => F | undefined;

function isCounter(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isEpochMs(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isText(value: unknown, min: number, max: number): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

export const clientPong: HotFrameCheck<ClientPongFrame> = ({ timestamp, client_time, sequence, ping_count }) =>
  isText(timestamp, 0, MAX_TIMESTAMP_LENGTH) && isEpochMs(client_time) && isCounter(sequence) && isCounter(ping_count)
    ? { type: 'pong', timestamp, client_time, sequence, ping_count }
    : undefined;

export const serverPing: HotFrameCheck<ServerPingFrame> = ({ timestamp, server_time, sequence }) =>
  isText(timestamp, 0, MAX_TIMESTAMP_LENGTH) && isEpochMs(server_time) && isCounter(sequence)
    ? { type: 'ping', timestamp, server_time, sequence }
    : undefined;

export const event: HotFrameCheck<EventFrame> = (value) => {
  const { topic, seq, epoch, timestamp } = value;
  // The schema's `data: z.unknown()` requires the key, with any value.
  return isText(topic, 1, MAX_TOPIC_LENGTH) &&
    isCounter(seq) &&
    isText(epoch, 1, MAX_ID_LENGTH) &&
    Object.hasOwn(value, 'data') &&
    isText(timestamp, 0, MAX_TIMESTAMP_LENGTH)
    ? { type: 'event', topic, seq, epoch, data: value['data'], timestamp }
    : undefined;
};

export const clientHotFrames: Readonly<Record<string, HotFrameCheck<unknown>>> = { pong: clientPong };
export const serverHotFrames: Readonly<Record<string, HotFrameCheck<unknown>>> = { ping: serverPing, event };
