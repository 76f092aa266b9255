import type { PresenceMember } from '@heartbeat/protocol';
import { Logger } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import { type Observable, Subject, type Subscription } from 'rxjs';
import { errorText, HeartbeatMessages } from '../core/heartbeat.messages.js';
import { type PresenceChange, type PresenceEntry, PresenceManager } from '../core/presence-manager.js';
import type { RedisLink } from './redis-link.js';
import { withinMs } from './within-ms.js';

export const REDIS_PRESENCE_INTERVAL = 'heartbeat:redis-presence';

/** One of this node's entries, as Redis should hold it. */
interface HeldEntry extends PresenceEntry {
  readonly since: number;
}

/**
 * Presence of every node on one Redis (docs/scaling.md#presence); the scripts of redis-scripts.ts
 * keep the counts and tell each join and leave once, on one channel.
 *
 * This node's entries are held here first, Redis mirrors them: writes go out one after another,
 * and while Redis is away they are not sent — the joins and leaves of this node's own users are
 * told at once from what the node holds, and when Redis is back the node writes its entries again
 * (`ready$`), which removes those that went meanwhile. Every `statsInterval` the node keeps its
 * key alive (ttl `staleAfter`) and removes the entries of nodes whose key expired: a dead node's
 * users leave within `staleAfter + statsInterval`.
 */
export class RedisPresenceManager extends PresenceManager {
  private readonly logger = new Logger('HeartbeatRedis');
  private readonly changes = new Subject<PresenceChange>();
  private readonly ready = new Subject<void>();
  /** `connection id \n topic` → entry. */
  private readonly held = new Map<string, HeldEntry>();
  private readonly subscriptions: Subscription[] = [];
  /** The writes to Redis, one after another: a write resent after an outage never overtakes a later one. */
  private writes: Promise<void> = Promise.resolve();
  private started = false;
  private stopped = false;

  constructor(
    private readonly link: RedisLink,
    private readonly scheduler: SchedulerRegistry,
  ) {
    super();
  }

  get changes$(): Observable<PresenceChange> {
    return this.changes.asObservable();
  }

  get ready$(): Observable<void> {
    return this.ready.asObservable();
  }

  /** Listens for joins and leaves, writes the entries again each time Redis is back, and keeps the node alive. Call after the link started. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const channel = this.link.keys.presenceChanges();
    this.subscriptions.push(
      this.link.messages$.subscribe(({ channel: from, message }) => {
        if (from !== channel) return;
        const change = parseChange(message);
        if (change) this.changes.next(change);
      }),
      this.link.ready$.subscribe(() => this.resync()),
    );
    this.link.listen(channel).catch((error: unknown) => this.logger.error(HeartbeatMessages.logRedisListenFailed(), error));
    this.scheduler.addInterval(REDIS_PRESENCE_INTERVAL, setInterval(() => this.refresh(), this.link.options.statsInterval));
  }

  /**
   * Removes this node's entries from Redis (their users leave unless present elsewhere). Before the
   * link stops; safe twice. It waits for Redis at most `requestTimeout`: a node that stops while
   * Redis does not answer leaves its entries to expire, as a dead node's do.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.scheduler.doesExist('interval', REDIS_PRESENCE_INTERVAL)) this.scheduler.deleteInterval(REDIS_PRESENCE_INTERVAL);
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
    this.held.clear();
    if (this.link.state.up) {
      const removed = this.write(() => this.link.commands.heartbeatPresenceSync(...this.link.keys.presenceScript, this.link.options.nodeId, 0));
      await withinMs(removed, this.link.options.requestTimeout);
    }
    this.changes.complete();
    this.ready.complete();
  }

  async add(entry: PresenceEntry, since: number): Promise<void> {
    const key = heldKey(entry);
    if (this.stopped || this.held.has(key)) return;
    this.held.set(key, { topic: entry.topic, userId: entry.userId, connectionId: entry.connectionId, since });
    if (!this.link.state.up) {
      // While Redis is away this node tells what it holds, as the memory manager does: a join with the count.
      this.changes.next({ kind: 'join', topic: entry.topic, member: this.heldMember(entry) as PresenceMember });
      return;
    }
    const { keys, options } = this.link;
    await this.write(() =>
      this.link.commands.heartbeatPresenceAdd(...keys.presenceScript, options.nodeId, options.staleAfter, entry.topic, entry.connectionId, entry.userId, since),
    );
  }

  async remove(entry: PresenceEntry): Promise<void> {
    if (!this.held.delete(heldKey(entry))) return;
    if (!this.link.state.up) {
      const member = this.heldMember(entry);
      this.changes.next(member ? { kind: 'join', topic: entry.topic, member } : { kind: 'leave', topic: entry.topic, userId: entry.userId });
      return;
    }
    await this.write(() => this.link.commands.heartbeatPresenceRemove(...this.link.keys.presenceScript, entry.topic, entry.connectionId));
  }

  /**
   * From Redis; while Redis is away, this node's own members (what it can vouch for), so that a
   * subscriber of this node still gets a snapshot. Oldest member first.
   */
  async members(topic: string): Promise<PresenceMember[]> {
    if (!this.link.state.up) return this.heldMembers(topic);
    const members = await this.link.commands.hgetall(this.link.keys.presenceMembers(topic));
    return Object.entries(members)
      .map(([user, value]) => {
        const [connections, since] = value.split(' ').map(Number);
        return { user_id: user, connections, since };
      })
      .sort((a, b) => a.since - b.since);
  }

