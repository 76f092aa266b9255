import { beforeAll, describe } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { deleteRedisKeys, redisTestPrefix, requireRedis, sleep, TEST_REDIS_URL } from '@heartbeat/testing';
import { Clock } from '../clock.js';
import { backplaneContract, type ContractHarness, type ContractNode, contractHub, contractLocalNode, type ReplayBounds, until } from '../core/backplane.contract.js';
import { resolveHeartbeatOptions } from '../heartbeat-options.validator.js';
import { RedisBackplane } from './redis-backplane.js';
import { RedisLink } from './redis-link.js';

/** Nodes on the test Redis under a key prefix of the test's own; losing the state deletes that prefix's keys (SCAN + DEL). */
function redisHarness(): ContractHarness {
  const prefix = redisTestPrefix('contract');
  const nodes: ContractNode[] = [];
  return {
    async node(replay: Partial<ReplayBounds> = {}) {
      const nodeId = `node-${nodes.length + 1}`;
      const options = resolveHeartbeatOptions({
        replay,
        redis: { url: TEST_REDIS_URL, keyPrefix: prefix, nodeId, statsInterval: 100, healthCheckInterval: 200, requestTimeout: 1_000 },
      });
      const clock = new Clock();
      const scheduler = new SchedulerRegistry();
      const backplane = new RedisBackplane(new RedisLink(options.redis!, scheduler, clock), options, scheduler, clock);
      const node: ContractNode = { backplane, hub: contractHub(backplane, options.replay.maxEvents), answered: [] };
      nodes.push(node);
      await backplane.start(contractLocalNode(nodeId, node.answered));
      await until(() => backplane.isUp, `${nodeId} to connect to Redis`);
      return node;
    },
    age: (ms) => sleep(ms),
    loseState: () => deleteRedisKeys(prefix),
    async close() {
      for (const node of nodes) node.hub.close();
      await Promise.all(nodes.map((node) => node.backplane.stop()));
      await deleteRedisKeys(prefix);
    },
  };
}

beforeAll(() => requireRedis());

describe.each([['redis', redisHarness]])('Backplane contract: %s', (_name, harness) => {
  backplaneContract({ separateNodes: true, losesState: true }, harness);
});
