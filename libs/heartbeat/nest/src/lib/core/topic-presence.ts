import { encodeFrame, type PresenceMember, ProtocolErrorCode, type ServerFrame } from '@heartbeat/protocol';
import type { Subscription } from 'rxjs';
import type { CoreClock } from './clock.port.js';
import type { CoreLogger } from './logger.port.js';
import type { PresenceChange, PresenceManager } from './presence-manager.js';
import type { TopicPattern } from './topic-pattern.js';
import type { TopicSubscriber } from './topic-subscriber.js';

/** The sentences presence answers and logs with (heartbeat.messages.ts provides them). */
export interface TopicPresenceMessages {
  presenceDisabled(topic: string): string;
  presenceUnavailable(topic: string): string;
  logPresenceFailed(topic: string, operation: string): string;
}

export interface TopicPresenceOptions {
  /** The module's `presence` option: the topics that keep presence. */
  patterns: readonly TopicPattern[];
  clock: CoreClock;
  logger: CoreLogger;
  messages: TopicPresenceMessages;
}

/** Sends the `presence` snapshot (or what stands in for it) right after the `subscribed` answer. */
export type PresenceAnswer = () => void;

/** A topic's presence as this node's watchers see it. */
interface WatchedTopic {
  /**
   * Subscribers that asked for presence: `undefined` once their snapshot went out (live), else the
   * changes that came while it was read, sent right after it.
   */
  readonly watchers: Map<TopicSubscriber, PresenceChange[] | undefined>;
  /** The members the live watchers were told about: what a reconciliation compares with. */
  readonly known: Map<string, PresenceMember>;
}

/**
 * Presence above a {@link PresenceManager} (docs/server.md#presence): the same code for memory and
 * Redis mode. An identified subscriber of a topic with presence is a member while subscribed; the
 * manager says when a user joins or leaves (cluster-wide), and this node hands that on as `join` and
 * `leave` frames to its subscribers that asked for presence, each first given a `presence` snapshot.
 * When the manager's store is back after an outage, every watched topic is read again and the
 * joins and leaves missed meanwhile are sent: watchers are told, never left diverging.
 */
export class TopicPresence {
  private readonly topics = new Map<string, WatchedTopic>();
  /** The topics each identified subscriber is a member of: what its release removes, once. */
  private readonly memberships = new Map<TopicSubscriber, Set<string>>();
  private readonly subscriptions: Subscription[];

  constructor(
    private readonly manager: PresenceManager,
    private readonly options: TopicPresenceOptions,
  ) {
    this.subscriptions = [
      manager.changes$.subscribe((change) => this.onChange(change)),
      manager.ready$.subscribe(() => {
        for (const topic of this.topics.keys()) void this.reconcile(topic);
      }),
    ];
  }

  /** Whether the topic keeps presence for a connection of `userId` (a `{userId}` pattern matches its own topics only). */
  isEnabled(topic: string, userId: string | undefined): boolean {
    return this.options.patterns.some((pattern) => pattern.matches(topic, userId));
  }

  /**
   * A subscriber was added to the topic: it becomes a member if the topic keeps presence and it is
   * identified. `wanted` (`subscribe.presence`): resolves with what sends its snapshot, or the error
   * saying the topic has no presence. Never rejects.
   */
  enter(subscriber: TopicSubscriber, topic: string, wanted: boolean): Promise<PresenceAnswer | undefined> {
    const enabled = this.isEnabled(topic, subscriber.userId);
    if (enabled && subscriber.userId !== undefined) this.join(subscriber, subscriber.userId, topic);
    if (!wanted) return Promise.resolve(undefined);
    const { messages } = this.options;
    if (!enabled) {
      return Promise.resolve(() => {
        subscriber.sendError({ code: ProtocolErrorCode.PresenceDisabled, message: messages.presenceDisabled(topic), ref: topic });
      });
    }
    const watched = this.watched(topic);
    if (watched.watchers.has(subscriber)) return Promise.resolve(undefined);
    const pending: PresenceChange[] = [];
    watched.watchers.set(subscriber, pending);
    return this.manager.members(topic).then(
      (members) => () => {
        if (watched.watchers.get(subscriber) !== pending) return; // it left meanwhile
        watched.watchers.set(subscriber, undefined);
        for (const member of members) watched.known.set(member.user_id, member);
        subscriber.send({ type: 'presence', topic, members });
        for (const change of pending) subscriber.send(changeFrame(change));
      },
      (error: unknown) => () => {
        this.log(topic, 'members', error);
        this.unwatch(subscriber, topic);
        subscriber.sendError({ code: ProtocolErrorCode.InternalError, message: messages.presenceUnavailable(topic), ref: topic });
      },
    );
  }

