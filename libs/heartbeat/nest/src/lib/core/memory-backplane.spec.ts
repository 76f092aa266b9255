import { describe } from '@jest/globals';
import { backplaneContract, type ContractHarness, type ContractNode, contractHub, contractLocalNode, type ReplayBounds } from './backplane.contract.js';
import { MemoryBackplane } from './memory-backplane.js';

/** One memory backplane per test, its nodes hubs above it, on a clock the test moves. */
function memoryHarness(): ContractHarness {
  let now = Date.parse('2026-12-04T18:00:00.000Z');
  let backplane: MemoryBackplane | undefined;
  const nodes: ContractNode[] = [];
  return {
    async node(replay: Partial<ReplayBounds> = {}) {
      const bounds = { maxEvents: 1000, maxAgeMs: 300_000, ...replay };
      if (!backplane) {
        backplane = new MemoryBackplane({ nodeId: 'memory-node', replay: bounds, clock: { now: () => now } });
        await backplane.start(contractLocalNode('memory-node', []));
      }
      const node: ContractNode = { backplane, hub: contractHub(backplane, bounds.maxEvents), answered: [] };
      nodes.push(node);
      return node;
    },
    async age(ms) {
      now += ms;
    },
    loseState() {
      throw new Error('a memory backplane loses its state only with its process');
    },
    async close() {
      for (const node of nodes) node.hub.close();
      await backplane?.stop();
    },
  };
}

describe.each([['memory', memoryHarness]])('Backplane contract: %s', (_name, harness) => {
  backplaneContract({ separateNodes: false, losesState: false }, harness);
});
