import { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_PROTOCOL_VIOLATIONS, parseRetryHint } from '@heartbeat/protocol';
import { probeAddressLimit } from '../lib/attacker.js';
import { ClientFleet } from '../lib/client-fleet.js';
import type { AttackCategory, AttackReport, ConnectionOutcome } from '../lib/ipc.js';
import { ScenarioBuilder, type ScenarioResult } from '../lib/report.js';
import { analyse } from '../lib/seq-analysis.js';
import { CLIENT_TOKEN, disconnectionsByCode, health, loopbackAddresses, metricSum, scrapeMetrics, sleep, startServer, topicHead } from '../lib/server.js';
import { count, max, mb, ms, sum } from '../lib/stats.js';
import { type WorkerHandle, spawnWorkers, stopAll } from '../lib/workers.js';

const FRAMES = 100_000;
const ATTACKERS = 4;
const PARALLEL = 6;
const SILENT_PER_ATTACKER = 5;
const WATCHERS = 5;
const RATE = 200;
const VIOLATIONS = DEFAULT_MAX_PROTOCOL_VIOLATIONS;
const RATE_LIMIT = { perSecond: 100, burst: 200 };
/** Connections one address may hold; the probe opens a few more from one address. */
const ADDRESS_LIMIT = 50;
const ADDRESS_PROBE = ADDRESS_LIMIT + 5;
const PROBE_ADDRESS = '127.0.200.1';

interface Expected {
  /** Error codes its error frames may carry, and how many error frames come before the close. */
  errors: readonly string[];
  errorFrames: number;
  close: number;
  answer: string;
}

/** The documented answer to each kind of bad input (docs/protocol.md §4 and §10). */
const EXPECTED: Record<AttackCategory, Expected> = {
  'invalid-json': { errors: ['invalid_json'], errorFrames: VIOLATIONS, close: 4400, answer: `${VIOLATIONS} × error invalid_json, close 4400` },
  'unknown-type': { errors: ['unknown_type'], errorFrames: VIOLATIONS, close: 4400, answer: `${VIOLATIONS} × error unknown_type, close 4400` },
  'wrong-fields': { errors: ['invalid_frame'], errorFrames: VIOLATIONS, close: 4400, answer: `${VIOLATIONS} × error invalid_frame, close 4400` },
  binary: { errors: ['binary_frame'], errorFrames: VIOLATIONS, close: 4400, answer: `${VIOLATIONS} × error binary_frame, close 4400` },
  'random-bytes': {
    errors: ['invalid_json', 'invalid_frame', 'unknown_type'],
    errorFrames: VIOLATIONS,
    close: 4400,
    answer: `${VIOLATIONS} × error invalid_json / invalid_frame, close 4400`,
  },
  'before-hello': {
    errors: ['handshake_required'],
    errorFrames: VIOLATIONS,
    close: 4400,
    answer: `${VIOLATIONS} × error handshake_required, close 4400`,
  },
  oversize: { errors: [], errorFrames: 0, close: 1009, answer: `close 1009 (frame > maxPayload ${DEFAULT_MAX_PAYLOAD_BYTES} B)` },
  'bad-token': { errors: [], errorFrames: 0, close: 4001, answer: 'close 4001' },
  flood: {
    errors: [],
    errorFrames: 0,
    close: 4429,
    answer: `acks, then close 4429 "…; retry after <n> ms" (${RATE_LIMIT.perSecond} frames/s, burst ${RATE_LIMIT.burst})`,
  },
  silent: { errors: [], errorFrames: 0, close: 4008, answer: `close 4008 after handshakeTimeout (${DEFAULT_HANDSHAKE_TIMEOUT_MS} ms)` },
};
const CATEGORIES = (Object.keys(EXPECTED) as AttackCategory[]).filter((c) => c !== 'silent');

/** Whether a connection got its category's documented answer; the reason if not. */
function judge(outcome: ConnectionOutcome): string | null {
  const expected = EXPECTED[outcome.category];
  if (outcome.closeCode !== expected.close) return `closed with ${outcome.closeCode ?? 'nothing'} (${outcome.closeReason}) instead of ${expected.close}`;
  const errorFrames = sum(Object.values(outcome.errors));
  if (errorFrames !== expected.errorFrames) return `${errorFrames} error frames instead of ${expected.errorFrames}: ${JSON.stringify(outcome.errors)}`;
  const unexpected = Object.keys(outcome.errors).filter((code) => !expected.errors.includes(code));
  if (unexpected.length) return `unexpected error codes ${unexpected.join(', ')}`;
  if (outcome.category === 'flood' && parseRetryHint(outcome.closeReason) === null) return `4429 without a retry hint: "${outcome.closeReason}"`;
  if (outcome.category === 'flood' && outcome.acks === 0) return 'no message was acknowledged before the limit';
  if (outcome.category === 'silent' && (outcome.closeAfterMs ?? Infinity) > DEFAULT_HANDSHAKE_TIMEOUT_MS + 1_500) {
    return `4008 only after ${outcome.closeAfterMs} ms`;
  }
  return null;
}