  private heldMembers(topic: string): PresenceMember[] {
    const members = new Map<string, PresenceMember>();
    for (const entry of this.held.values()) {
      if (entry.topic !== topic) continue;
      const member = members.get(entry.userId);
      if (member) member.connections++;
      else members.set(entry.userId, { user_id: entry.userId, connections: 1, since: entry.since });
    }
    return [...members.values()].sort((a, b) => a.since - b.since);
  }

  /** The entry's user as this node alone holds them in the entry's topic (asked only while Redis is away). */
  private heldMember(entry: PresenceEntry): PresenceMember | undefined {
    return this.heldMembers(entry.topic).find((member) => member.user_id === entry.userId);
  }

  /** Queues a write behind the others; a failed one is logged (the next resync makes up for it), never thrown. */
  private write(command: () => Promise<unknown>): Promise<void> {
    this.writes = this.writes.then(command).then(
      () => undefined,
      (error: unknown) => this.logger.warn(HeartbeatMessages.logPresenceWriteFailed(errorText(error))),
    );
    return this.writes;
  }

  /** Writes exactly this node's entries (after an outage, or Redis lost them), then says so: what changed meanwhile can be read. */
  private resync(): void {
    if (this.stopped) return;
    const { keys, options } = this.link;
    const args = [...this.held.values()].flatMap((entry) => [entry.topic, entry.connectionId, entry.userId, entry.since]);
    void this.write(() => this.link.commands.heartbeatPresenceSync(...keys.presenceScript, options.nodeId, options.staleAfter, ...args)).then(() => {
      if (!this.stopped) this.ready.next();
    });
  }

  private refresh(): void {
    if (this.stopped || !this.link.state.up) return;
    const { keys, options } = this.link;
    void this.write(async () => {
      const kept = await this.link.commands.heartbeatPresenceRefresh(...keys.presenceScript, options.nodeId, options.staleAfter);
      // Redis lost this node's entries (restarted empty, or it took the node for dead): write them again.
      if (kept === 0 && this.held.size > 0) this.resync();
    });
  }
}

function heldKey(entry: PresenceEntry): string {
  return `${entry.connectionId}\n${entry.topic}`;
}

/** A join or leave as the scripts publish it; anything else is ignored. */
function parseChange(message: string): PresenceChange | undefined {
  try {
    const change = JSON.parse(message) as PresenceChange;
    return change.kind === 'join' || change.kind === 'leave' ? change : undefined;
  } catch {
    return undefined;
  }
}
