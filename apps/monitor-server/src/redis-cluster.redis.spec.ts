import type { HeartbeatStats } from '@heartbeat/protocol';
import { CloseCode } from '@heartbeat/protocol';
import {
  BlackholeProxy,
  deleteRedisKeys,
  eventually,
  MonitorServerProcess,
  RedisClusterTopology,
  redisTestPrefix,
  requireRedis,
  TEST_REDIS_URL,
  TestClient,
} from '@heartbeat/testing';
import type { HealthReport } from './app/http/health.controller.js';

const TOKEN = 'cluster-spec-client';
const ADMIN = 'cluster-spec-admin';

/** How a variant of the suite names its Redis to the monitor servers, and starts and stops it. */
interface RedisVariant {
  name: string;
  setUp(): Promise<void>;
  env(): Record<string, string>;
  tearDown(): Promise<void>;
}

let topology: RedisClusterTopology | undefined;
const VARIANTS: RedisVariant[] = [
  { name: 'REDIS_URL', setUp: () => requireRedis(), env: () => ({ REDIS_URL: TEST_REDIS_URL }), tearDown: async () => undefined },
  {
    name: 'REDIS_CLUSTER_NODES, a three-shard Redis Cluster',
    setUp: async () => {
      topology = await RedisClusterTopology.start(3);
    },
    env: () => ({ REDIS_URL: '', REDIS_CLUSTER_NODES: (topology as RedisClusterTopology).nodes.map(({ host, port }) => `${host}:${port}`).join(',') }),
    tearDown: async () => topology?.stop(),
  },
];

