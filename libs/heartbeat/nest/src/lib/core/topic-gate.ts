import { ProtocolErrorCode } from '@heartbeat/protocol';
import type { HeartbeatIdentity } from './heartbeat-identity.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import type { CoreLogger } from './logger.port.js';
import type { AccessDecision, TopicAccess } from './topic-access.js';
import type { TopicFrames } from './topic-frames.port.js';
import type { TopicSubscriber } from './topic-subscriber.js';

/** A subscriber whose rights can be checked: a connection, with its identity. */
export interface GatedSubscriber extends TopicSubscriber {
  readonly identity: HeartbeatIdentity | undefined;
  /** How many topics it is subscribed to (without copying its topic list). */
  readonly topicCount: number;
}

/**
 * The gate in front of the topic hub (docs/server.md#topic-authorization): every `subscribe`, every
 * topic of `hello.positions` and `hello.subscribe` and every client `message` naming a topic passes {@link TopicAccess}
 * first; a refused one is answered with an `error` and the connection stays open. It also holds the
 * hub's server-side joins and leaves (`HeartbeatService.join`/`leave`/`publishToUser`), and takes
 * back the topics a fresh token no longer allows.
 *
 * While `authorize` answers with a promise the client may send more: only the latest `subscribe` or
 * `unsubscribe` of a topic counts, so a `subscribe` then `unsubscribe` ends unsubscribed, and a
 * connection closed meanwhile is never added.
 *
 * A connection holds at most `maxTopics` topics (docs/server.md#topics-per-connection), those still
 * waiting for `authorize` counted: one more is refused with `too_many_topics` before `authorize` is
 * asked, and so is every topic a `hello` names beyond the first `maxTopics`, so that a `hello`
 * naming thousands of topics costs the server no more than the limit. Server-side joins are the
 * application's decision: never refused, they count all the same.
 */
export class TopicGate implements TopicFrames {
  /** The decision each subscriber waits for, per topic (the latest wins), with its `since`; entries live while it is pending. */
  private readonly pending = new WeakMap<GatedSubscriber, Map<string, { since: number | undefined }>>();

  constructor(
    private readonly access: TopicAccess,
    private readonly hub: TopicFrames,
    private readonly logger: CoreLogger,
    private readonly maxTopics: number,
  ) {}

  /**
   * A client `subscribe` (`presence`: it asked for the topic's members, docs/server.md#presence):
   * refusals are answered with `ref` = the frame type for a bad name, the topic for the rest.
   */
  subscribe(subscriber: GatedSubscriber, topic: string, since: number | undefined, presence?: boolean): Promise<void> | void {
    return this.subscribeAs(subscriber, topic, since, 'subscribe', presence);
  }

  /**
   * The topics of a `hello`: those of `positions` resumed from their position, those of `subscribe`
   * subscribed from their head (once each; one named in both is resumed), each checked as a
   * `subscribe` would be.
   */
  hello(subscriber: GatedSubscriber, positions: Readonly<Record<string, number>> = {}, subscribe: readonly string[] = []): void {
    // A hello names at most maxTopics topics: the rest are refused unchecked, so that one frame asks
    // `authorize` no more than that, whatever it answers.
    let named = 0;
    const take = (topic: string, since: number | undefined) => {
      if (named++ < this.maxTopics) void this.subscribeAs(subscriber, topic, since, 'hello');
      else this.refuseTooMany(subscriber, topic);
    };
    for (const [topic, since] of Object.entries(positions)) take(topic, since);
    for (const topic of new Set(subscribe)) {
      if (!Object.hasOwn(positions, topic)) take(topic, undefined);
    }
  }

  unsubscribe(subscriber: GatedSubscriber, topic: string): void {
    this.forget(subscriber, topic);
    this.hub.unsubscribe(subscriber, topic);
  }

  /**
   * A client `message` (or `request`) naming a topic: true when it may go on. A refused one is
   * answered `error` with `ref` = `ref` (the message id) and must not be handed over nor acknowledged.
   */
  publish(subscriber: GatedSubscriber, topic: string, ref: string): boolean | Promise<boolean> {
    const decision = this.access.check(subscriber.identity, topic, 'publish');
    if (decision instanceof Promise) return decision.then((settled) => this.allowed(subscriber, topic, settled, ref));
    return this.allowed(subscriber, topic, decision, ref);
  }

  /**
   * Server-side subscribe (the name is the caller's to validate; `authorize` is not asked): the
   * client gets an unasked `subscribed` marked `joined`, then the topic's events after `since`.
   * A subscribe of the topic still waiting for `authorize` is never answered: the join takes its
   * place, from its `since` when that is earlier, so that what the client asked to resume is
   * replayed rather than skipped.
   */
  join(subscriber: GatedSubscriber, topic: string, since: number | undefined): void {
    const waiting = this.pending.get(subscriber)?.get(topic);
    this.forget(subscriber, topic);
    this.hub.join(subscriber, topic, earlierPosition(since, waiting?.since));
  }

