import type { CoreClock } from './clock.port.js';
import type { HeartbeatSession } from './heartbeat-session.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';
import { type ClaimedSession, type SessionClaim, type SessionHolder, SessionStore } from './session-store.js';

const UNKNOWN: SessionClaim = Object.freeze({ kind: 'unknown' });
const REFUSED: SessionClaim = Object.freeze({ kind: 'refused' });

/**
 * This process's detached sessions, kept for `sessionTtl`, at most `maxRetainedSessions` of them
 * (the oldest detached is forgotten first). Expired sessions are forgotten lazily, at the next
 * claim or detach. A session's message-id window stays on the session object.
 */
export class MemorySessionStore extends SessionStore {
  /** Detached sessions, in the order they were detached (a Map iterates in insertion order). */
  private readonly retained = new Map<string, HeartbeatSession>();

  constructor(
    private readonly options: Pick<ResolvedHeartbeatOptions, 'sessionTtl' | 'maxRetainedSessions' | 'messageDedupeWindow'>,
    private readonly clock: CoreClock,
  ) {
    super();
  }

  get retainedCount(): number {
    return this.retained.size;
  }

  async start(): Promise<void> {
    // Nothing to link: this process is every node.
  }

  async stop(): Promise<void> {
    this.retained.clear();
  }

  /** A session on its connection is SessionRegistry's until it is detached: only expired ones are forgotten here (at each connect). */
  opened(): void {
    this.forgetExpired(this.clock.now());
  }

  async claim(id: string, userId: string | undefined): Promise<SessionClaim> {
    const now = this.clock.now();
    this.forgetExpired(now);
    const session = this.retained.get(id);
    if (!session || this.expired(session, now)) return UNKNOWN;
    if (session.userId !== userId) return REFUSED;
    this.retained.delete(id);
    return { kind: 'claimed', session, holder: undefined, previous: undefined };
  }

  /** One process: no other node can have claimed it. */
  async reattached(): Promise<SessionHolder | undefined> {
    return undefined;
  }

  /** It was waiting to be resumed: it waits again, from now. */
  unclaimed(claim: ClaimedSession, connectionId: string, now: number): void {
    claim.session.detach(now);
    this.detached(claim.session, connectionId, now);
  }

  detached(session: HeartbeatSession, _connectionId: string, now: number): void {
    if (this.options.sessionTtl === 0 || this.options.maxRetainedSessions === 0) return;
    this.retained.set(session.id, session);
    for (const oldest of this.retained.keys()) {
      if (this.retained.size <= this.options.maxRetainedSessions) break;
      this.retained.delete(oldest);
    }
    this.forgetExpired(now);
  }

  rememberMessage(session: HeartbeatSession, messageId: string): boolean {
    return session.rememberMessage(messageId, this.options.messageDedupeWindow);
  }

  /** Detached sessions expire in the order they were detached: only the head needs looking at. */
  private forgetExpired(now: number): void {
    for (const [id, oldest] of this.retained) {
      if (!this.expired(oldest, now)) break;
      this.retained.delete(id);
    }
  }

  private expired(session: HeartbeatSession, now: number): boolean {
    return now - (session.detachedAt ?? now) >= this.options.sessionTtl;
  }
}
