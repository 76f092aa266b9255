import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { until } from './backplane.contract.js';
import { HeartbeatSession } from './heartbeat-session.js';
import type { SessionClaim, SessionStore } from './session-store.js';

/** What a session store is: its nodes are processes of their own (Redis), or one store (memory). */
export interface SessionStoreKind {
  separateNodes: boolean;
  /** Whether the store can lose its state while nodes run (Redis restarted empty). */
  losesState: boolean;
}

/** The options every store of a test is made with. */
export const CONTRACT_SESSION_OPTIONS = { sessionTtl: 400, maxRetainedSessions: 2, messageDedupeWindow: 2 } as const;

/** A node under test: its store, started, and the sessions attached on it (what its keep-alive writes). */
export interface SessionNode {
  readonly nodeId: string;
  readonly store: SessionStore;
  readonly live: Map<string, { sessionId: string; userId: string | undefined; connectionId: string }>;
  /** The attached sessions the store said another node took (separate nodes only). */
  readonly taken: { sessionId: string; connectionId: string }[];
  /** How many keep-alives of this node found one of its attached sessions held by another node (separate nodes only). */
  readonly heldElsewhereSeen: () => number;
}

/** How one session store is set up for one test of the contract, with {@link CONTRACT_SESSION_OPTIONS}. */
export interface SessionHarness {
  node(): Promise<SessionNode>;
  /** Lets `ms` pass: on the store's clock (memory), or waiting for Redis's own expiry. */
  elapse(ms: number): Promise<void>;
  /** The node dies without a word (its process killed). Separate nodes only. */
  kill(node: SessionNode): Promise<void>;
  /** The longest a dead node's attached session stays resumable (docs/scaling.md#sessions-across-nodes). Separate nodes only. */
  readonly deathBoundMs: number;
  /** The store loses everything (Redis restarted empty). */
  loseState(): Promise<void>;
  /** Until the nodes' keep-alive wrote their attached sessions again. */
  readonly keepAliveMs: number;
  /** How long after a keep-alive found a session held by another node it is looked at again. Separate nodes only. */
  readonly recheckMs: number;
  /** Until what the node wrote so far was answered, and what it does on those answers was sent. */
  flush(node: SessionNode): Promise<void>;
  close(): Promise<void>;
}

/** A new session of `userId` on `connectionId` (the connection that makes a session gives it its id). */
export function openSession(node: SessionNode, connectionId: string, userId: string | undefined): HeartbeatSession {
  node.store.opened(connectionId, userId, connectionId);
  node.live.set(connectionId, { sessionId: connectionId, userId, connectionId });
  return new HeartbeatSession(connectionId, userId);
}

/** The session's connection on `node` closed now. */
function detach(node: SessionNode, session: HeartbeatSession, connectionId: string, now = Date.now()): void {
  node.live.delete(connectionId);
  session.detach(now);
  node.store.detached(session, connectionId, now);
}

async function claim(node: SessionNode, id: string, userId: string | undefined, connectionId: string): Promise<SessionClaim> {
  const claimed = await node.store.claim(id, userId, connectionId);
  if (claimed.kind === 'claimed') node.live.set(connectionId, { sessionId: id, userId, connectionId });
  return claimed;
}

/** A unique id of the shape the server gives (base64url), so that tests sharing a Redis never meet. */
const newId = (() => {
  let n = 0;
  const run = `${process.pid}_${Date.now().toString(36)}`;
  return (name: string) => `${name}_${run}_${++n}`;
})();

/**
 * The behaviour every session store must have (docs/server.md#sessions-and-resume,
 * docs/scaling.md#sessions-across-nodes): run by memory-session-store.spec.ts and
 * redis-session-store.redis.spec.ts.
 */