/**
 * 5. Bad input: a flood of malformed, random and oversize frames from many connections. The server
 * stays up, a watching client misses nothing, each bad connection gets its documented answer.
 */
export async function badInput(): Promise<ScenarioResult> {
  const s = new ScenarioBuilder(
    'bad-input',
    '5. Bad input',
    'the server stays up, a well-behaved client watching meanwhile misses no event, and every bad connection gets its documented answer.',
  );
  s.setup =
    `${count(FRAMES)} bad frames from ${ATTACKERS} processes (${PARALLEL} connections at a time each, bursts of 20–1000 frames per connection, ` +
    `categories ${CATEGORIES.join(', ')}) plus ${ATTACKERS * SILENT_PER_ATTACKER} silent connections; ${WATCHERS} watching clients on \`alerts\` at ALERT_RATE=${RATE}/s; ` +
    `server: maxProtocolViolations ${VIOLATIONS}, maxPayload ${DEFAULT_MAX_PAYLOAD_BYTES} B, handshakeTimeout ${DEFAULT_HANDSHAKE_TIMEOUT_MS} ms (defaults), ` +
    `rate limit ${RATE_LIMIT.perSecond} frames/s burst ${RATE_LIMIT.burst} (defaults), MAX_CONNECTIONS_PER_ADDRESS=${ADDRESS_LIMIT}, then ${ADDRESS_PROBE} connections at once from one address.`;
  const server = await startServer({
    ALERT_RATE: String(RATE),
    HEARTBEAT_PING_INTERVAL_MS: '1000',
    HEARTBEAT_INTERVAL_MS: '1000',
    HEARTBEAT_TIMEOUT_MS: '3000',
    RATE_LIMIT_PER_SECOND: String(RATE_LIMIT.perSecond),
    RATE_LIMIT_BURST: String(RATE_LIMIT.burst),
    MAX_CONNECTIONS_PER_ADDRESS: String(ADDRESS_LIMIT),
  });
  let watchers: ClientFleet | null = null;
  let attackers: WorkerHandle[] = [];
  try {
    watchers = await ClientFleet.start({
      name: 'watch',
      wsUrl: server.wsUrl,
      processes: 1,
      clientsPerProcess: WATCHERS,
      options: { pingInterval: 1_000, pongTimeout: 500, reconnectInterval: 250, maxReconnectInterval: 2_000, maxReconnectAttempts: 50 },
      addressBlock: 90,
    });
    if (!(await watchers.allConnected(10_000))) throw new Error('the watching clients did not connect');
    await sleep(500);
    attackers = await spawnWorkers('attack', ATTACKERS);
    const startedAt = Date.now();
    const reports: AttackReport[] = await Promise.all(
      attackers.map((worker, i) =>
        worker.request(
          'attack',
          {
            url: server.wsUrl,
            token: CLIENT_TOKEN,
            localAddresses: loopbackAddresses(100 + i, 8),
            frames: FRAMES / ATTACKERS,
            parallel: PARALLEL,
            silent: SILENT_PER_ATTACKER,
            maxPayload: DEFAULT_MAX_PAYLOAD_BYTES,
            categories: CATEGORIES,
            answerTimeoutMs: 3_000,
            seed: 1000 + i,
          },
          120_000,
        ),
      ),
    );
    const attackMs = Date.now() - startedAt;
    const probe = await probeAddressLimit(server.wsUrl, CLIENT_TOKEN, PROBE_ADDRESS, ADDRESS_PROBE);
    const probeRefusals = probe.closes.filter((c) => c.code === 1013 && parseRetryHint(c.reason) !== null);
    const alive = await health(server);
    const head = await topicHead(server, 'alerts');
    const settled = await watchers.caughtUp(head.epoch, head.seq, 10_000);
    const watched = await watchers.reports();
    const metrics = await scrapeMetrics(server);
    const analysis = analyse(watched, head.epoch, head.seq);

    const outcomes = reports.flatMap((r) => r.outcomes);
    const framesSent = sum(reports.map((r) => r.framesSent));
    const wrong = outcomes.map((o) => ({ o, why: judge(o) })).filter((x) => x.why !== null);
    const rows = (Object.keys(EXPECTED) as (keyof typeof EXPECTED)[]).map((category) => {
      const of = outcomes.filter((o) => o.category === category);
      const errors: Record<string, number> = {};
      const closes: Record<string, number> = {};
      for (const o of of) {
        for (const [code, n] of Object.entries(o.errors)) errors[code] = (errors[code] ?? 0) + n;
        closes[String(o.closeCode)] = (closes[String(o.closeCode)] ?? 0) + 1;
      }
      const bad = of.filter((o) => judge(o) !== null).length;
      return [
        category,
        of.length,
        count(sum(of.map((o) => o.framesSent))),
        Object.entries(errors).map(([code, n]) => `${code} ${n}`).join(', ') || '—',
        Object.entries(closes).map(([code, n]) => `${code} ×${n}`).join(', '),
        EXPECTED[category].answer,
        bad === 0 ? `all ${of.length}` : `${of.length - bad} of ${of.length}`,
      ];
    });
    rows.push([
      `${ADDRESS_PROBE} connections from one address`,
      ADDRESS_PROBE,
      ADDRESS_PROBE,
      '—',
      [`welcome ×${probe.welcomed}`, ...Object.entries(countBy(probe.closes.map((c) => c.code))).map(([code, n]) => `${code} ×${n}`)].join(', '),
      `${ADDRESS_LIMIT} welcomed, the rest: close 1013 "…; retry after ${parseRetryHint(probeRefusals[0]?.reason ?? '') ?? '<n>'} ms"`,
      probe.welcomed === ADDRESS_LIMIT && probeRefusals.length === ADDRESS_PROBE - ADDRESS_LIMIT ? 'yes' : 'NO',
    ]);
    s.table({ title: 'Answers per kind of bad input', header: ['input', 'connections', 'frames sent', 'error frames', 'closes', 'documented answer', 'as documented'], rows });
    s.figures([
      ['bad frames sent', count(framesSent)],
      ['bad connections', count(outcomes.length)],
      ['attack duration', ms(attackMs)],
      ['server up afterwards (/health)', alive ? 'yes' : 'NO'],
      ['server closes by code (/metrics)', JSON.stringify(disconnectionsByCode(metrics))],
      [
        'rate-limited / address-limited (/metrics)',
        `${metricSum(metrics, 'heartbeat_rate_limited_disconnections_total')} / ${metricSum(metrics, 'heartbeat_address_limit_rejections_total')}`,
      ],
      ['server RSS afterwards', mb(metrics.get('process_resident_memory_bytes') ?? 0)],
      ['watching clients: reconnects', sum(watched.map((r) => r.reconnectCount))],
      ['watching clients: events checked', count(analysis.eventsChecked)],
      ['watching clients: missing / duplicates', `${analysis.missing} / ${analysis.duplicates}`],
      ['slowest 4008 after open', ms(max(outcomes.filter((o) => o.category === 'silent').map((o) => o.closeAfterMs ?? Number.NaN)))],
    ]);
    s.data.figures = { probe, framesSent, attackMs, alive, outcomes: rows, wrong: wrong.slice(0, 50).map((x) => ({ ...x.o, why: x.why })), watchers: analysis };

    s.check('frames sent', framesSent >= FRAMES, `${count(framesSent)} of ${count(FRAMES)}`);
    s.check('server stayed up', alive && server.running, alive ? '/health answered 200 after the attack' : '/health did not answer');
    s.check(
      'the watching clients missed nothing',
      settled && analysis.incomplete.length === 0 && analysis.missing === 0 && analysis.duplicates === 0,
      analysis.incomplete.length === 0 ? `${WATCHERS} clients, ${count(analysis.eventsChecked)} events complete to head ${head.seq}` : analysis.incomplete.slice(0, 3).join('; '),
    );
    s.check(
      'connections per address limited',
      probe.welcomed === ADDRESS_LIMIT && probeRefusals.length === ADDRESS_PROBE - ADDRESS_LIMIT && probe.unanswered === 0,
      `${probe.welcomed} welcomed of ${ADDRESS_PROBE} from ${PROBE_ADDRESS}, ${probeRefusals.length} closed with 1013 and a retry hint (limit ${ADDRESS_LIMIT})`,
    );
    s.check(
      'each bad connection got its documented answer',
      wrong.length === 0,
      wrong.length === 0 ? `${outcomes.length} of ${outcomes.length}` : `${wrong.length} did not, e.g. ${wrong.slice(0, 3).map((x) => `${x.o.category}: ${x.why}`).join('; ')}`,
    );
  } catch (error) {
    s.fail(error);
  } finally {
    await stopAll(attackers);
    await watchers?.stop();
    await server.kill('SIGKILL');
  }
  return s.result();
}

function countBy(values: readonly (string | number)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
  return counts;
}
