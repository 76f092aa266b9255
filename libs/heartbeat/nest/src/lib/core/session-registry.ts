import type { CoreClock } from './clock.port.js';
import type { ConnectionReleaser } from './connection-registry.js';
import type { HeartbeatConnection } from './heartbeat-connection.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';
import type { HeartbeatSession } from './heartbeat-session.js';

/** What {@link SessionRegistry.attach} decided for a `hello`. */
export interface SessionAttachment {
  /**
   * The session the `hello` named and the server still knew (resumed); undefined for a new one, the
   * connection's own (HeartbeatConnection.open), which has the connection's id.
   */
  session: HeartbeatSession | undefined;
  /** A live connection the session was still attached to: a leftover of a dead link, to be dropped. */
  superseded: HeartbeatConnection | undefined;
  /** True when the `hello` named a session of another user (or anonymous↔user): it got a new one, the owner's is untouched. */
  refused: boolean;
}

/** Finds a live connection by its id (ConnectionRegistry.getById). */
export type ConnectionLookup = (id: string) => HeartbeatConnection | undefined;

/**
 * Sessions, live and retained. A session whose connection closes is retained for `sessionTtl`, at
 * most `maxRetainedSessions` of them (the oldest detached is forgotten first), so that a `hello`
 * naming it resumes it. Expired sessions are forgotten lazily, at the next connect or disconnect.
 *
 * A new session has its connection's id, and while it is on that connection it is found through
 * the connection (`findConnection`), not in a Map of its own: an entry costs about 46 bytes, and
 * most sessions never leave the connection that made them (heap snapshots at 5,000 connections,
 * docs/benchmarks.md). The connection makes its session object only when it is first needed.
 */
export class SessionRegistry implements ConnectionReleaser {
  /** Every session the server knows, except those still on the connection that made them. */
  private readonly sessions = new Map<string, HeartbeatSession>();
  /** Sessions still on the connection that made them (found through it). */
  private onOwnConnection = 0;
  /** Detached sessions, in the order they were detached (a Map iterates in insertion order). */
  private readonly retained = new Map<string, HeartbeatSession>();

  constructor(
    private readonly options: Pick<ResolvedHeartbeatOptions, 'sessionTtl' | 'maxRetainedSessions'>,
    private readonly clock: CoreClock,
    private readonly findConnection: ConnectionLookup,
  ) {}

  /** Sessions kept for resume whose connection has closed. */
  get retainedCount(): number {
    return this.retained.size;
  }

  /** Every session the server knows, attached or retained. */
  get size(): number {
    return this.sessions.size + this.onOwnConnection;
  }

  /**
   * Gives an authenticated connection of `userId` (undefined: anonymous) its session: the one
   * `requestedId` names when it is known, unexpired and that user's (resumed), else a new one. A
   * session of another user is left exactly as it was. The caller opens the connection with it.
   */
  attach(connection: HeartbeatConnection, requestedId: string | undefined, userId: string | undefined): SessionAttachment {
    this.forgetExpired(this.clock.now());
    let session: HeartbeatSession | undefined = requestedId === undefined ? undefined : this.find(requestedId);
    let superseded: HeartbeatConnection | undefined;
    const refused = session !== undefined && session.userId !== userId;
    if (refused) session = undefined;
    if (!session) {
      // A new session takes its connection's id: both are 128 random bits, shown to the same parties
      // (the application's events and stats, the logs; never to another client), and one string
      // serves both (40 bytes per connection, heap snapshots at 5,000, docs/benchmarks.md).
      this.onOwnConnection++;
      return { session: undefined, superseded, refused };
    }
    if (session.connection !== undefined && session.connection !== connection) superseded = session.connection;
    this.retained.delete(session.id);
    if (isOnOwnConnection(session)) {
      // It moves to another connection: from now on it is found here.
      this.onOwnConnection--;
      this.sessions.set(session.id, session);
    }
    session.attach(connection);
    return { session, superseded, refused };
  }

  /** The connection closed: its session is detached and kept for resume (or forgotten at once when nothing is kept). */
  release(connection: HeartbeatConnection): void {
    const session = connection.session;
    // A superseded connection no longer owns its session.
    if (!session || session.connection !== connection) return;
    if (isOnOwnConnection(session)) this.onOwnConnection--;
    const now = this.clock.now();
    session.detach(now);
    if (this.options.sessionTtl === 0 || this.options.maxRetainedSessions === 0) {
      this.sessions.delete(session.id);
      return;
    }
    this.sessions.set(session.id, session);
    this.retained.set(session.id, session);
    for (const oldest of this.retained.values()) {
      if (this.retained.size <= this.options.maxRetainedSessions) break;
      this.forget(oldest);
    }
    this.forgetExpired(now);
  }

  /** A known session: kept here, or still on the connection that made it. */
  private find(id: string): HeartbeatSession | undefined {
    const kept = this.sessions.get(id);
    if (kept) return kept;
    // Connection ids are unique: the connection of this id holds the session of this id only while it is its own.
    const connection = this.findConnection(id);
    return connection?.sessionId === id ? connection.session : undefined;
  }

  /** Detached sessions expire in the order they were detached: only the head needs looking at. */
  private forgetExpired(now: number): void {
    for (const oldest of this.retained.values()) {
      if (now - (oldest.detachedAt ?? now) < this.options.sessionTtl) break;
      this.forget(oldest);
    }
  }

  private forget(session: HeartbeatSession): void {
    this.retained.delete(session.id);
    this.sessions.delete(session.id);
  }
}

/** Attached to the connection that made it (whose id it has). */
function isOnOwnConnection(session: HeartbeatSession): boolean {
  return session.connection?.id === session.id;
}
