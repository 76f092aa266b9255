import type { PresenceMember } from '@heartbeat/protocol';
import type { Observable } from 'rxjs';

/** One connection of a user subscribed to a topic with presence: what the store keeps. */
export interface PresenceEntry {
  readonly topic: string;
  readonly userId: string;
  readonly connectionId: string;
}

/**
 * A user became present in a topic (their first connection, cluster-wide), their connection count
 * changed (a join with the new count, which replaces the member), or they left it (their last one
 * went): what every node hands on as `join` and `leave` frames (docs/server.md#presence).
 */
export type PresenceChange = { kind: 'join'; topic: string; member: PresenceMember } | { kind: 'leave'; topic: string; userId: string };

/**
 * Where the members of every topic with presence are kept (docs/server.md#presence): the port of
 * the server core, after centrifuge's `PresenceManager`. {@link MemoryPresenceManager} is one
 * process; RedisPresenceManager is every node on one Redis. TopicPresence above it is the same for
 * both, and presence.contract.ts holds both to the same behaviour.
 *
 * A manager never rejects `add` or `remove`: while its store is away it keeps this node's entries
 * and writes them when it is back (`ready$`), so that no entry of a closed connection is left behind.
 */
export abstract class PresenceManager {
  /** Every join and leave, on any node, once each (this node's own included). */
  abstract readonly changes$: Observable<PresenceChange>;

  /**
   * Each time the store is back after being away and this node's entries are written again: what
   * changed meanwhile can be read now (`members`). Never in memory.
   */
  abstract readonly ready$: Observable<void>;

  /** Starts keeping this node's entries alive. */
  abstract start(): Promise<void>;

  /** Removes this node's entries (their users leave unless present elsewhere), then stops; safe twice. */
  abstract stop(): Promise<void>;

  /** Adds a connection to the topic's members, present from `since` (epoch ms) if it is its user's first; twice changes nothing. */
  abstract add(entry: PresenceEntry, since: number): Promise<void>;

  /** Removes a connection from the topic's members; an entry it does not hold changes nothing. */
  abstract remove(entry: PresenceEntry): Promise<void>;

  /** The topic's members, cluster-wide, oldest `since` first; none for a topic without presence. */
  abstract members(topic: string): Promise<PresenceMember[]>;
}
