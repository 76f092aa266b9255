import type { EventFrame, ServerFrame, SubscribedFrame } from '@heartbeat/protocol';
import { eventually, RedisClusterTopology, RedisSentinelTopology, sleep, type TestClient } from '@heartbeat/testing';
import type { HeartbeatRedisOptions } from '../core/heartbeat-options.interface.js';
import type { PublishResult } from '../core/topic-hub.js';
import { RedisNodes } from '../../testing/redis-nodes.js';
import type { TestApp } from '../../testing/test-app.js';

/** What one client saw of a topic, read from its frames in order. */
interface TopicLog {
  /** Position changes that were neither the next seq nor told by a `subscribed` frame. */
  silent: string[];
  /** `subscribed` frames with `recovered: false` after the answer: losses told in-band. */
  told: SubscribedFrame[];
  /** Every event received, as `epoch:seq`. */
  received: Set<string>;
}

/**
 * Reads a client's frames about the topic of its `subscribed` answer (which `next()` took off the
 * frames): every event must be the next
 * seq of the same epoch, unless a `subscribed` frame moved the position first (docs/protocol.md#losses-told-in-band).
 */
function topicLog(answer: SubscribedFrame, frames: readonly ServerFrame[]): TopicLog {
  const { topic } = answer;
  const log: TopicLog = { silent: [], told: [], received: new Set() };
  let position = { epoch: answer.epoch, seq: answer.seq };
  for (const frame of frames) {
    if (frame.type === 'subscribed' && frame.topic === topic) {
      if (!frame.recovered) log.told.push(frame);
      position = { epoch: frame.epoch, seq: frame.seq };
    } else if (frame.type === 'event' && frame.topic === topic) {
      const event = frame as EventFrame;
      if (event.epoch !== position.epoch || event.seq !== position.seq + 1) log.silent.push(`${position.epoch}:${position.seq} -> ${event.epoch}:${event.seq}`);
      position = { epoch: event.epoch, seq: event.seq };
      log.received.add(`${event.epoch}:${event.seq}`);
    }
  }
  return log;
}

/** Whether the client's connection is still open (its `closed` promise not settled). */
async function isOpen(client: TestClient): Promise<boolean> {
  return Promise.race([client.closed.then(() => false), sleep(0).then(() => true)]);
}

type Outcome = { ok: true; result: PublishResult; at: number } | { ok: false; error: Error; at: number };

const TOPIC = 'alerts';

/** A topology whose primary (of the topic's shard) can be killed, and how the nodes name it. */
interface FailoverVariant {
  name: string;
  start(): Promise<{ connection: Pick<HeartbeatRedisOptions, 'sentinel' | 'cluster'>; killPrimary(): Promise<unknown>; stop(): Promise<void> }>;
}

const VARIANTS: FailoverVariant[] = [
  {
    name: 'Redis behind Sentinel (a primary, a replica, three sentinels)',
    async start() {
      const topology = await RedisSentinelTopology.start();
      return {
        connection: { sentinel: { nodes: topology.sentinels, name: RedisSentinelTopology.NAME } },
        killPrimary: () => topology.killPrimary(),
        stop: () => topology.stop(),
      };
    },
  },
  {
    name: 'a Redis Cluster (three shards with a replica each), the topic’s shard',
    async start() {
      const topology = await RedisClusterTopology.start(3, { replicas: 1 });
      return {
        connection: { cluster: { nodes: topology.nodes } },
        // The topic's keys all carry its name as hash tag (redis-keys.ts).
        killPrimary: () => topology.killPrimaryOf(`{${TOPIC}}`),
        stop: () => topology.stop(),
      };
    },
  },
];

