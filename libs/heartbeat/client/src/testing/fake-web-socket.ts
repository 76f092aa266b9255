import type { ClientFrame, ServerFrame, WelcomeFrame } from '@heartbeat/protocol';
import type { WebSocketConstructor, WebSocketLike } from '../lib/web-socket-like.js';

type Listener = (event: never) => void;

/**
 * An in-memory WebSocket for unit tests of the client's logic under fake timers: the test plays
 * the server (open, frames, close) and reads what the client sent. Integration tests use real
 * sockets against the real server instead.
 */
export class FakeWebSocket implements WebSocketLike {
  readyState = 0;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  terminated = false;
  readonly createdAt = Date.now();
  private readonly listeners = new Map<string, Set<Listener>>();
  private acked = 0;

  constructor(readonly url: string) {}

  addEventListener(type: string, listener: Listener): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)?.add(listener);
  }

  removeEventListener(type: string, listener: Listener): void {
    this.listeners.get(type)?.delete(listener);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('FakeWebSocket: send() while not open');
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 2;
  }

  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }

  /** Listeners still attached for `type` ('error' keeps one no-op by design). */
  listenerCount(type: string): number {
    return this.listeners.get(type)?.size ?? 0;
  }

  /** The frames the client sent, decoded, optionally of one type. */
  frames<T extends ClientFrame['type']>(type?: T): Extract<ClientFrame, { type: T }>[] {
    return this.sent.map((text) => JSON.parse(text) as ClientFrame).filter((f) => !type || f.type === type) as never;
  }

  serverOpen(): void {
    this.readyState = 1;
    this.dispatch('open', {});
  }

  serverSend(frame: ServerFrame | string): void {
    this.dispatch('message', { data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  /** Accepts the hello; `extra` sets other welcome fields (`resumed`, `token_expires_at`, `server_time`). */
  serverWelcome(sessionId = 'session-1', extra: Partial<Omit<WelcomeFrame, 'type'>> = {}): void {
    this.serverSend({
      type: 'welcome',
      session_id: sessionId,
      resumed: false,
      heartbeat: { ping_interval: 25_000, heartbeat_timeout: 90_000, max_missed_pings: 3 },
      server_time: Date.now(),
      ...extra,
    });
  }

  /** Acknowledges every `message` the client sent so far that is not acknowledged yet. */
  serverAckAll(): void {
    for (const { id } of this.frames('message').slice(this.acked)) this.serverSend({ type: 'ack', id });
    this.acked = this.frames('message').length;
  }

  /**
   * The socket reports an error, as it does before the close of a failed upgrade. No argument: a
   * browser's empty Event; with `error`: what ws's ErrorEvent carries (the Error, with its `code`).
   */
  serverError(error?: Error & { code?: string }): void {
    this.dispatch('error', error ? { type: 'error', error, message: error.message } : { type: 'error' });
  }

  /** The server (or the network) closes the socket. */
  serverClose(code: number, reason = '', wasClean = code !== 1006): void {
    this.readyState = 3;
    this.dispatch('close', { code, reason, wasClean });
  }

  private dispatch(type: string, event: object): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) (listener as (event: object) => void)(event);
  }
}

/** A WebSocket constructor whose instances the test can reach, in creation order. */
export function fakeWebSocketFactory(): { WebSocket: WebSocketConstructor; sockets: FakeWebSocket[]; last(): FakeWebSocket } {
  const sockets: FakeWebSocket[] = [];
  class TrackedFakeWebSocket extends FakeWebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return {
    WebSocket: TrackedFakeWebSocket,
    sockets,
    last: () => {
      const socket = sockets.at(-1);
      if (!socket) throw new Error('No socket was created yet.');
      return socket;
    },
  };
}
