import { describe, expect, it } from '@jest/globals';
import { fakeBroadcastHub } from '../testing/fake-broadcast-channel.js';
import { defaultBroadcastChannel, SessionClaims, type ClaimantIdentity } from './session-claims.js';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** An instance holding `session`, as a tab would. */
function tab(hub: ReturnType<typeof fakeBroadcastHub>, identity: ClaimantIdentity, session: string | null) {
  const state = { session, yielded: [] as string[] };
  const claims = new SessionClaims(hub.factory('heartbeat:resume:ws://x/ws'), identity, {
    current: () => state.session,
    yieldSession: (sessionId) => {
      state.yielded.push(sessionId);
      state.session = null;
    },
  });
  return { claims, state };
}

describe('SessionClaims', () => {
  describe('#claim', () => {
    it('makes a newer instance naming the same session yield, however the two learn of each other', async () => {
      const hub = fakeBroadcastHub();
      const older = tab(hub, { id: 'a', createdAt: 1 }, 'session-x');
      const newer = tab(hub, { id: 'b', createdAt: 2 }, 'session-x');

      newer.claims.claim('session-x');
      await settle();

      expect(newer.state).toEqual({ session: null, yielded: ['session-x'] });
      expect(older.state).toEqual({ session: 'session-x', yielded: [] });
    });

    it('makes the newer one yield when the older one claims', async () => {
      const hub = fakeBroadcastHub();
      const older = tab(hub, { id: 'a', createdAt: 1 }, 'session-x');
      const newer = tab(hub, { id: 'b', createdAt: 2 }, 'session-x');

      older.claims.claim('session-x');
      await settle();

      expect(newer.state.yielded).toEqual(['session-x']);
      expect(older.state.session).toBe('session-x');
    });

    it('breaks a tie of creation times by id', async () => {
      const hub = fakeBroadcastHub();
      const first = tab(hub, { id: 'a', createdAt: 5 }, 'session-x');
      const second = tab(hub, { id: 'b', createdAt: 5 }, 'session-x');

      second.claims.claim('session-x');
      await settle();

      expect([first.state.session, second.state.session]).toEqual(['session-x', null]);
    });

    it('leaves instances of other sessions alone', async () => {
      const hub = fakeBroadcastHub();
      const other = tab(hub, { id: 'a', createdAt: 1 }, 'session-y');
      const claimant = tab(hub, { id: 'b', createdAt: 2 }, 'session-x');

      claimant.claims.claim('session-x');
      await settle();

      expect(other.state).toEqual({ session: 'session-y', yielded: [] });
      expect(hub.posted).toHaveLength(1);
    });

    it('ignores messages that are not claims', async () => {
      const hub = fakeBroadcastHub();
      const listener = tab(hub, { id: 'a', createdAt: 2 }, 'session-x');
      const channel = hub.factory('heartbeat:resume:ws://x/ws');

      for (const junk of [null, 'session-x', { type: 'heartbeat-session-claim', sessionId: 'session-x' }]) channel.postMessage(junk);
      await settle();

      expect(listener.state.yielded).toEqual([]);
    });

    it('does nothing without a channel', () => {
      const claims = new SessionClaims(null, { id: 'a', createdAt: 1 }, { current: () => 'x', yieldSession: () => undefined });

      expect(() => claims.claim('x')).not.toThrow();
      expect(() => claims.close()).not.toThrow();
    });
  });

  describe('constructor', () => {
    it("unrefs a channel that can be (Node's), so that it does not keep the process alive", () => {
      let unrefs = 0;
      const channel = { postMessage: () => undefined, addEventListener: () => undefined, removeEventListener: () => undefined, close: () => undefined, unref: () => (unrefs += 1) };

      new SessionClaims(channel, { id: 'a', createdAt: 1 }, { current: () => null, yieldSession: () => undefined });

      expect(unrefs).toBe(1);
    });
  });

  describe('#close', () => {
    it('closes the channel: nothing more is heard', async () => {
      const hub = fakeBroadcastHub();
      const closed = tab(hub, { id: 'b', createdAt: 2 }, 'session-x');
      const older = tab(hub, { id: 'a', createdAt: 1 }, 'session-x');

      closed.claims.close();
      older.claims.claim('session-x');
      await settle();

      expect(closed.state.yielded).toEqual([]);
      expect(hub.open()).toBe(1);
    });
  });
});

describe('defaultBroadcastChannel', () => {
  it('creates channels with the global BroadcastChannel where there is one', () => {
    class Channel {
      constructor(readonly name: string) {}
    }
    const factory = defaultBroadcastChannel({ BroadcastChannel: Channel as never });

    expect(factory?.('n')).toEqual(new Channel('n'));
  });

  it('is none without one', () => {
    expect(defaultBroadcastChannel({})).toBeNull();
  });
});
