import { Logger } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import type { Subscription } from 'rxjs';
import type { CoreClock } from '../core/clock.port.js';
import { HeartbeatSession } from '../core/heartbeat-session.js';
import { errorText, HeartbeatMessages } from '../core/heartbeat.messages.js';
import type { ResolvedHeartbeatOptions } from '../core/heartbeat-options.interface.js';
import { type ClaimedSession, type SessionClaim, type SessionHolder, SessionStore } from '../core/session-store.js';
import { RedisBacklog } from './redis-backlog.js';
import type { RedisLink } from './redis-link.js';
import { withinMs } from './within-ms.js';

export const REDIS_SESSIONS_INTERVAL = 'heartbeat:redis-sessions';
export const REDIS_SESSIONS_RECHECK = 'heartbeat:redis-sessions-recheck';

/** A session attached on this node, as the keep-alive writes it. */
export interface LiveSession {
  readonly sessionId: string;
  readonly userId: string | undefined;
  readonly connectionId: string;
}

/** The sessions attached on this node, which the store keeps alive in Redis. */
export interface AttachedSessions {
  /** Every session attached to an open connection of this node. */
  live(): Iterable<LiveSession>;
  /**
   * Two keep-alives, at least `requestTimeout` (and never under a second) apart, found `session`
   * taken by the same other node: it was resumed there, and the request to drop this node's
   * connection did not reach this node (docs/scaling.md#sessions-across-nodes).
   */
  taken(session: LiveSession, nodeId: string): void;
}

const UNKNOWN: SessionClaim = Object.freeze({ kind: 'unknown' });
const REFUSED: SessionClaim = Object.freeze({ kind: 'refused' });

/** The ids this server gives (128 random bits, base64url): anything else names no session and is not looked up. */
const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Every node's sessions in Redis (docs/scaling.md#sessions-across-nodes), with their message-id
 * windows, so that a `hello` resumes a session on any node and a `message` resent after its node
 * died is recognised there.
 *
 * A session's keys expire: `sessionTtl` after its connection closed, and while it is attached its
 * node writes it again every `sessionTtl / 3` (at least every second), so that the sessions of a
 * node that died expire about `sessionTtl` after it did. The node also writes them again each time
 * Redis is back, which restores what a Redis restarted empty lost (not their message ids).
 *
 * While Redis is away nothing waits for it where a client would: a `hello` naming a session gets a
 * new one (`resumed: false`, told in-band), writes are sent once it is back, and only a `message`
 * waits for it, as publishes do, so that it is processed once.
 */
export class RedisSessionStore extends SessionStore {
  private readonly logger = new Logger('HeartbeatRedis');
  /** Sessions whose connection closed on this node, oldest first, with when: `retained_sessions` and `maxRetainedSessions`. */
  private readonly detachedHere = new Map<string, number>();
  private readonly keepAliveMs: number;
  /** A session's keys while attached: three keep-alives, so that one missed write does not lose it. */
  private readonly attachedTtl: number;
  private subscription: Subscription | undefined;
  private started = false;
  private stopped = false;
  /** Messages wait for Redis as publishes do, and within the same bound. */
  private readonly messages: RedisBacklog;
  /**
   * Attached sessions that a keep-alive found held by another node, by this node's connection: the
   * holder, and when that answer came. Looked at again, by a keep-alive sent at least `recheckMs`
   * after it, before the connection is dropped: a claim that timed out on another node can land and
   * then be given back, and keep-alives held back while Redis was silent all run at once.
   */
  private readonly heldElsewhere = new Map<string, { holder: string; at: number }>();
  /** The time between the two looks: longer than a claim's late landing and its give-back take. */
  private readonly recheckMs: number;

  constructor(
    private readonly link: RedisLink,
    private readonly options: Pick<ResolvedHeartbeatOptions, 'sessionTtl' | 'maxRetainedSessions' | 'messageDedupeWindow'>,
    private readonly scheduler: SchedulerRegistry,
    private readonly clock: Pick<CoreClock, 'now'>,
    private readonly attached: AttachedSessions,
  ) {
    super();
    this.keepAliveMs = Math.max(1_000, Math.floor(options.sessionTtl / 3));
    this.attachedTtl = Math.max(options.sessionTtl, 3 * this.keepAliveMs);
    this.messages = new RedisBacklog(link.options.maxPendingPublishes, HeartbeatMessages.redisMessageBacklog);
    this.recheckMs = Math.max(1_000, link.options.requestTimeout);
  }