  /**
   * Server-side unsubscribe, told to the client as `unsubscribed {reason}` when it was subscribed; a
   * `subscribe` of the topic still waiting for `authorize` is dropped too.
   */
  leave(subscriber: GatedSubscriber, topic: string, reason: 'removed' | 'forbidden' | 'internal_error' = 'removed'): void {
    this.forget(subscriber, topic);
    if (!subscriber.hasTopic(topic)) return;
    this.hub.unsubscribe(subscriber, topic);
    subscriber.send({ type: 'unsubscribed', topic, reason });
  }

  /**
   * The connection's identity was renewed (`auth`): each of its topics is checked again, and each no
   * longer allowed is left with `unsubscribed {reason: "forbidden"}` (`internal_error` when
   * `authorize` failed). Resolves once every check is done.
   */
  async recheck(subscriber: GatedSubscriber): Promise<void> {
    const checks = subscriber.topics.map(async (topic) => {
      const decision = await this.access.check(subscriber.identity, topic, 'subscribe');
      if (decision.allowed || subscriber.isClosing) return;
      this.logFailure(subscriber, topic, decision);
      this.leave(subscriber, topic, decision.code === ProtocolErrorCode.InternalError ? 'internal_error' : 'forbidden');
    });
    await Promise.all(checks);
  }

  private subscribeAs(subscriber: GatedSubscriber, topic: string, since: number | undefined, frame: string, presence?: boolean): Promise<void> | void {
    if (this.overLimit(subscriber, topic)) {
      this.refuseTooMany(subscriber, topic);
      return;
    }
    const decision = this.access.check(subscriber.identity, topic, 'subscribe');
    if (!(decision instanceof Promise)) {
      this.forget(subscriber, topic);
      this.settle(subscriber, topic, since, decision, frame, presence);
      return;
    }
    const ticket = { since };
    const identity = subscriber.identity;
    let waiting = this.pending.get(subscriber);
    if (!waiting) this.pending.set(subscriber, (waiting = new Map()));
    waiting.set(topic, ticket);
    return decision.then((settled) => {
      // An `unsubscribe` or a later `subscribe` of the topic came meanwhile: this decision no longer counts.
      if (waiting.get(topic) !== ticket) return;
      waiting.delete(topic);
      // An `auth` renewed the claims meanwhile: the decision is made again with them.
      if (subscriber.identity !== identity) return this.subscribeAs(subscriber, topic, since, frame, presence);
      this.settle(subscriber, topic, since, settled, frame, presence);
    });
  }

  private settle(subscriber: GatedSubscriber, topic: string, since: number | undefined, decision: AccessDecision, frame: string, presence: boolean | undefined): void {
    // The hub ignores a closing subscriber too; the refusal of a closed one has nobody to go to.
    if (subscriber.isClosing) return;
    if (decision.allowed) {
      this.hub.subscribe(subscriber, topic, since, presence);
      return;
    }
    this.refuse(subscriber, topic, decision, decision.code === ProtocolErrorCode.InvalidTopic ? frame : topic);
  }

  private allowed(subscriber: GatedSubscriber, topic: string, decision: AccessDecision, ref: string): boolean {
    if (decision.allowed) return true;
    if (!subscriber.isClosing) this.refuse(subscriber, topic, decision, ref);
    return false;
  }

  private refuse(subscriber: GatedSubscriber, topic: string, decision: Exclude<AccessDecision, { allowed: true }>, ref: string): void {
    this.logFailure(subscriber, topic, decision);
    subscriber.sendError({ code: decision.code, message: decision.message, ref });
  }

  private logFailure(subscriber: GatedSubscriber, topic: string, decision: Exclude<AccessDecision, { allowed: true }>): void {
    if (decision.code !== ProtocolErrorCode.InternalError) return;
    const { error } = decision;
    this.logger.error(HeartbeatMessages.logAuthorizeThrew(topic, subscriber.id), error instanceof Error ? error.stack : String(error));
  }

  /** True when the topic would be one more than the connection may hold (a topic it holds or waits for is not one more). */
  private overLimit(subscriber: GatedSubscriber, topic: string): boolean {
    const waiting = this.pending.get(subscriber);
    if (subscriber.topicCount + (waiting?.size ?? 0) < this.maxTopics) return false;
    if (subscriber.hasTopic(topic) || waiting?.has(topic)) return false;
    // At the limit as counted fast: a held topic subscribed again while `authorize` decides counts once.
    let claimed = subscriber.topicCount;
    for (const name of waiting?.keys() ?? []) if (!subscriber.hasTopic(name)) claimed++;
    return claimed >= this.maxTopics;
  }

  private refuseTooMany(subscriber: GatedSubscriber, topic: string): void {
    subscriber.sendError({ code: ProtocolErrorCode.TooManyTopics, message: HeartbeatMessages.tooManyTopics(this.maxTopics), ref: topic });
  }

  /** Drops a pending decision of the topic, if there is one. */
  private forget(subscriber: GatedSubscriber, topic: string): void {
    this.pending.get(subscriber)?.delete(topic);
  }
}

/** The earlier of two positions to start from; none (the head) only when neither names one. */
function earlierPosition(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.min(a, b);
}
