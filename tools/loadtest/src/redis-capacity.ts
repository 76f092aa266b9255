/**
 * `npm run bench:redis`: what Redis spends on each operation of Heartbeat (CPU and memory), for the
 * capacity plan of docs/scaling.md#capacity-plan. Monitor servers run as child processes on one
 * Redis, each phase does one kind of operation a known number of times, and Redis's own CPU time
 * (INFO cpu) and memory (INFO memory) are read before and after it. Prints the table and writes it
 * into docs/benchmarks.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MonitorServerProcess, TEST_REDIS_URL, TestClient, deleteRedisKeys, eventually, requireRedis, sleep } from '@heartbeat/testing';
import { Redis } from 'ioredis';
import { runCli } from './lib/cli-main.js';
import { type OptionSchema, cliHelp, parseCliOptions } from './lib/cli-options.js';
import { machineDescription, machineLoad } from './lib/machine.js';
import { upsertSection } from './lib/markdown-section.js';
import { type RedisCost, type RedisReading, costOf, redisCostTable } from './redis-capacity/redis-cost.js';
import { renderMarkdownTable, renderTextTable } from './lib/text-table.js';

const DOCS = fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url));
const DOCS_HEADING = '## Redis per operation (capacity plan)';
const TOKEN = 'redis-capacity';

const USAGE = [
  'Usage: npm run bench:redis [-- options]',
  '',
  'Two monitor servers (node-a, node-b) on the Redis of TEST_REDIS_URL (default redis://127.0.0.1:6379), under a key',
  'prefix of the run, deleted afterwards. Phases, each measured by Redis\'s own CPU time (INFO cpu, user + sys) less',
  'what the idle nodes cost it in the same time, and by its used_memory:',
  '  idle       the two nodes with no client: stats reports, presence and health checks;',
  '  publish    a third node publishes --rate alerts a second for --window seconds, one subscriber on each of node-a and node-b;',
  '  Pub/Sub    2,000 messages of 300 bytes to a channel 50 connections listen to (the delivery to each node watching a topic);',
  '  hello      --sessions clients say hello to node-a (a new session each);',
  '  message    each sends 5 messages (the session\'s message-id window);',
  '  close      all close (their sessions wait to be resumed);',
  '  resume     all say hello to node-b with their session_id;',
  '  keep-alive node-b writes its attached sessions again (every sessionTtl / 3: the nodes run with a 30 s sessionTtl).',
  'Needs the built monitor server (npx nx run monitor-server:build). About a minute and a half.',
];

const OPTIONS = {
  sessions: { kind: 'number', integer: true, min: 10, default: 2_000, description: 'Clients (sessions) of the session phases.' },
  rate: { kind: 'number', integer: true, min: 1, max: 10_000, default: 1_000, description: 'Alerts published a second in the publish phase.' },
  window: { kind: 'number', min: 1, default: 10, placeholder: 'S', description: 'Seconds of the idle and publish phases.' },
  docs: { kind: 'flag', default: true, description: 'Write the table to docs/benchmarks.md.' },
} as const satisfies OptionSchema;

type Settings = ReturnType<typeof parse>;

function parse(argv: readonly string[]) {
  const options = parseCliOptions(argv, OPTIONS);
  return { help: options.help, sessions: options.sessions, rate: options.rate, windowMs: options.window * 1000, writeDocs: options.docs };
}

const MESSAGES_PER_SESSION = 5;
/** sessionTtl of the nodes (their REPLAY_MAX_AGE_MS): a keep-alive every 10 s. */
const SESSION_TTL_MS = 30_000;
/** Connections listening to one channel, as nodes watching one topic do, and the messages published to it. */
const PUBSUB_LISTENERS = 50;
const PUBSUB_MESSAGES = 2_000;
/** Two keep-alives of every attached session. */
const KEEP_ALIVE_WINDOW_MS = 20_000;

async function reading(redis: Redis): Promise<RedisReading> {
  const [cpu, memory] = await Promise.all([redis.info('cpu'), redis.info('memory')]);
  const field = (text: string, name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(text)?.[1] ?? NaN);
  return { at: Date.now(), cpuSeconds: field(cpu, 'used_cpu_user') + field(cpu, 'used_cpu_sys'), usedMemory: field(memory, 'used_memory') };
}

