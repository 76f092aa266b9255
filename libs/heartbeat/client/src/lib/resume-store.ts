import { isCounter, isText, MAX_ID_LENGTH, MAX_TOPIC_LENGTH } from '@heartbeat/protocol';
import { SYSTEM_CLOCK, type ClientClock, type TimerHandle } from './client-clock.js';
import * as ClientMessages from './client.messages.js';
import { ResumeMessages } from './feature.messages.js';
import type { HeartbeatLogger } from './client-options.js';

/** The part of the Web Storage API the client uses (`sessionStorage`, `localStorage`, or your own). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Where the client is in one topic: the last `seq` it delivered, in `epoch`. */
export interface TopicPosition {
  readonly epoch: string;
  readonly seq: number;
}

/** What a page reload needs to resume: the session to name in `hello`, and a position per topic. */
export interface ResumeState {
  readonly sessionId: string | null;
  readonly topics: Readonly<Record<string, TopicPosition>>;
}

/** Storage keys are this prefix followed by the resolved server URL. */
export const RESUME_KEY_PREFIX = 'heartbeat:resume:';
/** At most one storage write per this many ms, however many events arrive. */
export const RESUME_WRITE_INTERVAL_MS = 1000;

const FORMAT_VERSION = 1;

/**
 * Keeps the resume state in a Storage so that a reloaded page resumes its session and topics.
 * Writes are throttled: the first change after a quiet second is written at once, later ones at
 * most once per RESUME_WRITE_INTERVAL_MS; `flush()` writes a pending change now (connection lost,
 * disconnect, page hidden). Nothing is ever thrown: a storage that fails or holds something
 * unreadable only costs the resume, and says so in the debug log.
 */
export class ResumeStore {
  private timer: TimerHandle | null = null;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private pending = false;

  constructor(
    private readonly storage: StorageLike | null,
    readonly key: string,
    private readonly snapshot: () => ResumeState,
    private readonly log: HeartbeatLogger,
    private readonly clock: ClientClock = SYSTEM_CLOCK,
  ) {}

  /** The saved state, or null when there is none or it cannot be used. */
  load(): ResumeState | null {
    if (!this.storage) return null;
    let text: string | null;
    try {
      text = this.storage.getItem(this.key);
    } catch (error) {
      this.log(ResumeMessages.storageFailed('read', ClientMessages.errorText(error)));
      return null;
    }
    if (text === null) return null;
    const parsed = parseResumeState(text);
    if (typeof parsed === 'string') {
      this.log(ResumeMessages.storedResumeIgnored(this.key, parsed));
      return null;
    }
    return parsed;
  }

  /** The state changed: written now if the last write is a second old, else once that second is over. */
  changed(): void {
    if (!this.storage) return;
    this.pending = true;
    if (this.timer !== null) return;
    const wait = this.lastWriteAt + RESUME_WRITE_INTERVAL_MS - this.clock.now();
    if (wait <= 0) this.write();
    else this.timer = this.clock.setTimeout(() => this.write(), wait);
  }

  /** Writes a pending change at once and releases the timer. */
  flush(): void {
    if (this.pending) this.write();
  }

  private write(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.pending = false;
    this.lastWriteAt = this.clock.now();
    const { sessionId, topics } = this.snapshot();
    try {
      this.storage?.setItem(this.key, JSON.stringify({ v: FORMAT_VERSION, session_id: sessionId, topics }));
    } catch (error) {
      this.log(ResumeMessages.storageFailed('save', ClientMessages.errorText(error)));
    }
  }
}

/** The saved state read back, or what is wrong with it. */
export function parseResumeState(text: string): ResumeState | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'it is not JSON';
  }
  if (!isRecord(value)) return 'it is not an object';
  if (value['v'] !== FORMAT_VERSION) return `its format version is ${JSON.stringify(value['v'])}, not ${FORMAT_VERSION}`;
  const sessionId = value['session_id'];
  if (sessionId !== null && !isText(sessionId, 1, MAX_ID_LENGTH)) return `session_id is not a string of 1 to ${MAX_ID_LENGTH} characters`;
  const topics = value['topics'];
  if (!isRecord(topics)) return 'topics is not an object';
  const positions: Record<string, TopicPosition> = {};
  for (const [topic, position] of Object.entries(topics)) {
    if (!isText(topic, 1, MAX_TOPIC_LENGTH)) return `a topic name is not 1 to ${MAX_TOPIC_LENGTH} characters`;
    if (!isRecord(position) || !isText(position['epoch'], 1, MAX_ID_LENGTH) || !isCounter(position['seq'])) {
      return `the position of topic "${topic}" is not {epoch, seq}`;
    }
    positions[topic] = { epoch: position['epoch'], seq: position['seq'] };
  }
  return { sessionId, topics: positions };
}

/** The default storage: the browser's sessionStorage (per tab, gone with it); none in Node or where it is blocked. */
export function defaultResumeStorage(globals: { window?: { sessionStorage?: StorageLike } } = globalThis as never): StorageLike | null {
  try {
    // Only a page's: Node may have a process-wide sessionStorage of its own, which is not a tab's.
    return globals.window?.sessionStorage ?? null;
  } catch {
    // Reading sessionStorage throws where storage is blocked (sandboxed frames, some privacy modes).
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
