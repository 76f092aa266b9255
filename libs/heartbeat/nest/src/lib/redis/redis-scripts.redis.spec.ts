import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { deleteRedisKeys, redisTestPrefix, requireRedis, TEST_REDIS_URL } from '@heartbeat/testing';
import { eventFrameParts } from '@heartbeat/protocol';
import { Clock } from '../clock.js';
import { until } from '../core/backplane.contract.js';
import { resolveHeartbeatOptions } from '../heartbeat-options.validator.js';
import { RedisLink } from './redis-link.js';

const TOPIC = 'alerts';
const WINDOW = 10;

describe('APPEND_SCRIPT', () => {
  let prefix: string;
  let link: RedisLink;

  beforeAll(() => requireRedis());

  beforeEach(async () => {
    prefix = redisTestPrefix('append');
    const options = resolveHeartbeatOptions({ redis: { url: TEST_REDIS_URL, keyPrefix: prefix, nodeId: 'n1' } });
    link = new RedisLink(options.redis!, new SchedulerRegistry(), new Clock());
    await link.start();
    await until(() => link.state.up, 'the link to connect to Redis');
  });

  afterEach(async () => {
    await link.stop();
    await deleteRedisKeys(prefix);
  });

  /** Runs the script as RedisBackplane.append does, for publish number `counter` of publisher `p1`. */
  async function append(counter: number, data: unknown): Promise<number> {
    const { keys } = link;
    const parts = eventFrameParts(TOPIC, data, new Date(0).toISOString());
    const [seq] = await link.commands.heartbeatAppend(
      keys.topic(TOPIC),
      keys.stream(TOPIC),
      keys.publisher('p1', TOPIC),
      'epoch-1',
      counter,
      100,
      60_000,
      parts.before,
      parts.between,
      parts.after,
      keys.events(TOPIC),
      60_000,
      'PUBLISH',
      WINDOW,
    );
    return Number(seq);
  }

  const streamLength = () => link.commands.xlen(link.keys.stream(TOPIC));

  describe('the resend guard', () => {
    it('answers a resent publish number from its record without applying it again', async () => {
      expect([await append(1, 'a'), await append(2, 'b'), await append(1, 'a'), await append(2, 'b')]).toEqual([1, 2, 1, 2]);
      expect(await streamLength()).toBe(2);
    });

    it('applies a publish number that arrives after a higher one, as a cluster client’s retry can', async () => {
      expect([await append(2, 'b'), await append(1, 'a'), await append(3, 'c')]).toEqual([1, 2, 3]);
      expect(await append(1, 'a')).toBe(2);
      expect(await streamLength()).toBe(3);
    });

    it('forgets records more than the window below the newest, applying such a number again', async () => {
      expect(await append(1, 'a')).toBe(1);
      expect(await append(1 + WINDOW + 1, 'z')).toBe(2);
      // No publish of the node is in flight that far back: a number there is new to the script.
      expect(await append(1, 'a')).toBe(3);
      expect(await link.commands.zcard(link.keys.publisher('p1', TOPIC))).toBe(2);
    });
  });
});
