// A namespace import lets bundlers drop what is unused (all of zod's locales, among others): 450 kB → 85 kB minified.
import * as z from 'zod';
import { MAX_ID_LENGTH, MAX_TIMESTAMP_LENGTH, MAX_TOKEN_LENGTH, MAX_TOPIC_LENGTH } from './frame-limits.js';

/**
 * One schema per frame of wire protocol v1 (docs/protocol.md). Heartbeat fields keep their snake_case
 * names (docs/protocol.md, Frame conventions). Objects are not strict: unknown fields are dropped,
 * so a newer peer can add fields without breaking an older one.
 */

const isoTimestamp = z.string().max(MAX_TIMESTAMP_LENGTH);
const epochMs = z.number().finite();
const counter = z.number().int().nonnegative();
const topic = z.string().min(1).max(MAX_TOPIC_LENGTH);
const id = z.string().min(1).max(MAX_ID_LENGTH);

// ---- client → server -------------------------------------------------------------------------

export const helloFrameSchema = z.object({
  type: z.literal('hello'),
  token: z.string().max(MAX_TOKEN_LENGTH).optional(),
  session_id: id.optional(),
  positions: z.record(topic, counter).optional(),
  /** Topics to subscribe from their head, as a `subscribe` each would; a server that reads them says so in `welcome.hello_subscribe`. */
  subscribe: z.array(topic).optional(),
  client: z.object({ name: z.string().max(MAX_ID_LENGTH), version: z.string().max(MAX_ID_LENGTH) }).optional(),
});

export const clientPingFrameSchema = z.object({
  type: z.literal('ping'),
  timestamp: isoTimestamp,
  client_time: epochMs,
  sequence: counter,
});

export const clientPongFrameSchema = z.object({
  type: z.literal('pong'),
  timestamp: isoTimestamp,
  client_time: epochMs,
  sequence: counter,
  ping_count: counter,
});

export const subscribeFrameSchema = z.object({
  type: z.literal('subscribe'),
  topic,
  since: counter.optional(),
  /** Asks for the topic's members (a `presence` frame) and their `join`/`leave` frames; topics with presence only. */
  presence: z.boolean().optional(),
});

export const unsubscribeFrameSchema = z.object({
  type: z.literal('unsubscribe'),
  topic,
  since: counter.optional(),
});

export const messageFrameSchema = z.object({
  type: z.literal('message'),
  id,
  topic: topic.optional(),
  data: z.unknown(),
});

/** A call to the server handler of `topic`: answered with `result` (its return value) or `error` with `ref` = `id`. */
export const requestFrameSchema = z.object({
  type: z.literal('request'),
  id,
  topic,
  data: z.unknown(),
});

/** Token refresh without reconnecting: a fresh token for an authenticated connection. */
export const authFrameSchema = z.object({
  type: z.literal('auth'),
  token: z.string().min(1).max(MAX_TOKEN_LENGTH),
});

// ---- server → client -------------------------------------------------------------------------

export const welcomeFrameSchema = z.object({
  type: z.literal('welcome'),
  session_id: id,
  resumed: z.boolean(),
  heartbeat: z.object({
    ping_interval: counter,
    heartbeat_timeout: counter,
    max_missed_pings: counter,
  }),
  server_time: epochMs,
  /** When the token presented in `hello` stops being accepted; send `auth` with a fresh one before. */
  token_expires_at: epochMs.optional(),
  /** The user the token named (`verifyToken` answered `{ userId }`); absent on an anonymous connection. */
  user_id: id.optional(),
  /** The server subscribed the topics of `hello.subscribe` (absent: it did not read them, and the client subscribes them itself). */
  hello_subscribe: z.boolean().optional(),
});

export const serverPingFrameSchema = z.object({
  type: z.literal('ping'),
  timestamp: isoTimestamp,
  server_time: epochMs,
  sequence: counter,
});