async function run(settings: Settings): Promise<number> {
  await requireRedis();
  const command = `npm run bench:redis${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const startedAt = new Date();
  console.log(`${command}\n${machineDescription()}; ${machineLoad()}\n`);
  const prefix = `capacity-${process.pid}-${Date.now().toString(36)}:`;
  const redis = new Redis(TEST_REDIS_URL);
  const servers: MonitorServerProcess[] = [];
  const clients: TestClient[] = [];
  const start = async (nodeId: string, env: Record<string, string> = {}) => {
    const server = await MonitorServerProcess.start({ CLIENT_TOKENS: TOKEN, ALERT_RATE: '0', MAX_CONNECTIONS_PER_ADDRESS: '0', REPLAY_MAX_AGE_MS: String(SESSION_TTL_MS), REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, NODE_ID: nodeId, ...env });
    servers.push(server);
    return server;
  };
  const costs: RedisCost[] = [];
  try {
    const [a, b] = [await start('node-a'), await start('node-b')];
    await sleep(2_000);
    const idleScriptsFrom = await scriptCalls(redis);
    let before = await reading(redis);
    await sleep(settings.windowMs);
    const idle = costOf('idle', 1, before, await reading(redis));
    const idleScripts = (await scriptCalls(redis)) - idleScriptsFrom;
    const idleCpuPerMs = idle.cpuSeconds / idle.elapsedMs;
    costs.push(idle);
    const phase = async (name: string, operations: number, work: () => Promise<void>) => {
      const first = await reading(redis);
      await work();
      const cost = costOf(name, operations, first, await reading(redis), idleCpuPerMs);
      costs.push(cost);
      console.log(`${name}: ${operations.toLocaleString('en-US')} operations`);
      return cost;
    };

    for (const server of [a, b]) {
      const { client } = await TestClient.open(server.wsUrl, TOKEN);
      clients.push(client);
      client.send({ type: 'subscribe', topic: 'alerts' });
      await client.next('subscribed');
    }
    const head = async () => Number((await redis.hget(`${prefix}topic:{alerts}`, 'seq')) ?? 0);
    const producer = await start('producer', { ALERT_RATE: String(settings.rate) });
    await eventually(async () => (await head()) > 0, 'the first alert', 10_000);
    before = await reading(redis);
    const fromSeq = await head();
    await sleep(settings.windowMs);
    const published = (await head()) - fromSeq;
    costs.push(costOf('publish (an alert of about 300 bytes, two nodes watching)', published, before, await reading(redis), idleCpuPerMs));
    await producer.kill();
    const streamBytes = Number(await redis.call('MEMORY', 'USAGE', `${prefix}stream:{alerts}`, 'SAMPLES', '0'));
    const streamLength = await redis.xlen(`${prefix}stream:{alerts}`);

    const sessionClients: { client: TestClient; sessionId: string }[] = [];
    await phase('hello: a new session', settings.sessions, async () => {
      for (let i = 0; i < settings.sessions; i++) {
        const { client, welcome } = await TestClient.open(a.wsUrl, TOKEN);
        sessionClients.push({ client, sessionId: welcome.session_id });
      }
      await redis.ping();
    });
    await phase('message: remember its id', settings.sessions * MESSAGES_PER_SESSION, async () => {
      await Promise.all(
        sessionClients.map(async ({ client }, i) => {
          for (let m = 0; m < MESSAGES_PER_SESSION; m++) client.send({ type: 'message', id: `m-${i}-${m}`, data: { n: m } });
          for (let m = 0; m < MESSAGES_PER_SESSION; m++) await client.next('ack', 30_000);
        }),
      );
    });
    await phase('close: the session waits to be resumed', settings.sessions, async () => {
      await Promise.all(sessionClients.map(({ client }) => client.close()));
      // node-a's detach scripts follow its close handshakes.
      await sleep(1_000);
    });
    await phase('resume on another node: claim', settings.sessions, async () => {
      for (const { sessionId } of sessionClients) {
        const client = await TestClient.connect(b.wsUrl);
        clients.push(client);
        const welcome = await client.hello(TOKEN, { session_id: sessionId });
        if (!welcome.resumed) throw new Error(`Session ${sessionId} was not resumed on node-b: the session phases measured something else.`);
      }
    });
    // The clients now on node-b keep their sessions attached there: node-b writes them again every
    // sessionTtl / 3 (10 s here). Counted by Redis's script calls, less the idle nodes' own.
    const idleScriptsPerMs = idleScripts / idle.elapsedMs;
    const keepFrom = await reading(redis);
    const scriptsFrom = await scriptCalls(redis);
    await sleep(KEEP_ALIVE_WINDOW_MS);
    const keepTo = await reading(redis);
    const keeps = Math.round((await scriptCalls(redis)) - scriptsFrom - idleScriptsPerMs * (keepTo.at - keepFrom.at));
    costs.push(costOf('keep-alive of an attached session', keeps, keepFrom, keepTo, idleCpuPerMs));

    // A topic's live events reach every node watching it: one Pub/Sub delivery each.
    const listeners = await Promise.all(Array.from({ length: PUBSUB_LISTENERS }, () => listener(`${prefix}fan-out`)));
    const received = () => listeners.reduce((sum, entry) => sum + entry.received, 0);
    await phase(`Pub/Sub: one delivery of 300 bytes to one of ${PUBSUB_LISTENERS} listening nodes`, PUBSUB_MESSAGES * PUBSUB_LISTENERS, async () => {
      const payload = 'x'.repeat(300);
      for (let i = 0; i < PUBSUB_MESSAGES; i += 100) await Promise.all(Array.from({ length: 100 }, () => redis.publish(`${prefix}fan-out`, payload)));
      await eventually(async () => received() === PUBSUB_MESSAGES * PUBSUB_LISTENERS, 'every listener to have every message', 30_000);
    });
    for (const entry of listeners) entry.connection.disconnect();

    const sessionKeys = await scanCount(redis, `${prefix}session:*`);
    const messageKeys = await scanCount(redis, `${prefix}messages:*`);
    const sessionBytes = await sampledBytes(redis, `${prefix}session:*`);
    const messageBytes = await sampledBytes(redis, `${prefix}messages:*`);

    const rows = redisCostTable(costs);
    const memory = [
      `Memory: a session's hash ${Math.round(sessionBytes)} bytes (MEMORY USAGE, ${sessionKeys.toLocaleString('en-US')} sessions), its set of ${MESSAGES_PER_SESSION} message ids ${Math.round(messageBytes)} bytes (${messageKeys.toLocaleString('en-US')} sets);`,
      `a topic's replay stream ${Math.round(streamBytes / Math.max(streamLength, 1))} bytes per event (${streamLength.toLocaleString('en-US')} events kept).`,
    ].join(' ');
    console.log(`\n${renderTextTable(rows)}\n\n${memory}`);
    if (settings.writeDocs) {
      const setup = [
        `Command: \`${command}\`, ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; ${machineDescription()}; Redis ${await redisVersion(redis)} on the same machine.`,
        'Two monitor servers on one Redis; each phase does one kind of operation, and the table divides the CPU time Redis spent meanwhile (INFO cpu, user + sys,',
        'less what the idle nodes cost it in the same time) by the operations. "per core" is what one shard could take at 100 % of its one core; plan for half.',
      ].join(' ');
      writeFileSync(DOCS, upsertSection(readFileSync(DOCS, 'utf8'), DOCS_HEADING, `${setup}\n\n${renderMarkdownTable(rows)}\n\n${memory}`));
      console.log(`Written to ${DOCS}`);
    }
    return 0;
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all(servers.map((server) => (server.running ? server.kill() : undefined)));
    await deleteRedisKeys(prefix);
    redis.disconnect();
  }
}

