import { parseClientFrame } from './frame-codec.js';
import { readPongBytes } from './pong-bytes.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A pong as HeartbeatClient writes it (heartbeat-client.ts: the object below, JSON.stringify). */
const clientPong = (fields: Partial<Record<'timestamp' | 'client_time' | 'sequence' | 'ping_count', unknown>> = {}): string =>
  JSON.stringify({ type: 'pong', timestamp: '2026-12-05T04:00:00.000Z', client_time: 1_796_000_000_123, sequence: 12, ping_count: 12, ...fields });

/** What parseClientFrame gives for `text`, with the fields readPongBytes reads (its timestamp is checked, not kept). */
function parsedReading(text: string) {
  const parsed = parseClientFrame(text);
  if (!parsed.ok || parsed.frame.type !== 'pong') return parsed;
  const { client_time, sequence, ping_count } = parsed.frame;
  return { ok: true, frame: { client_time, sequence, ping_count } };
}

/** Fails unless readPongBytes gives either nothing or a valid pong's fields exactly as parseClientFrame gives them for the same text. */
function expectParity(text: string): void {
  const fast = readPongBytes(utf8(text));
  if (fast === undefined) return;
  expect(parsedReading(text)).toEqual({ ok: true, frame: fast });
  expect(Object.keys(fast)).toEqual(['client_time', 'sequence', 'ping_count']);
}

describe('readPongBytes', () => {
  it('reads the pong HeartbeatClient writes as parseClientFrame does, its timestamp checked but not kept', () => {
    for (const fields of [{}, { sequence: 0, ping_count: 0 }, { sequence: 999_999_999_999_999 }, { timestamp: '' }, { client_time: 0 }]) {
      const text = clientPong(fields);
      expect({ ok: true, frame: readPongBytes(utf8(text)) }).toEqual(parsedReading(text));
    }
  });

  it('leaves every other shape to parseClientFrame', () => {
    const others = [
      clientPong({ client_time: 1.5 }),
      clientPong({ client_time: -1 }),
      clientPong({ sequence: 1e21 }),
      clientPong({ sequence: 1_000_000_000_000_000 }),
      clientPong({ timestamp: 'é' }),
      clientPong({ timestamp: 'a"b' }),
      clientPong({ timestamp: 'x'.repeat(65) }),
      clientPong({ sequence: '12' }),
      clientPong().replace('{"type"', '{ "type"'),
      clientPong().replace('"sequence":12', '"sequence":012'),
      `${clientPong()} `,
      clientPong().slice(0, -1),
      JSON.stringify({ type: 'pong', sequence: 12, timestamp: 't', client_time: 1, ping_count: 1 }),
      JSON.stringify({ type: 'ping', timestamp: 't', client_time: 1 }),
      JSON.stringify({ type: 'pong', timestamp: 't', client_time: 1, sequence: 1, ping_count: 1, extra: true }),
      '',
    ];
    for (const text of others) expect(readPongBytes(utf8(text))).toBeUndefined();
  });

  it('never disagrees with parseClientFrame on any one-byte change of a pong', () => {
    const base = clientPong();
    // Every position replaced by characters that matter to JSON: quotes, escapes, digits, signs, structure.
    const replacements = ['"', '\\', '0', '9', '-', '.', 'e', ' ', '}', ',', ':', '\u0001', 'é', 'a'];
    let checked = 0;
    for (let at = 0; at < base.length; at++) {
      for (const replacement of replacements) {
        expectParity(base.slice(0, at) + replacement + base.slice(at + 1));
        expectParity(base.slice(0, at) + base.slice(at + 1));
        checked += 2;
      }
    }
    expect(checked).toBeGreaterThan(2_000);
  });
});