export const serverPongFrameSchema = z.object({
  type: z.literal('pong'),
  timestamp: isoTimestamp,
  server_time: epochMs,
  client_time: epochMs,
  sequence: counter,
  ping_count: counter,
});

export const subscribedFrameSchema = z.object({
  type: z.literal('subscribed'),
  topic,
  epoch: z.string().min(1).max(MAX_ID_LENGTH),
  seq: counter,
  recovered: z.boolean(),
  replayed: counter,
  /** True on the answer to a server-side join, which answers no `subscribe` of the client's (absent otherwise). */
  joined: z.boolean().optional(),
});

export const eventFrameSchema = z.object({
  type: z.literal('event'),
  topic,
  seq: counter,
  epoch: z.string().min(1).max(MAX_ID_LENGTH),
  data: z.unknown(),
  timestamp: isoTimestamp,
});

/**
 * The server ended a subscription the client did not end itself: `reason` `forbidden` (a fresh
 * token no longer allows the topic) or `removed` (the server removed the connection from it).
 */
export const unsubscribedFrameSchema = z.object({
  type: z.literal('unsubscribed'),
  topic,
  reason: z.string().min(1).max(MAX_ID_LENGTH),
});

/** One user present in a topic: `connections` of theirs subscribed to it, present `since` (epoch ms). */
export const presenceMemberSchema = z.object({
  user_id: id,
  connections: counter,
  since: epochMs,
});

/** A topic's members, answered after `subscribed` to a `subscribe` that asked for presence. */
export const presenceFrameSchema = z.object({
  type: z.literal('presence'),
  topic,
  members: z.array(presenceMemberSchema),
});

/** A user became present in a topic (their first connection subscribed to it). */
export const joinFrameSchema = z.object({
  type: z.literal('join'),
  topic,
  member: presenceMemberSchema,
});

/** A user left a topic: their last connection to it unsubscribed, closed or was found dead. */
export const leaveFrameSchema = z.object({
  type: z.literal('leave'),
  topic,
  user_id: id,
});

/** The return value of the handler a `request` called. */
export const resultFrameSchema = z.object({
  type: z.literal('result'),
  id,
  data: z.unknown(),
});

/** A message from the server to this connection alone (`sendToConnection`): not numbered, not replayed. */
export const serverMessageFrameSchema = z.object({
  type: z.literal('message'),
  topic: topic.optional(),
  data: z.unknown(),
  timestamp: isoTimestamp,
});

export const ackFrameSchema = z.object({
  type: z.literal('ack'),
  id,
});

/** The answer to an accepted `auth`: the connection stays open until the new expiry, if any. */
export const authenticatedFrameSchema = z.object({
  type: z.literal('authenticated'),
  token_expires_at: epochMs.optional(),
});

export const errorFrameSchema = z.object({
  type: z.literal('error'),
  code: z.string().min(1).max(MAX_ID_LENGTH),
  message: z.string(),
  ref: z.string().optional(),
  /** More about the error, for a failed `request`: what the handler's exception carried (validation messages, say). */
  details: z.unknown().optional(),
});

export const clientFrameSchemas = {
  hello: helloFrameSchema,
  ping: clientPingFrameSchema,
  pong: clientPongFrameSchema,
  subscribe: subscribeFrameSchema,
  unsubscribe: unsubscribeFrameSchema,
  message: messageFrameSchema,
  request: requestFrameSchema,
  auth: authFrameSchema,
} as const;

export const serverFrameSchemas = {
  welcome: welcomeFrameSchema,
  ping: serverPingFrameSchema,
  pong: serverPongFrameSchema,
  subscribed: subscribedFrameSchema,
  event: eventFrameSchema,
  unsubscribed: unsubscribedFrameSchema,
  presence: presenceFrameSchema,
  join: joinFrameSchema,
  leave: leaveFrameSchema,
  message: serverMessageFrameSchema,
  ack: ackFrameSchema,
  result: resultFrameSchema,
  authenticated: authenticatedFrameSchema,
  error: errorFrameSchema,
} as const;