describe.each(VARIANTS)('$name', (variant) => {
  let topology: Awaited<ReturnType<FailoverVariant['start']>>;
  let cluster: RedisNodes;

  beforeEach(async () => {
    topology = await variant.start();
    cluster = new RedisNodes('failover');
  }, 60_000);

  afterEach(async () => {
    await cluster?.close();
    await topology?.stop();
  }, 60_000);

  const onTopology = () => cluster.nodeOn(topology.connection);

  /** `count` clients of `app` subscribed to the topic, each with its `subscribed` answer. */
  async function subscribers(app: TestApp, count: number): Promise<{ client: TestClient; answer: SubscribedFrame }[]> {
    return Promise.all(
      Array.from({ length: count }, async () => {
        const client = await cluster.client(app);
        client.send({ type: 'subscribe', topic: TOPIC });
        return { client, answer: await client.next('subscribed', 5_000, (frame) => frame.topic === TOPIC) };
      }),
    );
  }

  describe('failover', () => {
    it('follows the promoted replica under 200 events/s: clients on three nodes stay connected, every publish settles, and what was lost is told in-band', async () => {
      const nodes = [await onTopology(), await onTopology(), await onTopology()];
      const clients = (await Promise.all(nodes.map((node) => subscribers(node, 2)))).flat();

      // 200 events a second, published on the three nodes in turn, through the failover.
      const outcomes: Promise<Outcome>[] = [];
      let publishing = true;
      const startedAt = Date.now();
      const publisher = (async () => {
        while (publishing) {
          const due = Math.floor(((Date.now() - startedAt) / 1000) * 200);
          while (outcomes.length < due) {
            const node = nodes[outcomes.length % nodes.length];
            outcomes.push(
              node.service.publish(TOPIC, { i: outcomes.length }).then(
                (result): Outcome => ({ ok: true, result, at: Date.now() }),
                (error: Error): Outcome => ({ ok: false, error, at: Date.now() }),
              ),
            );
          }
          await sleep(5);
        }
      })();
      await sleep(1_000);
      const killedAt = Date.now();
      await topology.killPrimary();
      const promotedAt = Date.now();
      // Events flow again on the new primary: published after the promotion, and delivered.
      await eventually(async () => {
        const settled = await Promise.all(outcomes.slice(-50));
        return settled.length === 50 && settled.every((outcome) => outcome.ok && outcome.at > promotedAt);
      }, 'publishes to resolve on the promoted replica', 30_000);
      await sleep(1_000);
      publishing = false;
      await publisher;
      const settled = await Promise.all(outcomes);

      // Every publish settled: resolved with its position, or rejected to its caller.
      const resolved = settled.filter((outcome): outcome is Extract<Outcome, { ok: true }> => outcome.ok);
      const rejected = settled.filter((outcome) => !outcome.ok);
      // The longest stretch without a publish resolving: the pause the failover made.
      const times = resolved.map((outcome) => outcome.at).sort((a, b) => a - b);
      const pauseMs = Math.max(...times.slice(1).map((at, i) => at - times[i]));
      const finalEpoch = resolved[resolved.length - 1].result.epoch;
      await eventually(
        () =>
          clients.every(({ client, answer }) => {
            const { received } = topicLog(answer, client.frames);
            return resolved.every(({ result }) => result.epoch !== finalEpoch || received.has(`${result.epoch}:${result.seq}`));
          }),
        'every client to have every event of the new epoch',
        10_000,
      );

      const logs = clients.map(({ client, answer }) => topicLog(answer, client.frames));
      process.stdout.write(
        `${variant.name}: primary killed, replica promoted after ${promotedAt - killedAt} ms; longest pause between resolved publishes ${pauseMs} ms; ` +
          `${settled.length} publishes, ${resolved.length} resolved, ${rejected.length} rejected; losses told per client: ${logs.map((log) => log.told.length).join(', ')}\n`,
      );
      expect(await Promise.all(clients.map(({ client }) => isOpen(client)))).toEqual(clients.map(() => true));
      expect(logs.map((log) => log.silent)).toEqual(clients.map(() => []));
      // The promoted replica is another server: the topic continues in a new epoch, told once to each client.
      expect(logs.map((log) => log.told.length)).toEqual(clients.map(() => 1));
      expect(logs.every((log) => log.told[0].epoch === finalEpoch)).toBe(true);
      for (const node of nodes) expect(node.service.getClusterStatus().redis?.up).toBe(true);
    }, 90_000);
  });
});
