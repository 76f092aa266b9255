import { describe } from '@jest/globals';
import { FakeClock } from '../../testing/fake-clock.js';
import { MemorySessionStore } from './memory-session-store.js';
import { CONTRACT_SESSION_OPTIONS, type SessionHarness, type SessionNode, sessionStoreContract } from './session-store.contract.js';

/** One memory store per test on a fake clock: every node of the test is that one store. */
function memoryHarness(): SessionHarness {
  const clock = new FakeClock(Date.now());
  const store = new MemorySessionStore(CONTRACT_SESSION_OPTIONS, clock);
  const node: SessionNode = { nodeId: 'memory', store, live: new Map(), taken: [], heldElsewhereSeen: () => 0 };
  return {
    async node() {
      await store.start();
      return node;
    },
    async elapse(ms) {
      clock.advance(ms);
    },
    kill() {
      throw new Error('a memory session store has one node: it dies with its process');
    },
    deathBoundMs: 0,
    loseState() {
      throw new Error('a memory session store loses its state only with its process');
    },
    keepAliveMs: 0,
    recheckMs: 0,
    // Its writes are done when its methods return.
    flush: async () => undefined,
    close: () => store.stop(),
  };
}

describe.each([['memory', memoryHarness]])('SessionStore contract: %s', (_name, harness) => {
  sessionStoreContract({ separateNodes: false, losesState: false }, harness);
});
