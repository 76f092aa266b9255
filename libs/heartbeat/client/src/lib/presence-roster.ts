import type { JoinFrame, LeaveFrame, PresenceFrame, PresenceMember } from '@heartbeat/protocol';
import { Observable, ReplaySubject } from 'rxjs';
import type { HeartbeatTopicError } from './heartbeat-topic-error.js';
import type { TopicRegistry } from './topic-registry.js';

interface Roster {
  /** By user id, in the order they became present. */
  members: Map<string, PresenceMember>;
  /** The member list after each change; replays the last one to a new observer. */
  readonly lists: ReplaySubject<readonly PresenceMember[]>;
  observers: number;
}

/**
 * The members of the topics observed with `presence$()` (docs/client.md#presence): the `presence`
 * snapshot the server answers a subscribe that asked for it, then its `join` and `leave` frames.
 * Each snapshot replaces the list, so after a reconnect no member stays who left meanwhile. The
 * server subscription is the topic's own (TopicRegistry), held while the presence is observed.
 */
export class PresenceRoster {
  private readonly rosters = new Map<string, Roster>();

  constructor(private readonly topics: TopicRegistry) {}

  /** The members of `topic`, from the first snapshot on; errors when the topic or its presence is refused. */
  observe(topic: string): Observable<readonly PresenceMember[]> {
    const events = this.topics.subscribe(topic, true);
    return new Observable<readonly PresenceMember[]>((subscriber) => {
      // A list nobody observes is kept up to date while the connection watches the topic's presence
      // (the server sends no new snapshot then); otherwise it starts afresh from the next snapshot.
      const kept = this.rosters.get(topic);
      const roster = kept && (kept.observers > 0 || this.topics.watchesPresence(topic)) ? kept : this.createRoster(topic);
      roster.observers += 1;
      const lists = roster.lists.subscribe(subscriber);
      // Holds the server subscription; a refused topic errors here, a removed one completes.
      const hold = events.subscribe({ error: (error: unknown) => subscriber.error(error), complete: () => subscriber.complete() });
      return () => {
        lists.unsubscribe();
        hold.unsubscribe();
        roster.observers -= 1;
        if (roster.observers === 0 && !this.topics.watchesPresence(topic) && this.rosters.get(topic) === roster) this.rosters.delete(topic);
      };
    });
  }

  /** A `presence` snapshot replaces the topic's list; `join` adds (or updates) a member, `leave` removes one. */
  onFrame(frame: PresenceFrame | JoinFrame | LeaveFrame): void {
    const roster = this.rosters.get(frame.topic);
    if (!roster) return;
    if (frame.type === 'presence') roster.members = new Map(frame.members.map((member) => [member.user_id, member]));
    else if (frame.type === 'join') roster.members.set(frame.member.user_id, frame.member);
    else if (!roster.members.delete(frame.user_id)) return;
    roster.lists.next(Object.freeze([...roster.members.values()]));
  }

  /** The server refused the topic's presence (its events still flow): its presence Observers error. False when none observes it. */
  refuse(topic: string, error: HeartbeatTopicError): boolean {
    const roster = this.rosters.get(topic);
    this.topics.presenceRefused(topic);
    if (!roster) return false;
    this.rosters.delete(topic);
    roster.lists.error(error);
    return true;
  }

  private createRoster(topic: string): Roster {
    const roster: Roster = { members: new Map(), lists: new ReplaySubject(1), observers: 0 };
    this.rosters.set(topic, roster);
    return roster;
  }
}
