import { beforeAll, describe } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { deleteRedisKeys, redisTestPrefix, requireRedis, TEST_REDIS_URL } from '@heartbeat/testing';
import { Clock } from '../clock.js';
import { until } from '../core/backplane.contract.js';
import { CONTRACT_SESSION_OPTIONS, type SessionHarness, type SessionNode, sessionStoreContract } from '../core/session-store.contract.js';
import { resolveHeartbeatOptions } from '../heartbeat-options.validator.js';
import { RedisLink } from './redis-link.js';
import { RedisSessionStore } from './redis-session-store.js';

/** The keep-alive of a store with sessionTtl below 3 s: every second (redis-session-store.ts). */
const KEEP_ALIVE_MS = 1_000;
/** Redis's requestTimeout in these tests, which is also how long a second look at a session held elsewhere waits. */
const REQUEST_TIMEOUT_MS = 2_000;

/** Nodes on the test Redis under a key prefix of the test's own, each with its own link and timers. */
function redisHarness(): SessionHarness {
  const prefix = redisTestPrefix('sessions');
  const nodes: { node: SessionNode; link: RedisLink; scheduler: SchedulerRegistry }[] = [];
  return {
    async node() {
      const nodeId = `node-${nodes.length + 1}`;
      const options = resolveHeartbeatOptions({ ...CONTRACT_SESSION_OPTIONS, redis: { url: TEST_REDIS_URL, keyPrefix: prefix, nodeId, healthCheckInterval: 200, requestTimeout: REQUEST_TIMEOUT_MS } });
      const scheduler = new SchedulerRegistry();
      const link = new RedisLink(options.redis!, scheduler, new Clock());
      await link.start();
      const live: SessionNode['live'] = new Map();
      const taken: SessionNode['taken'] = [];
      // Counts the keep-alive answers that name another node, as the store reads them.
      let heldElsewhere = 0;
      const keep = link.commands.heartbeatSessionKeep.bind(link.commands);
      link.commands.heartbeatSessionKeep = async (...args) => {
        const answer = await keep(...args);
        if (answer !== 1) heldElsewhere++;
        return answer;
      };
      const store = new RedisSessionStore(link, options, scheduler, new Clock(), {
        live: () => live.values(),
        taken: (session) => {
          // The node drops that connection, as the module does.
          taken.push(session);
          live.delete(session.connectionId);
        },
      });
      await store.start();
      const node: SessionNode = { nodeId, store, live, taken, heldElsewhereSeen: () => heldElsewhere };
      nodes.push({ node, link, scheduler });
      await until(() => link.state.up, `${nodeId} to connect to Redis`);
      return node;
    },
    elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    // The process dies: its timers stop and its sockets close, and nothing is written.
    async kill(dead) {
      const { link, scheduler } = nodes.find((entry) => entry.node === dead)!;
      for (const name of scheduler.getIntervals()) scheduler.deleteInterval(name);
      for (const name of scheduler.getTimeouts()) scheduler.deleteTimeout(name);
      await link.stop();
    },
    // An attached session's keys live three keep-alives past the last one.
    deathBoundMs: 3 * KEEP_ALIVE_MS + 200,
    loseState: () => deleteRedisKeys(prefix),
    keepAliveMs: KEEP_ALIVE_MS,
    recheckMs: REQUEST_TIMEOUT_MS,
    // A node's commands are answered in order: once a PING sent after them is answered and the
    // promise callbacks of those answers ran (before the next turn of the event loop), all were.
    async flush(node) {
      await nodes.find((entry) => entry.node === node)?.link.commands.ping();
      await new Promise((resolve) => setImmediate(resolve));
    },
    async close() {
      for (const { node, link } of nodes) {
        await node.store.stop();
        await link.stop();
      }
      await deleteRedisKeys(prefix);
    },
  };
}

beforeAll(() => requireRedis());

describe.each([['redis', redisHarness]])('SessionStore contract: %s', (_name, harness) => {
  sessionStoreContract({ separateNodes: true, losesState: true }, harness);
});
