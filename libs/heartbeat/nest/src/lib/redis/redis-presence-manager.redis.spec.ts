import { beforeAll, describe } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { deleteRedisKeys, redisTestPrefix, requireRedis, TEST_REDIS_URL } from '@heartbeat/testing';
import { Clock } from '../clock.js';
import { until } from '../core/backplane.contract.js';
import { type PresenceHarness, type PresenceNode, presenceContract, presenceNode } from '../core/presence.contract.js';
import { resolveHeartbeatOptions } from '../heartbeat-options.validator.js';
import { RedisLink } from './redis-link.js';
import { RedisPresenceManager } from './redis-presence-manager.js';

const STATS_INTERVAL_MS = 100;
const STALE_AFTER_MS = 300;

/** Nodes on the test Redis under a key prefix of the test's own, each with its own link and timers. */
function redisHarness(): PresenceHarness {
  const prefix = redisTestPrefix('presence');
  const nodes: { node: PresenceNode; link: RedisLink; scheduler: SchedulerRegistry }[] = [];
  return {
    async node() {
      const nodeId = `node-${nodes.length + 1}`;
      const options = resolveHeartbeatOptions({
        redis: { url: TEST_REDIS_URL, keyPrefix: prefix, nodeId, statsInterval: STATS_INTERVAL_MS, staleAfter: STALE_AFTER_MS, healthCheckInterval: 200 },
      });
      const scheduler = new SchedulerRegistry();
      const link = new RedisLink(options.redis!, scheduler, new Clock());
      await link.start();
      const node = await presenceNode(new RedisPresenceManager(link, scheduler));
      nodes.push({ node, link, scheduler });
      await until(() => link.state.up, `${nodeId} to connect to Redis`);
      return node;
    },
    // The process dies: its timers stop and its sockets close, and nothing is removed.
    async kill(dead) {
      const { link, scheduler } = nodes.find((entry) => entry.node === dead)!;
      for (const name of scheduler.getIntervals()) scheduler.deleteInterval(name);
      await link.stop();
    },
    // Its key outlives its last refresh by staleAfter; another node's next refresh removes its entries.
    deathBoundMs: STALE_AFTER_MS + STATS_INTERVAL_MS,
    loseState: () => deleteRedisKeys(prefix),
    async close() {
      for (const { node, link } of nodes) {
        await node.manager.stop();
        await link.stop();
      }
      await deleteRedisKeys(prefix);
    },
  };
}

beforeAll(() => requireRedis());

describe.each([['redis', redisHarness]])('PresenceManager contract: %s', (_name, harness) => {
  presenceContract({ separateNodes: true, losesState: true }, harness);
});