export function sessionStoreContract(kind: SessionStoreKind, makeHarness: () => SessionHarness): void {
  let harness: SessionHarness;

  beforeEach(() => {
    harness = makeHarness();
  });

  afterEach(() => harness.close());

  describe('#claim', () => {
    it('finds nothing for an id it never had', async () => {
      const node = await harness.node();
      expect(await claim(node, newId('never'), 'ada', newId('c'))).toEqual({ kind: 'unknown' });
    });

    it('gives a detached session to a hello of its user, on any node', async () => {
      const [first, second] = [await harness.node(), await harness.node()];
      const c1 = newId('c');
      const session = openSession(first, c1, 'ada');
      detach(first, session, c1);
      const claimed = await claim(second, session.id, 'ada', newId('c'));
      expect(claimed.kind).toBe('claimed');
      if (claimed.kind !== 'claimed') return;
      expect([claimed.session.id, claimed.session.userId, claimed.holder, claimed.previous]).toEqual([session.id, 'ada', undefined, undefined]);
      // Now attached: not waiting to be resumed on the node that has it.
      expect(second.store.retainedCount).toBe(0);
    });

    it('refuses another user’s session and anonymous↔user, leaving it to its owner', async () => {
      const node = await harness.node();
      const [c1, c2] = [newId('c'), newId('c')];
      const ada = openSession(node, c1, 'ada');
      const anonymous = openSession(node, c2, undefined);
      detach(node, ada, c1);
      detach(node, anonymous, c2);
      expect(await claim(node, ada.id, 'bob', newId('c'))).toEqual({ kind: 'refused' });
      expect(await claim(node, ada.id, undefined, newId('c'))).toEqual({ kind: 'refused' });
      expect(await claim(node, anonymous.id, 'ada', newId('c'))).toEqual({ kind: 'refused' });
      expect((await claim(node, ada.id, 'ada', newId('c'))).kind).toBe('claimed');
      expect((await claim(node, anonymous.id, undefined, newId('c'))).kind).toBe('claimed');
    });

    it('forgets a session sessionTtl after its connection closed', async () => {
      const node = await harness.node();
      const c1 = newId('c');
      const session = openSession(node, c1, 'ada');
      detach(node, session, c1);
      await harness.elapse(CONTRACT_SESSION_OPTIONS.sessionTtl + 100);
      expect(await claim(node, session.id, 'ada', newId('c'))).toEqual({ kind: 'unknown' });
      expect(node.store.retainedCount).toBe(0);
    });

    it('keeps at most maxRetainedSessions detached sessions, forgetting the one detached first', async () => {
      const node = await harness.node();
      const sessions = [newId('c'), newId('c'), newId('c')].map((id) => {
        const session = openSession(node, id, 'ada');
        detach(node, session, id);
        return session;
      });
      await harness.flush(node);
      expect(node.store.retainedCount).toBe(2);
      const claims = [];
      for (const session of sessions) claims.push((await claim(node, session.id, 'ada', newId('c'))).kind);
      expect(claims).toEqual(['unknown', 'claimed', 'claimed']);
    });

    it('gives back, by unclaimed, a claimed session whose connection closed before it was used', async () => {
      const [first, second] = [await harness.node(), await harness.node()];
      const c1 = newId('c');
      const session = openSession(first, c1, 'ada');
      detach(first, session, c1);
      const c2 = newId('c');
      const claimed = await claim(second, session.id, 'ada', c2);
      if (claimed.kind !== 'claimed') throw new Error(`expected the session, got ${claimed.kind}`);
      second.store.unclaimed(claimed, c2, Date.now());
      await harness.flush(second);
      expect((await claim(second, session.id, 'ada', newId('c'))).kind).toBe('claimed');
    });
  });

  describe('#rememberMessage', () => {
    it('is true for a new id and false for one among the last messageDedupeWindow, forgetting the oldest', async () => {
      const node = await harness.node();
      const session = openSession(node, newId('c'), 'ada');
      const seen = [];
      for (const id of ['m1', 'm1', 'm2', 'm3', 'm1', 'm3']) seen.push(await node.store.rememberMessage(session, id));
      expect(seen).toEqual([true, false, true, true, true, false]);
    });

    it('keeps the window with the session through its resume on another node', async () => {
      const [first, second] = [await harness.node(), await harness.node()];
      const c1 = newId('c');
      const session = openSession(first, c1, 'ada');
      expect(await first.store.rememberMessage(session, 'm1')).toBe(true);
      detach(first, session, c1);
      const claimed = await claim(second, session.id, 'ada', newId('c'));
      if (claimed.kind !== 'claimed') throw new Error(`expected the session, got ${claimed.kind}`);
      expect([await second.store.rememberMessage(claimed.session, 'm1'), await second.store.rememberMessage(claimed.session, 'm2')]).toEqual([false, true]);
    });
  });

  if (kind.separateNodes) {
    describe('nodes', () => {
      it('gives a session still attached on another node to the hello, naming that connection, which no longer holds it', async () => {
        const [first, second, third] = [await harness.node(), await harness.node(), await harness.node()];
        const [c1, c2] = [newId('c'), newId('c')];
        const session = openSession(first, c1, 'ada');
        // The client reconnected to `second` before `first` noticed its link died.
        const claimed = await claim(second, session.id, 'ada', c2);
        expect(claimed).toMatchObject({ kind: 'claimed', holder: { nodeId: first.nodeId, connectionId: c1 } });
        // `first` drops its leftover: that does not detach the session from `second`.
        detach(first, session, c1);
        expect(await claim(third, session.id, 'ada', newId('c'))).toMatchObject({ kind: 'claimed', holder: { nodeId: second.nodeId, connectionId: c2 } });
      });

      it('records a session resumed on another connection of the node that has it, naming a node that claimed it meanwhile', async () => {
        const [first, second, third] = [await harness.node(), await harness.node(), await harness.node()];
        const [c1, c2, c3] = [newId('c'), newId('c'), newId('c')];
        const session = openSession(first, c1, 'ada');
        await claim(second, session.id, 'ada', c2);
        // `first` still had it on c1 when a hello on its c3 named it.
        expect(await first.store.reattached(session, c3)).toEqual({ nodeId: second.nodeId, connectionId: c2 });
        detach(first, session, c1);
        expect(await claim(third, session.id, 'ada', newId('c'))).toEqual({
          kind: 'claimed',
          session: expect.any(HeartbeatSession),
          holder: { nodeId: first.nodeId, connectionId: c3 },
          previous: { nodeId: first.nodeId, connectionId: c3 },
        });
      });

      it('writes a session resumed on another connection of its node again when the store lost it (restarted empty)', async () => {
        const [first, second] = [await harness.node(), await harness.node()];
        const [c1, c3] = [newId('c'), newId('c')];
        const session = openSession(first, c1, 'ada');
        await harness.loseState();
        // No other node claimed it: nobody to drop, and the node that has it writes it again at once.
        expect(await first.store.reattached(session, c3)).toBeUndefined();
        await harness.flush(first);
        expect(await claim(second, session.id, 'ada', newId('c'))).toMatchObject({ kind: 'claimed', holder: { nodeId: first.nodeId, connectionId: c3 } });
      });

      it('tells a node that another node holds one of its attached sessions once two keep-alives found it so, and of no other', async () => {
        const [first, second] = [await harness.node(), await harness.node()];
        const [c1, c2, c3] = [newId('c'), newId('c'), newId('c')];
        const session = openSession(first, c1, 'ada');
        openSession(first, c3, 'ada');
        // `second` took it, and its request to drop c1 did not reach `first`, which still has c1 open.
        await claim(second, session.id, 'ada', c2);
        await until(() => first.taken.length > 0, 'first to find its session held by second', 3 * harness.keepAliveMs + harness.recheckMs);
        expect(first.taken).toEqual([expect.objectContaining({ sessionId: session.id, connectionId: c1 })]);
        expect(second.taken).toEqual([]);
      }, 20_000);

      it('does not tell a node of a session that another node claimed and gave back between two keep-alives', async () => {
        const [first, second] = [await harness.node(), await harness.node()];
        const [c1, c2] = [newId('c'), newId('c')];
        const session = openSession(first, c1, 'ada');
        const claimed = await claim(second, session.id, 'ada', c2);
        if (claimed.kind !== 'claimed') throw new Error(`expected the session, got ${claimed.kind}`);
        // The claim timed out on `second` (c2 never got the session) and landed; a keep-alive of `first`
        // saw it so before `second` gives it back.
        second.live.delete(c2);
        await until(() => first.heldElsewhereSeen() > 0, 'a keep-alive of first to find its session held by second', 3 * harness.keepAliveMs);
        second.store.unclaimed(claimed, c2, Date.now());
        await harness.elapse(2 * harness.keepAliveMs + harness.recheckMs);
        expect([first.taken, second.taken]).toEqual([[], []]);
      }, 20_000);

      it('gives a claim that was not used back to the connection that held the session', async () => {
        const [first, second, third] = [await harness.node(), await harness.node(), await harness.node()];
        const c1 = newId('c');
        const session = openSession(first, c1, 'ada');
        const c2 = newId('c');
        const claimed = await claim(second, session.id, 'ada', c2);
        if (claimed.kind !== 'claimed') throw new Error(`expected the session, got ${claimed.kind}`);
        second.store.unclaimed(claimed, c2, Date.now());
        await harness.flush(second);
        expect(await claim(third, session.id, 'ada', newId('c'))).toMatchObject({ kind: 'claimed', holder: { nodeId: first.nodeId, connectionId: c1 } });
      });

      it('does not forget, beyond maxRetainedSessions, a session resumed and detached on another node since', async () => {
        const [first, second, third] = [await harness.node(), await harness.node(), await harness.node()];
        const c1 = newId('c');
        const session = openSession(first, c1, 'ada');
        detach(first, session, c1);
        await harness.flush(first);
        const c2 = newId('c');
        const resumed = await claim(second, session.id, 'ada', c2);
        if (resumed.kind !== 'claimed') throw new Error(`expected the session, got ${resumed.kind}`);
        detach(second, resumed.session, c2);
        await harness.flush(second);
        // Two more detached on `first`: its oldest is beyond maxRetainedSessions (2), but `second` left it last.
        for (const id of [newId('c'), newId('c')]) detach(first, openSession(first, id, 'ada'), id);
        await harness.flush(first);
        expect((await claim(third, session.id, 'ada', newId('c'))).kind).toBe('claimed');
      });

      it('names no holder for a session claimed from a connection of the same node', async () => {
        const node = await harness.node();
        const session = openSession(node, newId('c'), 'ada');
        expect(await claim(node, session.id, 'ada', newId('c'))).toMatchObject({ kind: 'claimed', holder: undefined });
      });

      it('keeps a dead node’s attached sessions resumable, with their windows, until about sessionTtl after it died', async () => {
        const [doomed, survivor] = [await harness.node(), await harness.node()];
        const c1 = newId('c');
        const session = openSession(doomed, c1, 'ada');
        expect(await doomed.store.rememberMessage(session, 'm1')).toBe(true);
        const forgotten = openSession(doomed, newId('c'), 'ada');
        await harness.kill(doomed);
        const claimed = await claim(survivor, session.id, 'ada', newId('c'));
        expect(claimed).toMatchObject({ kind: 'claimed', holder: { nodeId: doomed.nodeId, connectionId: c1 } });
        if (claimed.kind === 'claimed') expect(await survivor.store.rememberMessage(claimed.session, 'm1')).toBe(false);
        await harness.elapse(harness.deathBoundMs);
        expect(await claim(survivor, forgotten.id, 'ada', newId('c'))).toEqual({ kind: 'unknown' });
      });
    });
  }

  if (kind.losesState) {
    describe('a store that lost its state', () => {
      it('has the attached sessions again after the next keep-alive, and forgets the detached ones', async () => {
        const [first, second] = [await harness.node(), await harness.node()];
        const [c1, c2] = [newId('c'), newId('c')];
        const attached = openSession(first, c1, 'ada');
        const detached = openSession(first, c2, 'ada');
        detach(first, detached, c2);
        await harness.loseState();
        expect(await claim(second, attached.id, 'ada', newId('c'))).toEqual({ kind: 'unknown' });
        await harness.elapse(harness.keepAliveMs + 200);
        expect((await claim(second, attached.id, 'ada', newId('c'))).kind).toBe('claimed');
        expect(await claim(second, detached.id, 'ada', newId('c'))).toEqual({ kind: 'unknown' });
      });
    });
  }
}
