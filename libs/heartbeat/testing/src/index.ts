export { BlackholeProxy } from './lib/blackhole-proxy.js';
export { freePort, MonitorServerProcess } from './lib/monitor-server-process.js';
export type { MonitorServerExit } from './lib/monitor-server-process.js';
export { eventually, sleep } from './lib/spec-timing.js';
export { TestClient } from './lib/test-client.js';
export type { Closed, TestClientOptions } from './lib/test-client.js';
export { deleteRedisKeys, redisTestPrefix, requireRedis, TEST_REDIS_URL } from './lib/redis-test.js';
export { REDIS_CLI, REDIS_SERVER, RedisClusterTopology, RedisLoadingServer, RedisSentinelTopology } from './lib/redis-topology.js';
export type { TopologyAddress } from './lib/redis-topology.js';
