import { WebSocket } from 'ws';
import type { AttackCategory, AttackReport, AttackSpec, ConnectionOutcome } from './ipc.js';

/** mulberry32: a small seeded PRNG, so a run's frames can be reproduced from its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Frame = string | Buffer;

/** Builds the frames of each category: what a broken or hostile client sends. */
class FrameFactory {
  constructor(
    private readonly random: () => number,
    private readonly maxPayload: number,
    private readonly token: string,
  ) {}

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  private int(max: number): number {
    return Math.floor(this.random() * max);
  }

  private text(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) {
      // Mostly ASCII, some multi-byte characters and JSON punctuation.
      const roll = this.random();
      out +=
        roll < 0.15 ? this.pick(['{', '}', '[', ']', '"', ':', ',', '\\']) : roll < 0.2 ? this.pick(['é', '中', '𝄞', '\u0000', '\u2028']) : String.fromCharCode(32 + this.int(95));
    }
    return out;
  }

  hello(token = this.token): string {
    return JSON.stringify({ type: 'hello', token });
  }

  frame(category: AttackCategory, index: number): Frame {
    switch (category) {
      case 'invalid-json':
        return this.pick([
          '{"type":"ping",',
          'not json at all',
          "{'type':'ping'}",
          '{"type":"pong" "sequence":1}',
          `{"type":"subscribe","topic":"alerts"${'}'.repeat(0)}`,
          this.text(1 + this.int(200)).replace(/^[[{"\d-]/, 'x'),
          '',
        ]);
      case 'unknown-type':
        return JSON.stringify({
          type: this.pick(['welcome', 'event', 'subscribed', '__proto__', 'constructor', 'toString', 'PING', 'hello ', this.text(1 + this.int(100))]),
          n: index,
        });
      case 'wrong-fields':
        return JSON.stringify(
          this.pick<Record<string, unknown>>([
            { type: 'pong', timestamp: 5, client_time: 'now', sequence: '1', ping_count: -1 },
            { type: 'ping', timestamp: new Date().toISOString(), client_time: Number.MAX_VALUE, sequence: 1.5 },
            { type: 'subscribe', topic: 123 },
            { type: 'subscribe', topic: 'x'.repeat(201) },
            { type: 'subscribe', topic: 'alerts', since: -5 },
            { type: 'message', id: 5, data: 1 },
            { type: 'message', id: 'm' },
            { type: 'unsubscribe' },
            { type: 'auth', token: '' },
            { type: 7 },
          ]),
        );
      case 'binary': {
        const bytes = Buffer.alloc(1 + this.int(256));
        for (let i = 0; i < bytes.length; i++) bytes[i] = this.int(256);
        return bytes;
      }
      case 'random-bytes': {
        // Cut at least one character short: a short message (empty data, a small index) would
        // otherwise come out whole, a valid frame, and get another answer than bad input does.
        const message = JSON.stringify({ type: 'message', id: `m${index}`, data: this.text(this.int(100)) });
        return this.pick<string>([
          this.text(1 + this.int(500)),
          JSON.stringify(this.pick<unknown>([null, 42, 'type', [1, 2, 3], true, { type: null }, { type: 5 }, { typ: 'ping' }])),
          message.slice(0, Math.min(message.length - 1, 10 + this.int(30))),
        ]);
      }
      case 'before-hello':
        return JSON.stringify(
          this.pick<Record<string, unknown>>([
            { type: 'subscribe', topic: 'alerts' },
            { type: 'ping', timestamp: new Date().toISOString(), client_time: Date.now(), sequence: index },
            { type: 'message', id: `m${index}`, data: { x: 1 } },
            { type: 'auth', token: 'whatever' },
          ]),
        );
      case 'oversize':
        return JSON.stringify({ type: 'message', id: `big${index}`, data: 'x'.repeat(this.maxPayload + 1 + this.int(64 * 1024)) });
      case 'flood':
        // No topic: the monitor server takes client messages on alerts.ack alone (docs/server.md#who-may-read-what),
        // and a message without a topic is acknowledged whatever the topic rules say.
        return JSON.stringify({ type: 'message', id: `f${index}`, data: { n: index } });
      case 'silent':
      case 'bad-token':
        return '';
    }
  }
}

/** Opens one connection, sends its category's frames and records the server's answer. */
async function attackOnce(
  spec: AttackSpec,
  factory: FrameFactory,
  category: AttackCategory,
  burst: number,
  localAddress: string,
): Promise<ConnectionOutcome> {
  const outcome: ConnectionOutcome = { category, framesSent: 0, errors: {}, closeCode: null, closeReason: '', closeAfterMs: null, acks: 0 };
  let abandoned = false;
  const socket = new WebSocket(spec.url, { localAddress, perMessageDeflate: false, maxPayload: 1024 * 1024 });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => {
    socket.on('close', (code: number, reason: Buffer) => {
      if (abandoned) return; // our own terminate() after no answer: not the server's answer
      outcome.closeCode = code;
      outcome.closeReason = reason.toString();
      resolve();
    });
  });
  let welcomed: () => void = () => undefined;
  const welcome = new Promise<void>((resolve) => (welcomed = resolve));
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) return;
    try {
      const frame = JSON.parse(data.toString()) as { type?: string; code?: string };
      if (frame.type === 'welcome') welcomed();
      else if (frame.type === 'error') outcome.errors[String(frame.code)] = (outcome.errors[String(frame.code)] ?? 0) + 1;
      else if (frame.type === 'ack') outcome.acks++;
    } catch {
      outcome.errors['<unparsable server frame>'] = (outcome.errors['<unparsable server frame>'] ?? 0) + 1;
    }
  });
  const opened = await Promise.race([
    new Promise<boolean>((resolve) => socket.once('open', () => resolve(true))),
    closed.then(() => false),
  ]);
  const startedAt = Date.now();
  if (opened) {
    if (category === 'bad-token') {
      socket.send(factory.hello(`not-the-token-${burst}`));
      outcome.framesSent++;
    } else if (category !== 'before-hello' && category !== 'silent') {
      socket.send(factory.hello());
      // A flood is of valid frames: they count once the connection is open (frames before the
      // `welcome` are protocol violations, another category).
      if (category === 'flood') await Promise.race([welcome, closed, new Promise((resolve) => setTimeout(resolve, spec.answerTimeoutMs))]);
    }
    if (category !== 'silent' && category !== 'bad-token') {
      for (let i = 0; i < burst && socket.readyState === WebSocket.OPEN; i++) {
        const frame = factory.frame(category, i);
        socket.send(frame, { binary: Buffer.isBuffer(frame) });
        outcome.framesSent++;
      }
    }
  }
  const timeout = category === 'silent' ? spec.answerTimeoutMs * 4 : spec.answerTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeout)))]);
  clearTimeout(timer);
  if (outcome.closeCode !== null) outcome.closeAfterMs = Date.now() - startedAt;
  else {
    abandoned = true;
    socket.terminate();
  }
  return outcome;
}

