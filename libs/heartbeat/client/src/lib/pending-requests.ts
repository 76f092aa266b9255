import { encodeFrame, topicNameProblem, type RequestFrame } from '@heartbeat/protocol';
import type { ClientClock, TimerHandle } from './client-clock.js';
import type { HeartbeatRequestOptions } from './client-options.js';
import * as ClientMessages from './client.messages.js';
import { RequestMessages } from './feature.messages.js';
import { HeartbeatClientOptionsError, isRequestTimeout } from './resolve-client-options.js';
import { HeartbeatRequestError } from './heartbeat-request-error.js';
import { requestId } from './message-id.js';


interface PendingRequest {
  readonly topic: string;
  readonly text: string;
  readonly resolve: (data: unknown) => void;
  readonly reject: (error: HeartbeatRequestError) => void;
  readonly timer: TimerHandle;
  /** Written to the current connection; false while it waits for one. */
  sent: boolean;
}

/**
 * `request()` calls until their `result` or `error` (docs/client.md#requests). Each waits at most
 * its timeout, from the call: first for a connection (it is written after the next welcome), then
 * for the answer. Unlike `send()` messages, a request in flight is never written again: when the
 * connection ends before the answer it fails with `connection_lost`, since the handler may have run.
 */
export class PendingRequests {
  private readonly entries = new Map<string, PendingRequest>();
  private count = 0;
  /** Set by rejectAll() (destroy()): every later call rejects at once. */
  private closedWith: string | null = null;

  /**
   * `idPrefix` is this client's (message-id.ts): request ids never repeat a message id. `write`
   * writes a frame to the open connection; false when there is none (the request then waits for the
   * next welcome).
   */
  constructor(
    private readonly options: { readonly clock: ClientClock; readonly requestTimeout: number },
    private readonly idPrefix: string,
    private readonly write: (text: string) => boolean,
  ) {}

  /**
   * `request()`: checks the topic, the data and the timeout before anything is sent (a mistake
   * rejects at once), then writes the frame now when connected, or after the next welcome.
   */
  call(topic: string, data: unknown, options: HeartbeatRequestOptions = {}): Promise<unknown> {
    if (this.closedWith !== null) return Promise.reject(new HeartbeatRequestError('destroyed', this.closedWith));
    const timeout = options.timeout ?? this.options.requestTimeout;
    if (!isRequestTimeout(timeout)) return Promise.reject(new HeartbeatClientOptionsError(RequestMessages.requestTimeoutInvalid(options.timeout)));
    const problem = topicNameProblem(topic);
    if (problem !== undefined) return Promise.reject(new HeartbeatRequestError('invalid_topic', ClientMessages.topicInvalid(problem)));
    this.count += 1;
    const id = requestId(this.idPrefix, this.count);
    let text: string;
    try {
      text = encodeFrame({ type: 'request', id, topic, data } satisfies RequestFrame);
    } catch (error) {
      return Promise.reject(new HeartbeatRequestError('invalid_data', RequestMessages.requestDataNotJson(String(error))));
    }
    const answer = this.add(id, topic, text, timeout);
    this.flush(this.write);
    return answer;
  }

  /** Requests waiting for a connection or for their answer. */
  get size(): number {
    return this.entries.size;
  }

  /** Takes a request; the promise settles with its answer, or rejects after `timeoutMs`. */
  private add(id: string, topic: string, text: string, timeoutMs: number): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const timer = this.options.clock.setTimeout(() => {
        const entry = this.take(id);
        entry?.reject(new HeartbeatRequestError('timeout', RequestMessages.requestTimedOut(topic, timeoutMs, entry.sent)));
      }, timeoutMs);
      this.entries.set(id, { topic, text, resolve, reject, timer, sent: false });
    });
  }

  /** Writes the requests waiting for a connection, in call order, until `write` refuses one. */
  flush(write: (text: string) => boolean): void {
    for (const entry of this.entries.values()) {
      if (entry.sent) continue;
      if (!write(entry.text)) return;
      entry.sent = true;
    }
  }

  /** The handler's return value arrived: the request resolves. False for an unknown or repeated id. */
  result(id: string, data: unknown): boolean {
    const entry = this.take(id);
    entry?.resolve(data);
    return entry !== undefined;
  }

  /** The server answered the request with an `error`: it rejects with the server's code. False for an unknown id. */
  fail(id: string, code: string, message: string, details: unknown): boolean {
    const entry = this.take(id);
    entry?.reject(new HeartbeatRequestError(code, RequestMessages.requestRefused(entry.topic, code, message), details));
    return entry !== undefined;
  }

  /** The connection ended: requests in flight fail (their handler may or may not have run); the others keep waiting. */
  connectionLost(): void {
    for (const [id, entry] of [...this.entries]) {
      if (!entry.sent) continue;
      this.take(id);
      entry.reject(new HeartbeatRequestError('connection_lost', RequestMessages.requestConnectionLost(entry.topic)));
    }
  }

  /** destroy(): rejects every request not yet answered with `pending`, and every later call with `later`. */
  close(pending: string, later: string): void {
    this.closedWith = later;
    for (const id of [...this.entries.keys()]) this.take(id)?.reject(new HeartbeatRequestError('destroyed', pending));
  }

  private take(id: string): PendingRequest | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    this.options.clock.clearTimeout(entry.timer);
    return entry;
  }
}
