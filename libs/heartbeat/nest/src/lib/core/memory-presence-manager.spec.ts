import { describe } from '@jest/globals';
import { MemoryPresenceManager } from './memory-presence-manager.js';
import { type PresenceHarness, type PresenceNode, presenceContract, presenceNode } from './presence.contract.js';

/** One memory manager per test: every node of the test is that one store. */
function memoryHarness(): PresenceHarness {
  const manager = new MemoryPresenceManager();
  const nodes: PresenceNode[] = [];
  return {
    async node() {
      const node = await presenceNode(manager);
      nodes.push(node);
      return node;
    },
    kill() {
      throw new Error('memory presence has one node: it dies with its process');
    },
    deathBoundMs: 0,
    loseState() {
      throw new Error('memory presence loses its state only with its process');
    },
    close: () => manager.stop(),
  };
}

describe.each([['memory', memoryHarness]])('PresenceManager contract: %s', (_name, harness) => {
  presenceContract({ separateNodes: false, losesState: false }, harness);
});
