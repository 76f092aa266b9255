import type { CoreClock } from './clock.port.js';
import type { ConnectionReleaser } from './connection-registry.js';
import type { HeartbeatConnection } from './heartbeat-connection.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';
import type { HeartbeatSession } from './heartbeat-session.js';
import type { SessionHolder, SessionStore } from './session-store.js';

/** What {@link SessionRegistry.attach} decided for a `hello`. */
export interface SessionAttachment {
  /**
   * The session the `hello` named and the server still knew (resumed); undefined for a new one, the
   * connection's own (HeartbeatConnection.open), which has the connection's id.
   */
  session: HeartbeatSession | undefined;
  /** A live connection of this node the session was still attached to: a leftover of a dead link, to be dropped. */
  superseded: HeartbeatConnection | undefined;
  /** True when the `hello` named a session of another user (or anonymous↔user): it got a new one, the owner's is untouched. */
  refused: boolean;
}

/** Finds a live connection by its id (ConnectionRegistry.getById). */
export type ConnectionLookup = (id: string) => HeartbeatConnection | undefined;

/**
 * Asks another node to drop its connection that held the session `sessionId` until connection `by`
 * of this node took it (docs/scaling.md#sessions-across-nodes): a leftover of a dead link there.
 */
export type DropElsewhere = (holder: SessionHolder, by: string, sessionId: string) => void;

/**
 * Sessions attached on this node, and the way to the others through the {@link SessionStore}: a
 * session whose connection closes goes to the store for `sessionTtl`, so that a `hello` naming it
 * resumes it (on this node with the memory store, on any node with Redis).
 *
 * A new session has its connection's id, and while it is on that connection it is found through
 * the connection (`findConnection`), not in a Map of its own: an entry costs about 46 bytes, and
 * most sessions never leave the connection that made them (heap snapshots at 5,000 connections,
 * docs/benchmarks.md). The connection makes its session object only when it is first needed.
 */
export class SessionRegistry implements ConnectionReleaser {
  /** Sessions attached here to another connection than the one that made them. */
  private readonly moved = new Map<string, HeartbeatSession>();
  /** Sessions still on the connection that made them (found through it). */
  private onOwnConnection = 0;

  constructor(
    private readonly options: Pick<ResolvedHeartbeatOptions, 'sessionTtl' | 'messageDedupeWindow'>,
    private readonly clock: CoreClock,
    private readonly findConnection: ConnectionLookup,
    private readonly store: SessionStore,
    private readonly dropElsewhere: DropElsewhere,
  ) {}

  /** Sessions kept for resume whose connection has closed (on this node's account). */
  get retainedCount(): number {
    return this.store.retainedCount;
  }

  /** Every session this node knows, attached or retained. */
  get size(): number {
    return this.moved.size + this.onOwnConnection + this.store.retainedCount;
  }

  /**
   * Gives an authenticated connection of `userId` (undefined: anonymous) its session: the one
   * `requestedId` names when it is known, unexpired and that user's (resumed), else a new one. A
   * session of another user is left exactly as it was. The caller opens the connection with it;
   * undefined when the connection closed while the store was asked (the session, if any, is kept
   * for resume again).
   */
  async attach(connection: HeartbeatConnection, requestedId: string | undefined, userId: string | undefined): Promise<SessionAttachment | undefined> {
    const live = requestedId === undefined ? undefined : this.findLive(requestedId);
    if (live) {
      if (live.userId !== userId) return this.fresh(connection, userId, true);
      const previous = live.connection;
      this.moveTo(live, connection);
      // Recorded in the store without waiting (its answers come in order, before any later write of
      // this session): another node that claimed the session meanwhile is asked to drop its connection.
      if (this.options.sessionTtl > 0) {
        void this.store.reattached(live, connection.id).then((holder) => holder && this.dropElsewhere(holder, connection.id, live.id));
      }
      return { session: live, superseded: previous !== connection ? previous : undefined, refused: false };
    }
    if (requestedId !== undefined && this.options.sessionTtl > 0) {
      const claim = await this.store.claim(requestedId, userId, connection.id);
      if (connection.isClosing) {
        if (claim.kind === 'claimed') this.store.unclaimed(claim, connection.id, this.clock.now());
        return undefined;
      }
      if (claim.kind === 'claimed') {
        this.moveTo(claim.session, connection);
        if (claim.holder) this.dropElsewhere(claim.holder, connection.id, claim.session.id);
        return { session: claim.session, superseded: undefined, refused: false };
      }
      return this.fresh(connection, userId, claim.kind === 'refused');
    }
    return this.fresh(connection, userId, false);
  }

  /** The connection closed: its session is detached and goes to the store for resume (or ends with it when `sessionTtl` is 0). */
  release(connection: HeartbeatConnection): void {
    const session = connection.session;
    // A superseded connection no longer owns its session.
    if (!session || session.connection !== connection) return;
    if (isOnOwnConnection(session)) this.onOwnConnection--;
    else this.moved.delete(session.id);
    const now = this.clock.now();
    session.detach(now);
    if (this.options.sessionTtl > 0) this.store.detached(session, connection.id, now);
  }

  /**
   * Remembers a `message` id of the connection's session; false when the session already saw it
   * (docs/server.md#client-messages-acknowledgement-and-deduplication). A session that cannot be
   * resumed (`sessionTtl` 0) is checked here alone; others through the store, on every node.
   */
  rememberMessage(session: HeartbeatSession, messageId: string): Promise<boolean> | boolean {
    if (this.options.messageDedupeWindow === 0) return true;
    if (this.options.sessionTtl === 0) return session.rememberMessage(messageId, this.options.messageDedupeWindow);
    return this.store.rememberMessage(session, messageId);
  }

  private fresh(connection: HeartbeatConnection, userId: string | undefined, refused: boolean): SessionAttachment {
    // A new session takes its connection's id: both are 128 random bits, shown to the same parties
    // (the application's events and stats, the logs; never to another client), and one string
    // serves both (40 bytes per connection, heap snapshots at 5,000, docs/benchmarks.md).
    this.onOwnConnection++;
    if (this.options.sessionTtl > 0) this.store.opened(connection.id, userId, connection.id);
    return { session: undefined, superseded: undefined, refused };
  }

  /** A session attached on this node: moved here, or still on the connection that made it. */
  private findLive(id: string): HeartbeatSession | undefined {
    const moved = this.moved.get(id);
    if (moved) return moved;
    // Connection ids are unique: the connection of this id holds the session of this id only while it is its own.
    const connection = this.findConnection(id);
    return connection?.sessionId === id ? connection.session : undefined;
  }

  private moveTo(session: HeartbeatSession, connection: HeartbeatConnection): void {
    if (isOnOwnConnection(session)) this.onOwnConnection--;
    // From now on it is found here.
    this.moved.set(session.id, session);
    session.attach(connection);
  }
}

/** Attached to the connection that made it (whose id it has). */
function isOnOwnConnection(session: HeartbeatSession): boolean {
  return session.connection?.id === session.id;
}
