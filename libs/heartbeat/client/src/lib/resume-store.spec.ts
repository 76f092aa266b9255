import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { MAX_ID_LENGTH, MAX_TOPIC_LENGTH } from '@heartbeat/protocol';
import {
  defaultResumeStorage,
  parseResumeState,
  RESUME_WRITE_INTERVAL_MS,
  ResumeStore,
  type ResumeState,
  type StorageLike,
} from './resume-store.js';

const KEY = 'heartbeat:resume:ws://server.test/ws';

/** A Storage in memory that counts writes and can be made to fail. */
function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  let failing: Error | null = null;
  const storage: StorageLike & { writes: number } = {
    writes: 0,
    getItem: (key) => {
      if (failing) throw failing;
      return items.get(key) ?? null;
    },
    setItem: (key, value) => {
      if (failing) throw failing;
      storage.writes += 1;
      items.set(key, value);
    },
  };
  return { storage, items, fail: (error: Error) => (failing = error) };
}

function setup(initial: Record<string, string> = {}) {
  const memory = memoryStorage(initial);
  let state: ResumeState = { sessionId: 's-1', topics: { alerts: { epoch: 'e1', seq: 1 } } };
  const lines: string[] = [];
  const store = new ResumeStore(memory.storage, KEY, () => state, (line) => lines.push(line));
  return {
    store,
    memory,
    lines,
    set: (next: ResumeState) => (state = next),
    saved: () => JSON.parse(memory.items.get(KEY) ?? 'null') as unknown,
  };
}

describe('ResumeStore', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  describe('#load', () => {
    it('reads back what it saved', () => {
      const first = setup();
      first.store.changed();

      const second = new ResumeStore(first.memory.storage, KEY, () => ({ sessionId: null, topics: {} }), () => undefined);

      expect(second.load()).toEqual({ sessionId: 's-1', topics: { alerts: { epoch: 'e1', seq: 1 } } });
    });

    it('returns null when nothing was saved under its key', () => {
      const { store } = setup({ 'heartbeat:resume:ws://other.test/ws': '{"v":1,"session_id":"x","topics":{}}' });

      expect(store.load()).toBeNull();
    });

    it.each([
      ['not JSON', '{"v":1,', 'it is not JSON'],
      ['another format version', '{"v":2,"session_id":"s","topics":{}}', 'its format version is 2, not 1'],
      ['a bad position', '{"v":1,"session_id":"s","topics":{"alerts":{"epoch":"e1","seq":-1}}}', 'the position of topic "alerts" is not {epoch, seq}'],
    ])('ignores %s with a debug line and returns null', (_, text, problem) => {
      const { store, lines } = setup({ [KEY]: text });

      expect(store.load()).toBeNull();
      expect(lines).toEqual([`Ignored the saved resume state under "${KEY}": ${problem}.`]);
    });

    it('returns null with a debug line when the storage throws', () => {
      const { store, memory, lines } = setup();
      memory.fail(new Error('SecurityError'));

      expect(store.load()).toBeNull();
      expect(lines).toEqual(['Could not read the resume state in storage (SecurityError); resuming after a reload may not work.']);
    });

    it('returns null without a storage', () => {
      expect(new ResumeStore(null, KEY, () => ({ sessionId: null, topics: {} }), () => undefined).load()).toBeNull();
    });
  });

  describe('#changed', () => {
    it('writes the first change at once, in the saved format', () => {
      const { store, saved } = setup();

      store.changed();

      expect(saved()).toEqual({ v: 1, session_id: 's-1', topics: { alerts: { epoch: 'e1', seq: 1 } } });
      expect(jest.getTimerCount()).toBe(0);
    });

    it('writes at most once per RESUME_WRITE_INTERVAL_MS (1 s) however many events arrive, the latest state last', async () => {
      const { store, memory, set, saved } = setup();
      // 200 events a second for 3 seconds.
      for (let seq = 1; seq <= 600; seq++) {
        set({ sessionId: 's-1', topics: { alerts: { epoch: 'e1', seq } } });
        store.changed();
        await jest.advanceTimersByTimeAsync(5);
      }
      await jest.advanceTimersByTimeAsync(RESUME_WRITE_INTERVAL_MS);

      expect(RESUME_WRITE_INTERVAL_MS).toBe(1000);
      // At 0 ms (the first change), then at 1000, 2000 and 3000 ms.
      expect(memory.storage.writes).toBe(4);
      expect(saved()).toMatchObject({ topics: { alerts: { seq: 600 } } });
      expect(jest.getTimerCount()).toBe(0);
    });

    it('writes a change made within the interval once the interval is over', async () => {
      const { store, memory, set, saved } = setup();
      store.changed();
      set({ sessionId: 's-1', topics: { alerts: { epoch: 'e1', seq: 2 } } });
      store.changed();

      await jest.advanceTimersByTimeAsync(999);
      expect(memory.storage.writes).toBe(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(memory.storage.writes).toBe(2);
      expect(saved()).toMatchObject({ topics: { alerts: { seq: 2 } } });
    });

    it('logs a storage that refuses the write (quota) instead of throwing', () => {
      const { store, memory, lines } = setup();
      memory.fail(new Error('QuotaExceededError'));

      expect(() => store.changed()).not.toThrow();
      expect(lines).toEqual(['Could not save the resume state in storage (QuotaExceededError); resuming after a reload may not work.']);
    });
  });

  describe('#flush', () => {
    it('writes a pending change at once and releases its timer', () => {
      const { store, memory, set, saved } = setup();
      store.changed();
      set({ sessionId: 's-2', topics: {} });
      store.changed();
      expect(jest.getTimerCount()).toBe(1);

      store.flush();

      expect(memory.storage.writes).toBe(2);
      expect(saved()).toEqual({ v: 1, session_id: 's-2', topics: {} });
      expect(jest.getTimerCount()).toBe(0);
    });

    it('writes nothing when nothing changed since the last write', () => {
      const { store, memory } = setup();
      store.changed();

      store.flush();
      store.flush();

      expect(memory.storage.writes).toBe(1);
    });
  });
});