/** A connection subscribed to `channel`, counting what it receives. */
async function listener(channel: string): Promise<{ connection: Redis; received: number }> {
  const entry = { connection: new Redis(TEST_REDIS_URL), received: 0 };
  entry.connection.on('message', () => entry.received++);
  await entry.connection.subscribe(channel);
  return entry;
}

/** Scripts Redis ran (EVALSHA calls): every write of Heartbeat to Redis is one. */
async function scriptCalls(redis: Redis): Promise<number> {
  return Number(/^cmdstat_evalsha:calls=(\d+)/m.exec(await redis.info('commandstats'))?.[1] ?? 0);
}

async function scanCount(redis: Redis, pattern: string): Promise<number> {
  let [cursor, count] = ['0', 0];
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    count += keys.length;
    cursor = next;
  } while (cursor !== '0');
  return count;
}

/** The mean MEMORY USAGE of up to 200 keys of the pattern. */
async function sampledBytes(redis: Redis, pattern: string): Promise<number> {
  const [, keys] = await redis.scan('0', 'MATCH', pattern, 'COUNT', 1000);
  const sample = keys.slice(0, 200);
  const sizes = await Promise.all(sample.map((key) => redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0') as Promise<number>));
  return sizes.reduce((sum, size) => sum + Number(size), 0) / Math.max(sample.length, 1);
}

async function redisVersion(redis: Redis): Promise<string> {
  return /redis_version:([\d.]+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
}

runCli({ parse, help: cliHelp(USAGE, OPTIONS), run });
