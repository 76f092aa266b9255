import { encodeFrame, parseServerFrame, type ClientFrame, type ServerFrame } from '@heartbeat/protocol';
import { ConnectionFailure } from './connection-failure.js';
import { SOCKET_CLOSING, SOCKET_OPEN, type WebSocketConstructor, type WebSocketLike } from './web-socket-like.js';

export interface SocketConnectionHandlers {
  open(): void;
  frame(frame: ServerFrame): void;
  invalidFrame(detail: string): void;
  closed(code: number, reason: string, wasClean: boolean, opening: SocketOpening): void;
}

/** How far the socket got before it closed, to tell a failed upgrade from a closed connection. */
export interface SocketOpening {
  readonly opened: boolean;
  /** The socket's last `error` event (ws: an ErrorEvent with the cause; a browser: an empty Event), or null. */
  readonly errorEvent: unknown;
}

type Listener = (event: never) => void;
/** The overloads of WebSocketLike seen as one signature, to attach listeners in a loop. */
type ListenerTarget = {
  addEventListener(type: string, listener: Listener): void;
  removeEventListener(type: string, listener: Listener): void;
};

/**
 * One WebSocket connection from creation to close: the transport only, not the server session it
 * carries (that one outlives it, docs/protocol.md#resume). After `close()` (or the socket's own
 * close) it reports nothing more and holds no listener, so a replaced socket can never touch the
 * client's state.
 */
export class SocketConnection {
  readonly #socket: WebSocketLike;
  readonly #listeners: [type: 'open' | 'message' | 'close', listener: Listener][];
  #done = false;
  #hasOpened = false;
  #errorEvent: unknown = null;

  constructor(WebSocketImpl: WebSocketConstructor, url: string, handlers: SocketConnectionHandlers) {
    try {
      this.#socket = new WebSocketImpl(url);
    } catch (error) {
      throw ConnectionFailure.socketCreate(error);
    }
    const onMessage = (event: { data: unknown }) => {
      if (this.#done) return;
      const parsed = parseServerFrame(event.data);
      if (parsed.ok) handlers.frame(parsed.frame);
      else handlers.invalidFrame(parsed.error.message);
    };
    const onClose = (event: { code: number; reason: string; wasClean: boolean }) => {
      if (this.#done) return;
      this.#release();
      handlers.closed(event.code, event.reason, event.wasClean, { opened: this.#hasOpened, errorEvent: this.#errorEvent });
    };
    const onOpen = () => {
      this.#hasOpened = true;
      if (!this.#done) handlers.open();
    };
    this.#listeners = [
      ['open', onOpen],
      ['message', onMessage as Listener],
      ['close', onClose as Listener],
    ];
    for (const [type, listener] of this.#listeners) (this.#socket as unknown as ListenerTarget).addEventListener(type, listener);
    // Errors are always followed by a close event, which carries the code; the error is kept for it,
    // as the only place ws names why an upgrade failed. An implementation built on an EventEmitter
    // (ws) throws on an 'error' nobody listens to, so this listener stays attached.
    this.#socket.addEventListener('error', (event) => {
      this.#errorEvent = event;
    });
  }

  /** The socket opened (the upgrade succeeded); false until then. */
  get opened(): boolean {
    return this.#hasOpened;
  }

  /** Sends a frame if the socket is open; false otherwise (nothing is queued). */
  send(frame: ClientFrame): boolean {
    return this.sendText(encodeFrame(frame));
  }

  /** Sends a frame encoded already (a message kept in the outbox); false if the socket is not open. */
  sendText(text: string): boolean {
    if (this.#done || this.#socket.readyState !== SOCKET_OPEN) return false;
    this.#socket.send(text);
    return true;
  }

  /**
   * Closes the socket and stops reporting. With `abandon`, a peer that is already known to be dead
   * gets no closing handshake to wait for: `terminate()` where the implementation has it (ws).
   */
  close(code = 1000, reason = '', abandon = false): void {
    if (this.#done) return;
    this.#release();
    const socket = this.#socket as WebSocketLike & { terminate?: () => void };
    if (socket.readyState >= SOCKET_CLOSING) return; // closing or closed already
    try {
      if (abandon && typeof socket.terminate === 'function') socket.terminate();
      else socket.close(code, reason);
    } catch {
      // An implementation may refuse a close in some state; the socket is dropped either way.
    }
  }

  #release(): void {
    this.#done = true;
    for (const [type, listener] of this.#listeners) (this.#socket as unknown as ListenerTarget).removeEventListener(type, listener);
  }
}
