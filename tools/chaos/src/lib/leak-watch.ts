import type { ServerFrame } from '@heartbeat/protocol';

/** The frame types that carry a topic's content or membership: what a connection may only see of a topic it may read. */
const CONTENT_FRAMES: ReadonlySet<string> = new Set(['subscribed', 'event', 'presence', 'join', 'leave', 'message']);

/** A frame one connection received that its user may not read, and why. */
export interface Leak {
  readonly connection: string;
  readonly userId: string | undefined;
  readonly topic: string;
  readonly type: string;
}

/**
 * Who may read a topic on the monitor server (docs/server.md#topic-authorization): `user.<id>` only
 * that user, a user topic `<topic>#<id>` only that user (built in), every other topic anyone the
 * server let subscribe. A frame of a topic its connection's user may not read is a leak, whatever
 * the server answered before it.
 */
export function mayRead(userId: string | undefined, topic: string): boolean {
  const hash = topic.indexOf('#');
  if (hash >= 0) return userId !== undefined && topic.slice(hash + 1) === userId;
  if (topic.startsWith('user.')) return userId !== undefined && topic === `user.${userId}`;
  return true;
}

/** The leaks among the frames one connection received. */
export function leaksIn(connection: string, userId: string | undefined, frames: readonly ServerFrame[]): Leak[] {
  const leaks: Leak[] = [];
  for (const frame of frames) {
    if (!CONTENT_FRAMES.has(frame.type)) continue;
    const topic = (frame as { topic?: unknown }).topic;
    if (typeof topic === 'string' && !mayRead(userId, topic)) leaks.push({ connection, userId, topic, type: frame.type });
  }
  return leaks;
}
