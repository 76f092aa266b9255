import { describe, expect, it } from '@jest/globals';
import { monitorEnv } from './bench-server.js';

describe('monitorEnv', () => {
  it('keeps a monitor server alone in memory mode, even where a Redis is named in the environment', () => {
    expect(monitorEnv(3000, 1_000)).toMatchObject({ PORT: '3000', HEARTBEAT_PING_INTERVAL_MS: '1000', REDIS_URL: '' });
  });

  it("leaves the heartbeat at the server's defaults when no ping interval is given", () => {
    expect(Object.keys(monitorEnv(3000, undefined)).filter((name) => name.startsWith('HEARTBEAT_'))).toEqual([]);
  });

  it('makes a monitor server a node of the cluster on a Redis under a key prefix', () => {
    const env = monitorEnv(3000, 1_000, { url: 'redis://127.0.0.1:6379', keyPrefix: 'bench:ab12:', nodeId: 'bench-node-2' });
    expect(env).toMatchObject({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: 'bench:ab12:', NODE_ID: 'bench-node-2' });
  });
});
