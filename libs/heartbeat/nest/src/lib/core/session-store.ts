import type { HeartbeatSession } from './heartbeat-session.js';

/** Where a session found in the store was attached last, when that was another live connection. */
export interface SessionHolder {
  readonly nodeId: string;
  readonly connectionId: string;
}

/** A session claimed for a connection: now the connection's. */
export interface ClaimedSession {
  readonly kind: 'claimed';
  readonly session: HeartbeatSession;
  /** The connection of another node that held it until now, which may still be open there. */
  readonly holder: SessionHolder | undefined;
  /** The connection that held it until now, on any node (undefined: it was waiting to be resumed): where {@link SessionStore.unclaimed} gives it back. */
  readonly previous: SessionHolder | undefined;
}

/**
 * What {@link SessionStore.claim} found for a `hello` naming a session that is not attached on this
 * node: nothing (unknown or expired), another user's session (left as it was), or the session.
 */
export type SessionClaim = { readonly kind: 'unknown' } | { readonly kind: 'refused' } | ClaimedSession;

/**
 * Where sessions are kept for resume beyond the connection that holds them (docs/server.md#sessions-and-resume),
 * with their message-id windows: the port of the server core, as Backplane and PresenceManager are.
 * {@link MemorySessionStore} keeps this process's detached sessions; RedisSessionStore keeps every
 * node's sessions in Redis, so that a session resumes on any node and a `message` resent after its
 * node died is still recognised (docs/scaling.md#sessions-across-nodes). SessionRegistry above it is
 * the same for both, and session-store.contract.ts holds both to the same behaviour.
 *
 * Sessions attached on this node are SessionRegistry's: the store is asked only for the others.
 */
export abstract class SessionStore {
  /** Detached sessions this node keeps for resume right now (`retained_sessions`). */
  abstract readonly retainedCount: number;

  abstract start(): Promise<void>;

  /** Stops keeping this node's attached sessions alive; safe twice. */
  abstract stop(): Promise<void>;

  /** A new session, attached to `connectionId` on this node (it has that id, SessionRegistry). */
  abstract opened(sessionId: string, userId: string | undefined, connectionId: string): void;

  /**
   * The session of `id`, for a `hello` of `userId` on `connectionId`: unknown, expired or forgotten
   * gives `unknown`; another user's (anonymous and user included) gives `refused` and leaves it as
   * it was; otherwise it is claimed: attached to `connectionId` from now on, wherever it was.
   */
  abstract claim(id: string, userId: string | undefined, connectionId: string): Promise<SessionClaim>;

  /**
   * A session attached on this node moves to another of its connections (a `hello` naming it while
   * its old connection is still open): recorded, so that the store keeps it for the new connection.
   * Resolves with the connection of another node that claimed it meanwhile, if one did.
   */
  abstract reattached(session: HeartbeatSession, connectionId: string): Promise<SessionHolder | undefined>;

  /** The connection of a claim closed before the claim was used: the session goes back to where it was (`claim.previous`). */
  abstract unclaimed(claim: ClaimedSession, connectionId: string, now: number): void;

  /** The session's connection `connectionId` on this node closed at `now`: kept for resume `sessionTtl` from now. */
  abstract detached(session: HeartbeatSession, connectionId: string, now: number): void;

  /**
   * Remembers a `message` id of the session; false when the session already saw it among its last
   * `messageDedupeWindow` ids, on any node. Synchronous where the store is in memory (a message is
   * then handed over in the turn it came in); a store in Redis waits while Redis is away, as
   * publishes do, and rejects on an error of Redis: the message is then neither handed over nor
   * acknowledged.
   */
  abstract rememberMessage(session: HeartbeatSession, messageId: string): Promise<boolean> | boolean;
}