describe('parseResumeState', () => {
  it('accepts a state without a session', () => {
    expect(parseResumeState('{"v":1,"session_id":null,"topics":{}}')).toEqual({ sessionId: null, topics: {} });
  });

  it.each([
    ['null', 'it is not an object'],
    ['[1]', 'it is not an object'],
    ['{"v":1,"session_id":"","topics":{}}', 'session_id is not a string of 1 to 128 characters'],
    ['{"v":1,"session_id":"s","topics":[]}', 'topics is not an object'],
    ['{"v":1,"session_id":"s","topics":{"alerts":{"epoch":"","seq":1}}}', 'the position of topic "alerts" is not {epoch, seq}'],
    ['{"v":1,"session_id":"s","topics":{"alerts":{"epoch":"e","seq":1.5}}}', 'the position of topic "alerts" is not {epoch, seq}'],
  ])('refuses %s: %s', (text, problem) => {
    expect(parseResumeState(text)).toBe(problem);
  });

  it("holds the session id, topic names and epochs to the protocol's limits (docs/protocol.md#2-frame-conventions)", () => {
    const state = (sessionId: string, topic: string, epoch: string) => JSON.stringify({ v: 1, session_id: sessionId, topics: { [topic]: { epoch, seq: 1 } } });
    const [id, topic] = ['s'.repeat(MAX_ID_LENGTH), 't'.repeat(MAX_TOPIC_LENGTH)];

    expect(parseResumeState(state(id, topic, id))).toEqual({ sessionId: id, topics: { [topic]: { epoch: id, seq: 1 } } });
    expect(parseResumeState(state(`${id}s`, 'alerts', 'e1'))).toBe(`session_id is not a string of 1 to ${MAX_ID_LENGTH} characters`);
    expect(parseResumeState(state('s', `${topic}t`, 'e1'))).toBe(`a topic name is not 1 to ${MAX_TOPIC_LENGTH} characters`);
    expect(parseResumeState(state('s', 'alerts', `${id}e`))).toBe('the position of topic "alerts" is not {epoch, seq}');
  });
});

describe('defaultResumeStorage', () => {
  it("is the page's sessionStorage in a browser", () => {
    const { storage } = memoryStorage();

    expect(defaultResumeStorage({ window: { sessionStorage: storage } })).toBe(storage);
  });

  it('is none outside a browser', () => {
    expect(defaultResumeStorage({})).toBeNull();
  });

  it('is none where reading sessionStorage throws (blocked storage)', () => {
    const window = Object.defineProperty({}, 'sessionStorage', {
      get: () => {
        throw new Error('SecurityError');
      },
    });

    expect(defaultResumeStorage({ window })).toBeNull();
  });
});
