import { OutboxMessages } from './feature.messages.js';
import { HeartbeatSendError } from './heartbeat-send-error.js';

/** Bounds of the outbox: everything sent with `send()` and not yet acknowledged counts. */
export interface OutboxLimits {
  /** Messages waiting or in flight. Default 1000. */
  readonly maxMessages: number;
  /** UTF-8 bytes of their encoded frames. Default 1 MiB. */
  readonly maxBytes: number;
}

/**
 * Messages written and not yet acknowledged, at most. A reconnect that flushed a full outbox at
 * once would be a burst of up to 1000 frames and trip the server's rate limit (default burst 200,
 * 4429); acks pace the rest instead, one round trip per window.
 */
export const MAX_MESSAGES_IN_FLIGHT = 64;

export const DEFAULT_OUTBOX_LIMITS: Readonly<OutboxLimits> = Object.freeze({ maxMessages: 1000, maxBytes: 1_048_576 });

interface OutboxEntry {
  readonly text: string;
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  /** Written to the current connection; false while it waits for one. */
  sent: boolean;
}

/**
 * Client → server messages from `send()` until the server's `ack`: in send order, each with its id
 * and encoded frame fixed at `send()` time. Queued messages go out on `flush()`; messages in flight
 * when a connection ends go back to waiting (`requeue()`) and are written again, with the same id
 * and text, on the next connection. Bounded by count and bytes: a message that does not fit is
 * refused at once, never dropped later.
 */
export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();
  private totalBytes = 0;

  constructor(private readonly limits: OutboxLimits = DEFAULT_OUTBOX_LIMITS) {}

  /** Messages not yet acknowledged, waiting or in flight. */
  get size(): number {
    return this.entries.size;
  }

  /** UTF-8 bytes of the messages not yet acknowledged. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Messages waiting for a connection (not written to the current one). */
  get waiting(): number {
    let count = 0;
    for (const entry of this.entries.values()) if (!entry.sent) count += 1;
    return count;
  }

  /** Takes a message; the promise settles on its ack, or rejects at once when it does not fit. */
  add(id: string, text: string): Promise<void> {
    const bytes = utf8Length(text);
    const { maxMessages, maxBytes } = this.limits;
    if (bytes > maxBytes) return Promise.reject(new HeartbeatSendError('too-large', OutboxMessages.messageTooLarge(bytes, maxBytes)));
    if (this.entries.size >= maxMessages) {
      return Promise.reject(new HeartbeatSendError('outbox-full', OutboxMessages.outboxFullMessages(this.entries.size, maxMessages)));
    }
    if (this.totalBytes + bytes > maxBytes) {
      return Promise.reject(new HeartbeatSendError('outbox-full', OutboxMessages.outboxFullBytes(this.totalBytes, bytes, maxBytes)));
    }
    return new Promise<void>((resolve, reject) => {
      this.entries.set(id, { text, bytes, resolve, reject, sent: false });
      this.totalBytes += bytes;
    });
  }

  /**
   * Writes the waiting messages in send order with `write` while fewer than
   * MAX_MESSAGES_IN_FLIGHT are unacknowledged, until it refuses one (the socket is no longer
   * open): that one and those after it keep waiting. Returns how many were written.
   */
  flush(write: (text: string) => boolean): number {
    let inFlight = this.size - this.waiting;
    let written = 0;
    for (const entry of this.entries.values()) {
      if (inFlight >= MAX_MESSAGES_IN_FLIGHT) break;
      if (entry.sent) continue;
      if (!write(entry.text)) break;
      entry.sent = true;
      inFlight += 1;
      written += 1;
    }
    return written;
  }

  /** The server acknowledged `id`: its promise resolves. False for an unknown or repeated id. */
  ack(id: string): boolean {
    const entry = this.take(id);
    entry?.resolve();
    return entry !== undefined;
  }

  /** The server refused `id`: its promise rejects. False for an unknown id. */
  fail(id: string, error: Error): boolean {
    const entry = this.take(id);
    entry?.reject(error);
    return entry !== undefined;
  }

  /** The connection ended: messages in flight wait again, ahead of the rest, in send order. */
  requeue(): number {
    let requeued = 0;
    for (const entry of this.entries.values()) {
      if (!entry.sent) continue;
      entry.sent = false;
      requeued += 1;
    }
    return requeued;
  }

  /** Rejects every message not yet acknowledged (disconnect(), destroy()). */
  rejectAll(error: Error): void {
    const all = [...this.entries.values()];
    this.entries.clear();
    this.totalBytes = 0;
    for (const entry of all) entry.reject(error);
  }

  private take(id: string): OutboxEntry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    this.totalBytes -= entry.bytes;
    return entry;
  }
}

/** Bytes of `text` in UTF-8, without encoding it (a lone surrogate counts 3, as TextEncoder writes U+FFFD). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}