/** Three built monitor servers (child processes) on one Redis, as three nodes behind a load balancer would run. */
describe.each(VARIANTS)('monitor server cluster ($name)', (variant) => {
  let prefix: string;
  let servers: MonitorServerProcess[] = [];
  let clients: TestClient[] = [];
  let proxy: BlackholeProxy | undefined;

  beforeAll(() => variant.setUp(), 60_000);

  afterAll(() => variant.tearDown());

  beforeEach(() => {
    prefix = redisTestPrefix('monitor');
  });

  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all(servers.map((server) => (server.running ? server.kill() : undefined)));
    await proxy?.close();
    clients = [];
    servers = [];
    proxy = undefined;
    if (variant.name === 'REDIS_URL') await deleteRedisKeys(prefix);
  });

  async function start(nodeId: string, env: Record<string, string> = {}): Promise<MonitorServerProcess> {
    const server = await MonitorServerProcess.start({
      CLIENT_TOKENS: TOKEN,
      ADMIN_TOKEN: ADMIN,
      ALERT_RATE: '0',
      ...variant.env(),
      REDIS_KEY_PREFIX: prefix,
      NODE_ID: nodeId,
      ...env,
    });
    servers.push(server);
    await eventually(async () => (await health(server)).redis?.status === 'up', `${nodeId} to connect to Redis`, 10_000);
    return server;
  }

  async function health(server: MonitorServerProcess): Promise<HealthReport> {
    return (await fetch(`${server.url}/health`)).json() as Promise<HealthReport>;
  }

  async function stats(server: MonitorServerProcess): Promise<HeartbeatStats> {
    return (await fetch(`${server.url}/api/heartbeat/stats`, { headers: { authorization: `Bearer ${ADMIN}` } })).json() as Promise<HeartbeatStats>;
  }

  async function subscriber(server: MonitorServerProcess, since?: number) {
    const { client } = await TestClient.open(server.wsUrl, TOKEN);
    clients.push(client);
    client.send(since === undefined ? { type: 'subscribe', topic: 'alerts' } : { type: 'subscribe', topic: 'alerts', since });
    return { client, subscribed: await client.next('subscribed') };
  }

  const isConsecutive = (seqs: readonly number[]) => seqs.every((seq, i) => i === 0 || seq === seqs[i - 1] + 1);

  it('reports Redis mode and the node on /health and /metrics', async () => {
    const a = await start('node-a');
    expect(await health(a)).toMatchObject({ status: 'ok', event_bus: 'redis', node_id: 'node-a', redis: { status: 'up', outages: 0 } });
    const metrics = await (await fetch(`${a.url}/metrics`)).text();
    expect(metrics).toMatch(/^heartbeat_redis_up 1$/m);
    expect(metrics).toContain('heartbeat_node_info{node_id="node-a",event_bus="redis"} 1');
  });

  it('delivers alerts published by one node to clients of every node, and a client dropped by a killed node resumes on another with nothing lost', async () => {
    const producer = await start('producer', { ALERT_RATE: '40' });
    const a = await start('node-a');
    const b = await start('node-b');
    const onA = await subscriber(a);
    const seen = await onA.client.take('event', 10, 10_000);
    expect(isConsecutive(seen.map((event) => event.seq))).toBe(true);
    expect(seen[0].seq).toBeGreaterThan(onA.subscribed.seq);

    await a.kill('SIGKILL');
    const last = seen[seen.length - 1].seq;
    const resumed = await subscriber(b, last);
    expect(resumed.subscribed).toMatchObject({ epoch: onA.subscribed.epoch, recovered: true });
    const after = await resumed.client.take('event', resumed.subscribed.replayed + 20, 10_000);
    const seqs = after.map((event) => event.seq);
    expect(seqs[0]).toBe(last + 1);
    expect(isConsecutive(seqs)).toBe(true);
    expect(after.every((event) => event.epoch === onA.subscribed.epoch)).toBe(true);
    expect(producer.running).toBe(true);
  }, 30_000);

  it('resumes a session on another node after its node was SIGKILLed, and does not hand a message resent there over again', async () => {
    const a = await start('node-a');
    const b = await start('node-b');
    const { client: onA, welcome } = await TestClient.open(a.wsUrl, TOKEN);
    clients.push(onA);
    onA.send({ type: 'message', id: 'm-1', data: { note: 'sent before the node died' } });
    await onA.next('ack', 5_000, (ack) => ack.id === 'm-1');

    await a.kill('SIGKILL');
    // The client never saw that ack (its link died with the node): it resumes elsewhere and sends the message again.
    const onB = await TestClient.connect(b.wsUrl);
    clients.push(onB);
    expect(await onB.hello(TOKEN, { session_id: welcome.session_id })).toMatchObject({ session_id: welcome.session_id, resumed: true });
    onB.send({ type: 'message', id: 'm-1', data: { note: 'sent before the node died' } });
    onB.send({ type: 'message', id: 'm-2', data: { note: 'sent after' } });
    expect([(await onB.next('ack')).id, (await onB.next('ack')).id]).toEqual(['m-1', 'm-2']);
    // node-b acknowledged the resend without handing it over: counted as a duplicate, once.
    const counted = await eventually(async () => {
      const own = (await stats(b)).nodes?.find((node) => node.node_id === 'node-b');
      return own?.heartbeat_stats.duplicate_messages === 1 ? own : undefined;
    }, 'node-b to count the resent message as a duplicate', 10_000);
    expect(counted.heartbeat_stats.duplicate_messages).toBe(1);
  }, 30_000);

  it('drops the old connection of a session resumed on another node while the first still held it', async () => {
    const a = await start('node-a');
    const b = await start('node-b');
    const { client: onA, welcome } = await TestClient.open(a.wsUrl, TOKEN);
    clients.push(onA);
    // The client reconnected through node-b before node-a noticed its old link was dead.
    const onB = await TestClient.connect(b.wsUrl);
    clients.push(onB);
    expect(await onB.hello(TOKEN, { session_id: welcome.session_id })).toMatchObject({ session_id: welcome.session_id, resumed: true });
    expect((await onA.closed).code).toBe(CloseCode.HeartbeatTimeout);
    // The session stays with node-b's connection: a message there is handed over and acknowledged.
    onB.send({ type: 'message', id: 'm-1', data: { note: 'after the takeover' } });
    expect((await onB.next('ack')).id).toBe('m-1');
  }, 30_000);

  it('answers stats for the whole cluster, marks a killed node stale, and kicks a connection held by another node', async () => {
    const a = await start('node-a');
    const b = await start('node-b');
    const c = await start('node-c');
    const { client: onA } = await TestClient.open(a.wsUrl, TOKEN);
    clients.push(onA);
    await TestClient.open(c.wsUrl, TOKEN).then(({ client }) => clients.push(client));
    const listed = await eventually(async () => {
      const cluster = await stats(b);
      return cluster.nodes?.filter((node) => !node.stale).length === 3 && cluster.heartbeat_stats.active_connections === 2 ? cluster : undefined;
    }, 'all three nodes in the stats of node-b', 10_000);
    const onAId = listed.connection_details.find((details) => details.node_id === 'node-a')!.id;

    const kicked = await fetch(`${b.url}/api/heartbeat/connections/${onAId}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(kicked.status).toBe(204);
    expect((await onA.closed).code).toBe(CloseCode.Kicked);

    await c.kill('SIGKILL');
    const afterKill = await eventually(async () => {
      const cluster = await stats(b);
      return cluster.nodes?.find((node) => node.node_id === 'node-c')?.stale ? cluster : undefined;
    }, 'node-c to be marked stale', 15_000);
    // node-c's last figures are listed but not counted: the kicked client was the only other one.
    expect(afterKill.nodes?.map((node) => [node.node_id, node.stale]).sort()).toEqual([
      ['node-a', false],
      ['node-b', false],
      ['node-c', true],
    ]);
    expect(afterKill.heartbeat_stats.active_connections).toBe(0);
    expect(afterKill.connection_details).toEqual([]);
  }, 40_000);

  // A proxy can silence the one server of REDIS_URL; a cluster's nodes reach every shard at the
  // address it announces, past any proxy. The outage handling is the same code for both.
  if (variant.name === 'REDIS_URL') {
    it('says degraded on /health and 0 in heartbeat_redis_up while Redis is silent, then recovers', async () => {
      const redis = new URL(TEST_REDIS_URL);
      proxy = await BlackholeProxy.start(Number(redis.port || 6379), redis.hostname);
      const a = await start('node-a', { REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
      const { client } = await TestClient.open(a.wsUrl, TOKEN);
      clients.push(client);

      proxy.blackhole();
      await eventually(async () => (await health(a)).status === 'degraded', '/health to say degraded', 10_000);
      expect((await health(a)).redis).toMatchObject({ status: 'down', outages: 1 });
      expect(await (await fetch(`${a.url}/metrics`)).text()).toMatch(/^heartbeat_redis_up 0$/m);
      client.send({ type: 'ping', timestamp: new Date().toISOString(), client_time: Date.now(), sequence: 1 });
      expect(await client.next('pong')).toMatchObject({ sequence: 1 });

      proxy.restore();
      await eventually(async () => (await health(a)).status === 'ok', '/health to say ok again', 15_000);
      expect((await health(a)).redis).toMatchObject({ status: 'up', outages: 1 });
    }, 40_000);
  }
});
