import type { PresenceMember } from '@heartbeat/protocol';
import { NEVER, type Observable, Subject } from 'rxjs';
import { type PresenceChange, type PresenceEntry, PresenceManager } from './presence-manager.js';

/** A user present in a topic: their connections and since when. */
interface Presence {
  readonly connections: Set<string>;
  readonly since: number;
}

/** Presence in one process (memory mode): every node is this node. */
export class MemoryPresenceManager extends PresenceManager {
  readonly ready$: Observable<void> = NEVER;
  private readonly changes = new Subject<PresenceChange>();
  /** Topic → user → presence; a topic is dropped with its last member. */
  private readonly topics = new Map<string, Map<string, Presence>>();

  get changes$(): Observable<PresenceChange> {
    return this.changes.asObservable();
  }

  async start(): Promise<void> {
    // Nothing to keep alive: the members live and die with the process.
  }

  async stop(): Promise<void> {
    for (const [topic, users] of this.topics) {
      for (const [userId, presence] of users) {
        for (const connectionId of [...presence.connections]) await this.remove({ topic, userId, connectionId });
      }
    }
  }

  async add(entry: PresenceEntry, since: number): Promise<void> {
    let users = this.topics.get(entry.topic);
    if (!users) this.topics.set(entry.topic, (users = new Map()));
    let present = users.get(entry.userId);
    if (present?.connections.has(entry.connectionId)) return;
    if (present) present.connections.add(entry.connectionId);
    else users.set(entry.userId, (present = { connections: new Set([entry.connectionId]), since }));
    this.tellCount(entry, present);
  }

  async remove(entry: PresenceEntry): Promise<void> {
    const users = this.topics.get(entry.topic);
    const present = users?.get(entry.userId);
    if (!users || !present?.connections.delete(entry.connectionId)) return;
    if (present.connections.size > 0) {
      this.tellCount(entry, present);
      return;
    }
    users.delete(entry.userId);
    if (users.size === 0) this.topics.delete(entry.topic);
    this.changes.next({ kind: 'leave', topic: entry.topic, userId: entry.userId });
  }

  /** A member's connection count changed (from 0 too): a join, which replaces what watchers had of them. */
  private tellCount(entry: PresenceEntry, present: Presence): void {
    this.changes.next({ kind: 'join', topic: entry.topic, member: { user_id: entry.userId, connections: present.connections.size, since: present.since } });
  }

  async members(topic: string): Promise<PresenceMember[]> {
    const users = this.topics.get(topic);
    if (!users) return [];
    return [...users]
      .map(([userId, presence]) => ({ user_id: userId, connections: presence.connections.size, since: presence.since }))
      .sort((a, b) => a.since - b.since);
  }
}
