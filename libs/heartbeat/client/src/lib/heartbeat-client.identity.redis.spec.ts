import { afterAll, beforeAll } from '@jest/globals';
import { deleteRedisKeys, redisTestPrefix, requireRedis, TEST_REDIS_URL } from '@heartbeat/testing';
import { identitySuite } from './heartbeat-client.identity.suite.js';

// The suite of heartbeat-client.identity.suite.ts on two nodes sharing a Redis: publishToUser,
// join, leave, sendToConnection, disconnect and presence reach across them.
const prefix = redisTestPrefix('client-identity');

beforeAll(() => requireRedis());

afterAll(() => deleteRedisKeys(prefix));

identitySuite({ name: 'two nodes on Redis', nodes: 2, redis: () => ({ url: TEST_REDIS_URL, keyPrefix: prefix }) });