  get retainedCount(): number {
    this.forgetExpired(this.clock.now());
    return this.detachedHere.size;
  }

  /** Keeps this node's attached sessions alive, and writes them again each time Redis is back. Call after the link started. */
  async start(): Promise<void> {
    if (this.started || this.options.sessionTtl === 0) return;
    this.started = true;
    this.subscription = this.link.ready$.subscribe(() => this.keepAlive());
    this.scheduler.addInterval(REDIS_SESSIONS_INTERVAL, setInterval(() => this.keepAlive(), this.keepAliveMs));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.scheduler.doesExist('interval', REDIS_SESSIONS_INTERVAL)) this.scheduler.deleteInterval(REDIS_SESSIONS_INTERVAL);
    if (this.scheduler.doesExist('timeout', REDIS_SESSIONS_RECHECK)) this.scheduler.deleteTimeout(REDIS_SESSIONS_RECHECK);
    this.heldElsewhere.clear();
    this.subscription?.unsubscribe();
    this.detachedHere.clear();
  }

  opened(sessionId: string, userId: string | undefined, connectionId: string): void {
    this.keep({ sessionId, userId, connectionId });
  }

  async claim(id: string, userId: string | undefined, connectionId: string): Promise<SessionClaim> {
    if (!SESSION_ID.test(id) || !this.link.state.up) return UNKNOWN;
    const { options } = this.link;
    const reply = this.claimScript(id, userId, connectionId);
    let answer: SessionClaim | 'timeout';
    try {
      answer = await withinMs(reply, options.requestTimeout);
    } catch (error) {
      this.logger.warn(HeartbeatMessages.logSessionClaimFailed(id, errorText(error)));
      return UNKNOWN;
    }
    if (answer === 'timeout') {
      // The hello goes on with a new session; a claim that lands later gives the session back.
      void reply.then((landed) => landed.kind === 'claimed' && this.unclaimed(landed, connectionId), () => undefined);
      this.logger.warn(HeartbeatMessages.logSessionClaimFailed(id, HeartbeatMessages.redisNoAnswer(options.requestTimeout)));
      return UNKNOWN;
    }
    if (answer.kind === 'claimed') this.detachedHere.delete(id);
    return answer;
  }

  async reattached(session: HeartbeatSession, connectionId: string): Promise<SessionHolder | undefined> {
    try {
      const claim = await this.claimScript(session.id, session.userId, connectionId);
      // Redis lost it (restarted empty): written again for the connection that has it.
      if (claim.kind === 'unknown') this.keep({ sessionId: session.id, userId: session.userId, connectionId });
      return claim.kind === 'claimed' ? claim.holder : undefined;
    } catch (error) {
      this.logger.warn(HeartbeatMessages.logSessionWriteFailed(session.id, errorText(error)));
      return undefined;
    }
  }

  unclaimed(claim: ClaimedSession, connectionId: string): void {
    const { previous } = claim;
    // Back to the connection that held it (alive as attached sessions are), or waiting again.
    const ttl = previous ? this.attachedTtl : this.options.sessionTtl;
    void this.release(claim.session.id, connectionId, ttl, ['restore', previous?.nodeId ?? '', previous?.connectionId ?? '']);
  }

  detached(session: HeartbeatSession, connectionId: string, now: number): void {
    this.forgetExpired(now);
    void this.release(session.id, connectionId, this.options.sessionTtl, ['detach']).then((done) => {
      // Claimed by another connection since: that one keeps it, and this node does not count it.
      if (!done) return;
      if (this.options.maxRetainedSessions === 0) {
        void this.forget(session.id);
        return;
      }
      this.detachedHere.delete(session.id);
      this.detachedHere.set(session.id, now);
      for (const oldest of this.detachedHere.keys()) {
        if (this.detachedHere.size <= this.options.maxRetainedSessions) break;
        this.detachedHere.delete(oldest);
        void this.forget(oldest);
      }
    });
  }

  async rememberMessage(session: HeartbeatSession, messageId: string): Promise<boolean> {
    const { keys } = this.link;
    const fresh = await this.messages.run(() =>
      this.link.commands.heartbeatSessionRemember(keys.session(session.id), keys.sessionMessages(session.id), messageId, this.options.messageDedupeWindow, this.attachedTtl),
    );
    return fresh === 1;
  }

  /** Attaches the session to `connectionId` of this node, if it is `userId`'s; never times out. */
  private async claimScript(id: string, userId: string | undefined, connectionId: string): Promise<SessionClaim> {
    const { keys, options } = this.link;
    const answer = await this.link.commands.heartbeatSessionClaim(keys.session(id), keys.sessionMessages(id), userId ?? '', options.nodeId, connectionId, this.attachedTtl);
    if (!answer) return UNKNOWN;
    if (answer[0] !== 'claimed') return REFUSED;
    const [, node, connection] = answer;
    const previous = node && connection ? { nodeId: node, connectionId: connection } : undefined;
    const holder = previous && previous.nodeId !== options.nodeId ? previous : undefined;
    return { kind: 'claimed', session: new HeartbeatSession(id, userId), holder, previous };
  }

  private keepAlive(): void {
    if (this.stopped || !this.link.state.up) return;
    this.keepLive(() => true);
  }

  /** Keeps the attached sessions `which` picks; forgets what was seen of connections no longer open. */
  private keepLive(which: (connectionId: string) => boolean): void {
    const gone = new Set(this.heldElsewhere.keys());
    for (const session of this.attached.live()) {
      if (gone.size > 0) gone.delete(session.connectionId);
      if (which(session.connectionId)) this.keep(session);
    }
    for (const connectionId of gone) this.heldElsewhere.delete(connectionId);
  }

  private keep(session: LiveSession): void {
    const { keys, options } = this.link;
    const { sessionId, userId, connectionId } = session;
    const at = this.clock.now();
    this.link.commands
      .heartbeatSessionKeep(keys.session(sessionId), keys.sessionMessages(sessionId), userId ?? '', options.nodeId, connectionId, this.attachedTtl)
      .then((answer) => this.kept(session, answer, at))
      .catch((error: unknown) => this.logger.warn(HeartbeatMessages.logSessionWriteFailed(sessionId, errorText(error))));
  }

  /**
   * What the keep-alive sent at `at` found. A session another node took is looked at again
   * `recheckMs` after that answer; if the same node still has it, this node's connection is a
   * leftover whose drop request never arrived (this node's Redis was silent), and it is dropped now
   * instead of living on beside the new one.
   */
  private kept(session: LiveSession, answer: 1 | [node: string, connection: string], at: number): void {
    const { connectionId } = session;
    if (answer === 1 || this.stopped) {
      this.heldElsewhere.delete(connectionId);
      return;
    }
    const [nodeId] = answer;
    const holder = answer.join('/');
    const seen = this.heldElsewhere.get(connectionId);
    if (seen?.holder === holder && at - seen.at >= this.recheckMs) {
      this.heldElsewhere.delete(connectionId);
      this.attached.taken(session, nodeId);
      return;
    }
    if (seen?.holder !== holder) this.heldElsewhere.set(connectionId, { holder, at: this.clock.now() });
    this.scheduleRecheck();
  }

  /** One timer for every session waiting for its second look: the scheduler holds it until it fires. */
  private scheduleRecheck(): void {
    if (this.scheduler.doesExist('timeout', REDIS_SESSIONS_RECHECK)) return;
    const timer = setTimeout(() => {
      this.scheduler.deleteTimeout(REDIS_SESSIONS_RECHECK);
      if (this.stopped || !this.link.state.up) return;
      this.keepLive((connectionId) => this.heldElsewhere.has(connectionId));
    }, this.recheckMs);
    this.scheduler.addTimeout(REDIS_SESSIONS_RECHECK, timer);
  }

  /**
   * SESSION_RELEASE_SCRIPT for the session held by `connection` of this node; resolves with whether
   * it still was (1) — a write that failed is logged and resolves 0.
   */
  private async release(id: string, connection: string, ttl: number, action: readonly string[]): Promise<number> {
    const { keys, options } = this.link;
    try {
      return await this.link.commands.heartbeatSessionRelease(keys.session(id), keys.sessionMessages(id), options.nodeId, connection, ttl, ...action);
    } catch (error) {
      this.logger.warn(HeartbeatMessages.logSessionWriteFailed(id, errorText(error)));
      return 0;
    }
  }

  /** Deletes a session this node detached, if it still waits where this node left it (not resumed since). */
  private forget(id: string): Promise<number> {
    return this.release(id, '', 0, ['forget']);
  }

  private forgetExpired(now: number): void {
    for (const [id, at] of this.detachedHere) {
      if (now - at < this.options.sessionTtl) break;
      this.detachedHere.delete(id);
    }
  }
}
