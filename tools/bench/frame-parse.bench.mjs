// Cost of decoding the hottest frame (a client's pong): parseClientFrame, which checks it by hand
// (hot-frames.ts), against JSON.parse plus the frame's zod schema, which it agrees with.
// Run: npm run bench:frames   (builds @heartbeat/protocol first)
import { clientFrameSchemas, parseClientFrame } from '@heartbeat/protocol';
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';

const ITERATIONS = 500_000;
const ROUNDS = 7;
const pong = JSON.stringify({ type: 'pong', timestamp: '2024-01-01T12:00:00.000Z', client_time: 1704110400000, sequence: 123, ping_count: 10 });
const badPong = JSON.stringify({ type: 'pong', timestamp: '2024-01-01T12:00:00.000Z', client_time: 1704110400000, sequence: '123', ping_count: 10 });
const schemaParse = (text) => clientFrameSchemas.pong.safeParse(JSON.parse(text));

function measure(fn, input) {
  const samples = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < ITERATIONS; i++) fn(input);
    samples.push(Number(process.hrtime.bigint() - start) / 1000 / ITERATIONS);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(ROUNDS / 2)];
}

const rows = [
  ['JSON.parse only (floor)', measure(JSON.parse, pong)],
  ['parseClientFrame, valid pong (hand check)', measure(parseClientFrame, pong)],
  ['JSON.parse + zod schema, valid pong', measure(schemaParse, pong)],
  ['parseClientFrame, invalid pong (falls back to the schema for the message)', measure(parseClientFrame, badPong)],
];
const hot = rows[1][1];
const table = [
  '| parse | µs per frame | ratio to parseClientFrame |',
  '|---|---:|---:|',
  ...rows.map(([name, us]) => `| ${name} | ${us.toFixed(3)} | ${(us / hot).toFixed(2)}× |`),
].join('\n');
console.log(table);

const section = `## Frame validation (ping/pong path)

Command: \`npm run bench:frames\` — median of ${ROUNDS} rounds × ${ITERATIONS.toLocaleString('en')} parses,
Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores).

${table}

The zod schema costs ${(rows[2][1] - hot).toFixed(3)} µs more per valid pong than the hand check (here, hot in cache; under load,
with 19,000 connections' state around it, profiles show about twice that plus the garbage of its result
objects). Invalid frames still go through the schema, for its error message.

`;
const file = new URL('../../docs/benchmarks.md', import.meta.url);
const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nEach section is written by the tool named in it; rerun the command to refresh it.\n\n';
const start = current.indexOf('## Frame validation');
const end = start < 0 ? -1 : current.indexOf('\n## ', start + 1);
const next = start < 0 ? `${current.trimEnd()}\n\n${section}` : `${current.slice(0, start)}${section}${end < 0 ? '' : current.slice(end + 1)}`;
writeFileSync(file, next);
console.log(`written to docs/benchmarks.md`);