  /** The subscriber left the topic (unsubscribe, or a failed subscribe): no longer a member, nor a watcher. */
  exit(subscriber: TopicSubscriber, topic: string): void {
    this.unwatch(subscriber, topic);
    const topics = this.memberships.get(subscriber);
    if (!topics?.delete(topic)) return;
    if (topics.size === 0) this.memberships.delete(subscriber);
    this.remove(subscriber, topic);
  }

  /** A connection closed: it leaves every topic's presence (the registry's release order, through the topic hub). Safe twice. */
  release(subscriber: TopicSubscriber): void {
    for (const topic of subscriber.topics) this.unwatch(subscriber, topic);
    const topics = this.memberships.get(subscriber);
    if (!topics) return;
    this.memberships.delete(subscriber);
    for (const topic of topics) this.remove(subscriber, topic);
  }

  /** The topic's members, cluster-wide ([] for a topic without presence or without members). */
  members(topic: string): Promise<PresenceMember[]> {
    return this.manager.members(topic);
  }

  /** Stops listening to the manager. Safe twice. */
  close(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
  }

  private join(subscriber: TopicSubscriber, userId: string, topic: string): void {
    let topics = this.memberships.get(subscriber);
    if (!topics) this.memberships.set(subscriber, (topics = new Set()));
    if (topics.has(topic)) return;
    topics.add(topic);
    const entry = { topic, userId, connectionId: subscriber.id };
    this.manager.add(entry, this.options.clock.now()).catch((error: unknown) => this.log(topic, 'add', error));
  }

  private remove(subscriber: TopicSubscriber, topic: string): void {
    const entry = { topic, userId: subscriber.userId as string, connectionId: subscriber.id };
    this.manager.remove(entry).catch((error: unknown) => this.log(topic, 'remove', error));
  }

  private unwatch(subscriber: TopicSubscriber, topic: string): void {
    const watched = this.topics.get(topic);
    if (!watched?.watchers.delete(subscriber)) return;
    if (watched.watchers.size === 0) this.topics.delete(topic);
  }

  private onChange(change: PresenceChange): void {
    const watched = this.topics.get(change.topic);
    if (!watched) return;
    if (change.kind === 'join') watched.known.set(change.member.user_id, change.member);
    else watched.known.delete(change.userId);
    this.tell(watched, changeFrame(change), change);
  }

  /** The store is back: the members read now against what the watchers were told; the difference is sent. */
  private async reconcile(topic: string): Promise<void> {
    let members: PresenceMember[];
    try {
      members = await this.manager.members(topic);
    } catch (error) {
      this.log(topic, 'members', error);
      return;
    }
    const watched = this.topics.get(topic);
    if (!watched) return;
    const now = new Map(members.map((member) => [member.user_id, member]));
    for (const userId of [...watched.known.keys()]) {
      if (!now.has(userId)) this.onChange({ kind: 'leave', topic, userId });
    }
    for (const member of members) {
      if (watched.known.get(member.user_id)?.connections !== member.connections) this.onChange({ kind: 'join', topic, member });
    }
  }

  /** A frame to every live watcher (encoded once); watchers still waiting for their snapshot get it after. */
  private tell(watched: WatchedTopic, frame: ServerFrame, change: PresenceChange): void {
    let text: Buffer | undefined;
    for (const [subscriber, pending] of watched.watchers) {
      if (pending) pending.push(change);
      else subscriber.sendText((text ??= Buffer.from(encodeFrame(frame))));
    }
  }

  private watched(topic: string): WatchedTopic {
    let watched = this.topics.get(topic);
    if (!watched) this.topics.set(topic, (watched = { watchers: new Map(), known: new Map() }));
    return watched;
  }

  private log(topic: string, operation: string, error: unknown): void {
    this.options.logger.error(this.options.messages.logPresenceFailed(topic, operation), error instanceof Error ? error.stack : String(error));
  }
}

function changeFrame(change: PresenceChange): ServerFrame {
  return change.kind === 'join'
    ? { type: 'join', topic: change.topic, member: change.member }
    : { type: 'leave', topic: change.topic, user_id: change.userId };
}
