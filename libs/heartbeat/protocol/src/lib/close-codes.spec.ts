import { CLOSE_CODE_TABLE, CloseCode, type CloseReaction, closeCodeInfo, formatRetryHint, parseRetryHint } from './close-codes.js';

/** docs/protocol.md, Close codes: every code and the client's reaction to it, but for the two below. */
const SPEC_TABLE: ReadonlyArray<readonly [number, CloseReaction]> = [
  [1000, 'stay-closed'],
  [1001, 'reconnect-jittered'],
  [1012, 'reconnect-jittered'],
  [1006, 'reconnect'],
  [1011, 'reconnect'],
  [4000, 'reconnect'],
  [1013, 'reconnect-after-longest-backoff'],
  [4429, 'reconnect-after-longest-backoff'],
  [4001, 'refresh-token'],
  [4003, 'stay-closed-error'],
  [4008, 'reconnect'],
  [4400, 'stay-closed-error'],
];

/**
 * Closes for limits the server enforces, kept apart from the table above: oversize frames (1009), and
 * a reader too slow for the send buffer's high-water mark (4009, issue 4's backpressure).
 */
const EXTRA_CODES: ReadonlyArray<readonly [number, CloseReaction]> = [
  [1009, 'reconnect'],
  [4009, 'reconnect'],
];

const REACTIONS: readonly CloseReaction[] = [
  'stay-closed',
  'stay-closed-error',
  'reconnect',
  'reconnect-jittered',
  'reconnect-after-longest-backoff',
  'refresh-token',
];

describe('CloseCode', () => {
  it('names every code the protocol uses', () => {
    expect(CloseCode).toEqual({
      Normal: 1000,
      GoingAway: 1001,
      Abnormal: 1006,
      MessageTooBig: 1009,
      InternalError: 1011,
      ServiceRestart: 1012,
      TryAgainLater: 1013,
      HeartbeatTimeout: 4000,
      Unauthorized: 4001,
      Kicked: 4003,
      HandshakeTimeout: 4008,
      SlowConsumer: 4009,
      ProtocolViolation: 4400,
      RateLimited: 4429,
    });
  });

  it('uses application codes (4000-4999) only for Heartbeat-specific closes', () => {
    const appCodes = Object.values(CloseCode).filter((code) => code >= 4000);

    expect(appCodes.every((code) => code <= 4999)).toBe(true);
    expect(appCodes.sort((a, b) => a - b)).toEqual([4000, 4001, 4003, 4008, 4009, 4400, 4429]);
  });
});

describe('CLOSE_CODE_TABLE', () => {
  it.each(SPEC_TABLE)('maps %p to the documented reaction %p', (code, reaction) => {
    expect(CLOSE_CODE_TABLE.get(code)?.reaction).toBe(reaction);
  });

  it('holds exactly the documented close codes, 1009 and 4009 included', () => {
    const expected = [...SPEC_TABLE, ...EXTRA_CODES].map(([code]) => code).sort((a, b) => a - b);

    expect([...CLOSE_CODE_TABLE.keys()].sort((a, b) => a - b)).toEqual(expected);
  });

  it('has an entry for every named CloseCode', () => {
    for (const code of Object.values(CloseCode)) {
      expect(CLOSE_CODE_TABLE.has(code)).toBe(true);
    }
  });

  it('lets the client reconnect after 1009 (message too big)', () => {
    expect(CLOSE_CODE_TABLE.get(CloseCode.MessageTooBig)?.reaction).toBe('reconnect');
  });

  it('keys each entry by its own code, with a meaning and a known reaction', () => {
    for (const [code, entry] of CLOSE_CODE_TABLE) {
      expect(entry.code).toBe(code);
      expect(entry.meaning.length).toBeGreaterThan(0);
      expect(REACTIONS).toContain(entry.reaction);
    }
  });

  it('stays closed only for a normal close, a kick and a protocol violation', () => {
    const stayClosed = [...CLOSE_CODE_TABLE.values()]
      .filter((entry) => entry.reaction.startsWith('stay-closed'))
      .map((entry) => entry.code)
      .sort((a, b) => a - b);

    expect(stayClosed).toEqual([1000, 4003, 4400]);
  });

  it('reports an error status (stay-closed-error) for 4003 and 4400 but not for 1000', () => {
    expect(CLOSE_CODE_TABLE.get(4003)?.reaction).toBe('stay-closed-error');
    expect(CLOSE_CODE_TABLE.get(4400)?.reaction).toBe('stay-closed-error');
    expect(CLOSE_CODE_TABLE.get(1000)?.reaction).toBe('stay-closed');
  });
});

describe('closeCodeInfo', () => {
  it.each(SPEC_TABLE)('gives %p the documented reaction %p', (code, reaction) => {
    expect(closeCodeInfo(code)).toMatchObject({ code, reaction });
  });

  it('returns the table entry itself for a known code', () => {
    for (const [code, entry] of CLOSE_CODE_TABLE) {
      expect(closeCodeInfo(code)).toBe(entry);
    }
  });

  it('describes the heartbeat timeout, unauthorized and handshake timeout codes', () => {
    expect(closeCodeInfo(4000).meaning).toMatch(/heartbeat/i);
    expect(closeCodeInfo(4001).meaning).toMatch(/token/i);
    expect(closeCodeInfo(4008).meaning).toMatch(/hello/i);
  });

  it.each([1002, 1003, 1005, 1007, 1008, 1010, 1014, 1015, 3000, 3999, 4002, 4004, 4401, 4999, 0, -1, 65_535])(
    'treats unknown code %p as abnormal: reconnect with backoff',
    (code) => {
      const entry = closeCodeInfo(code);

      expect(entry.code).toBe(code);
      expect(entry.reaction).toBe('reconnect');
      expect(entry.meaning).toContain(String(code));
    },
  );

  it('does not add unknown codes to the table', () => {
    const size = CLOSE_CODE_TABLE.size;

    closeCodeInfo(4777);

    expect(CLOSE_CODE_TABLE.has(4777)).toBe(false);
    expect(CLOSE_CODE_TABLE.size).toBe(size);
  });

  it('does not throw for non-integer codes and reconnects', () => {
    expect(closeCodeInfo(Number.NaN).reaction).toBe('reconnect');
    expect(closeCodeInfo(1000.5).reaction).toBe('reconnect');
  });
});

describe('formatRetryHint', () => {
  it('appends the delay in whole milliseconds, rounded up', () => {
    expect(formatRetryHint('rate limited', 1234.2)).toBe('rate limited; retry after 1235 ms');
  });

  it('never hints a negative delay', () => {
    expect(formatRetryHint('busy', -5)).toBe('busy; retry after 0 ms');
  });
});

describe('parseRetryHint', () => {
  it('reads back what formatRetryHint wrote', () => {
    expect(parseRetryHint(formatRetryHint('rate limited: 51 messages in 1 s', 5000))).toBe(5000);
  });

  it.each(['', 'rate limited', 'retry after soon', 'retry after -5 ms'])('gives null for %p', (reason) => {
    expect(parseRetryHint(reason)).toBeNull();
  });
});
