import { MonitorConfigError, loadMonitorConfig } from './monitor-config.js';

describe('loadMonitorConfig', () => {
  it('uses the documented defaults for an empty environment', () => {
    const config = loadMonitorConfig({});
    expect(config).toMatchObject({
      port: 3000,
      wsPath: '/ws',
      pingInterval: 25_000,
      heartbeatInterval: 30_000,
      heartbeatTimeout: 90_000,
      maxMissedPings: 3,
      alertRate: 2,
      redis: undefined,
      drainWindow: 10_000,
      maxConnectionsPerAddress: 1_000,
      rateLimit: { messagesPerSecond: 100, burst: 200 },
      clientTokenTtl: undefined,
      publicTopics: [],
      maxTopicsPerConnection: undefined,
    });
  });

  it('generates a client token and an admin token when unset, and says so', () => {
    const config = loadMonitorConfig({});
    expect(config.generated).toEqual(['CLIENT_TOKENS', 'ADMIN_TOKEN']);
    expect(config.clientTokens).toHaveLength(1);
    expect(config.clientTokens[0]).toEqual({ token: expect.stringMatching(/^[\w-]{20,}$/), userId: undefined });
    expect(config.adminToken).not.toBe(config.clientTokens[0].token);
    expect(loadMonitorConfig({}).adminToken).not.toBe(config.adminToken);
  });

  it('reads every documented environment variable', () => {
    const config = loadMonitorConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      WS_PATH: '/realtime',
      HEARTBEAT_PING_INTERVAL_MS: '1000',
      HEARTBEAT_INTERVAL_MS: '2000',
      HEARTBEAT_TIMEOUT_MS: '5000',
      HEARTBEAT_MAX_MISSED_PINGS: '2',
      CLIENT_TOKENS: 'a, b ,,c',
      ADMIN_TOKEN: 'root',
      ALERT_RATE: '0.5',
      REDIS_URL: 'redis://127.0.0.1:6379',
      DRAIN_WINDOW_MS: '0',
      MAX_CONNECTIONS_PER_ADDRESS: '50',
      RATE_LIMIT_PER_SECOND: '20',
      RATE_LIMIT_BURST: '40',
      CLIENT_TOKEN_TTL_MS: '3600000',
      PUBLIC_TOPICS: 'bench, news.* ,',
      MAX_TOPICS_PER_CONNECTION: '64',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      wsPath: '/realtime',
      pingInterval: 1000,
      heartbeatInterval: 2000,
      heartbeatTimeout: 5000,
      maxMissedPings: 2,
      clientTokens: [
        { token: 'a', userId: undefined },
        { token: 'b', userId: undefined },
        { token: 'c', userId: undefined },
      ],
      adminToken: 'root',
      alertRate: 0.5,
      redis: { url: 'redis://127.0.0.1:6379' },
      drainWindow: 0,
      maxConnectionsPerAddress: 50,
      rateLimit: { messagesPerSecond: 20, burst: 40 },
      clientTokenTtl: 3_600_000,
      publicTopics: ['bench', 'news.*'],
      maxTopicsPerConnection: 64,
      generated: [],
    });
  });

  it('lifts the per-address limit and turns the rate limit off with 0', () => {
    const config = loadMonitorConfig({ MAX_CONNECTIONS_PER_ADDRESS: '0', RATE_LIMIT_PER_SECOND: '0' });
    expect(config.maxConnectionsPerAddress).toBeUndefined();
    expect(config.rateLimit).toBe(false);
  });

  describe('Redis', () => {
    it('reads a primary watched by Sentinel from REDIS_SENTINELS, REDIS_SENTINEL_NAME and REDIS_PASSWORD', () => {
      const config = loadMonitorConfig({ REDIS_SENTINELS: '10.0.0.5:26379, sentinel-2:26380,[::1]:26381', REDIS_SENTINEL_NAME: 'alerts', REDIS_PASSWORD: 's3cret' });
      expect(config.redis).toEqual({
        sentinel: {
          nodes: [
            { host: '10.0.0.5', port: 26379 },
            { host: 'sentinel-2', port: 26380 },
            { host: '::1', port: 26381 },
          ],
          name: 'alerts',
          password: 's3cret',
        },
      });
    });

    it('reads a Redis Cluster from REDIS_CLUSTER_NODES', () => {
      expect(loadMonitorConfig({ REDIS_CLUSTER_NODES: 'shard-1:6379,shard-2:6380' }).redis).toEqual({
        cluster: {
          nodes: [
            { host: 'shard-1', port: 6379 },
            { host: 'shard-2', port: 6380 },
          ],
        },
      });
    });

    it.each([
      [{ REDIS_URL: 'redis://cache:6379', REDIS_SENTINELS: 'cache:26379', REDIS_SENTINEL_NAME: 'alerts' }, 'REDIS_URL and REDIS_SENTINELS are all set: set one of'],
      [{ REDIS_SENTINELS: 'cache:26379', REDIS_CLUSTER_NODES: 'cache:6379' }, 'REDIS_SENTINELS and REDIS_CLUSTER_NODES are all set'],
      [{ REDIS_CLUSTER_NODES: 'cache:6379,shard' }, 'REDIS_CLUSTER_NODES has the entry "shard": write each server as host:port'],
      [{ REDIS_SENTINELS: 'cache:26379' }, 'REDIS_SENTINEL_NAME is not'],
      [{ REDIS_SENTINELS: 'cache', REDIS_SENTINEL_NAME: 'alerts' }, 'REDIS_SENTINELS has the entry "cache": write each sentinel as host:port'],
      [{ REDIS_SENTINELS: 'cache:0', REDIS_SENTINEL_NAME: 'alerts' }, 'has the entry "cache:0"'],
    ])('refuses %j, saying what to set', (env, sentence) => {
      expect(() => loadMonitorConfig(env)).toThrow(MonitorConfigError);
      expect(() => loadMonitorConfig(env)).toThrow(sentence);
    });
  });

  it.each([
    ['PORT', '70000'],
    ['PORT', 'http'],
    ['HEARTBEAT_PING_INTERVAL_MS', '0'],
    ['HEARTBEAT_MAX_MISSED_PINGS', '1.5'],
    ['ALERT_RATE', '-1'],
    ['WS_PATH', 'ws'],
    ['LOG_LEVEL', 'loud'],
    ['DRAIN_WINDOW_MS', '-1'],
    ['MAX_CONNECTIONS_PER_ADDRESS', '-5'],
    ['RATE_LIMIT_PER_SECOND', '1.5'],
    ['RATE_LIMIT_BURST', '0'],
    ['CLIENT_TOKEN_TTL_MS', '0'],
    ['CLIENT_TOKEN_TTL_MS', '1h'],
    ['MAX_TOPICS_PER_CONNECTION', '0'],
  ])('rejects %s=%s with a message that names the variable', (name, value) => {
    expect(() => loadMonitorConfig({ [name]: value })).toThrow(MonitorConfigError);
    expect(() => loadMonitorConfig({ [name]: value })).toThrow(name);
  });

  describe('CLIENT_TOKENS', () => {
    it('reads user:token entries as the token of that user, and a bare token as anonymous', () => {
      const config = loadMonitorConfig({ CLIENT_TOKENS: 'alice:s3cret, bob : t0ken:with:colons ,kiosk-token' });
      expect(config.clientTokens).toEqual([
        { token: 's3cret', userId: 'alice' },
        { token: 't0ken:with:colons', userId: 'bob' },
        { token: 'kiosk-token', userId: undefined },
      ]);
    });

    it('gives one user several tokens', () => {
      const config = loadMonitorConfig({ CLIENT_TOKENS: 'alice:laptop,alice:phone' });
      expect(config.clientTokens.map((entry) => entry.userId)).toEqual(['alice', 'alice']);
    });

    it.each([
      [':token', /empty user/],
      ['alice:', /empty token/],
      ['alice:same,bob:same', /same token twice/],
      ['same,alice:same', /same token twice/],
      ['al ice:token', /user id is 1 to 64/],
      ['alice#2:token', /user id is 1 to 64/],
      [`${'u'.repeat(65)}:token`, /user id is 1 to 64/],
    ])('rejects CLIENT_TOKENS=%s with a sentence that says what to fix', (value, sentence) => {
      expect(() => loadMonitorConfig({ CLIENT_TOKENS: value })).toThrow(MonitorConfigError);
      expect(() => loadMonitorConfig({ CLIENT_TOKENS: value })).toThrow(sentence);
      expect(() => loadMonitorConfig({ CLIENT_TOKENS: value })).toThrow('CLIENT_TOKENS');
    });
  });
});