/** Sends `spec.frames` bad frames over many short connections, `spec.parallel` at a time. */
export async function runAttack(spec: AttackSpec): Promise<AttackReport> {
  const random = prng(spec.seed);
  const factory = new FrameFactory(random, spec.maxPayload, spec.token);
  const outcomes: ConnectionOutcome[] = [];
  let framesSent = 0;
  let next = 0;
  const address = () => spec.localAddresses[next++ % spec.localAddresses.length] as string;
  const silent = Array.from({ length: spec.silent }, () => attackOnce(spec, factory, 'silent', 0, address()).then((o) => outcomes.push(o)));
  let categoryIndex = 0;
  const lane = async () => {
    while (framesSent < spec.frames) {
      const category = spec.categories[categoryIndex++ % spec.categories.length] as AttackCategory;
      const burst =
        category === 'oversize'
          ? 3
          : category === 'bad-token'
            ? 1
            : category === 'flood'
              ? 400 + Math.floor(random() * 600) // always well over the rate limit's burst, even past the budget
              : // Never cut to the frames left: a last burst shorter than maxProtocolViolations would
                // (rightly) get no 4400, and the scenario would count the server's answer as wrong.
                20 + Math.floor(random() * 980);
      framesSent += burst; // reserved up front so the lanes stop at the total
      const outcome = await attackOnce(spec, factory, category, burst, address());
      framesSent += outcome.framesSent - burst;
      outcomes.push(outcome);
    }
  };
  await Promise.all([...Array.from({ length: spec.parallel }, lane), ...silent]);
  return { pid: process.pid, framesSent: outcomes.reduce((total, o) => total + o.framesSent, 0), outcomes };
}

export interface AddressProbe {
  welcomed: number;
  closes: { code: number; reason: string }[];
  unanswered: number;
}

/**
 * Opens `count` connections at once from one source address and says how many were welcomed and
 * how the others were closed (the per-address connection limit).
 */
export async function probeAddressLimit(url: string, token: string, localAddress: string, count: number): Promise<AddressProbe> {
  const result: AddressProbe = { welcomed: 0, closes: [], unanswered: 0 };
  const sockets: WebSocket[] = [];
  await Promise.all(
    Array.from({ length: count }, () => {
      const socket = new WebSocket(url, { localAddress, perMessageDeflate: false });
      sockets.push(socket);
      socket.on('error', () => undefined);
      return new Promise<void>((resolve) => {
        let settled = false;
        const settle = (record: () => void) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          record();
          resolve();
        };
        const timer = setTimeout(() => settle(() => result.unanswered++), 5_000);
        socket.on('open', () => socket.send(JSON.stringify({ type: 'hello', token })));
        socket.on('message', (data: Buffer) => {
          if ((JSON.parse(data.toString()) as { type?: string }).type === 'welcome') settle(() => result.welcomed++);
        });
        socket.on('close', (code: number, reason: Buffer) => settle(() => result.closes.push({ code, reason: reason.toString() })));
      });
    }),
  );
  for (const socket of sockets) socket.terminate();
  return result;
}
