/**
 * The part of the WHATWG WebSocket the client uses. The browser's `WebSocket` and the `ws`
 * package's `WebSocket` both satisfy it, so the client runs unchanged in browsers and in Node.
 */
export interface WebSocketLike {
  readonly readyState: number;
  readonly bufferedAmount?: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'error', listener: (event: unknown) => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string; wasClean: boolean }) => void): void;
  removeEventListener(type: 'open' | 'error', listener: (event: unknown) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'close', listener: (event: { code: number; reason: string; wasClean: boolean }) => void): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

// WebSocket readyState values (the same in every implementation), as plain constants of a module that
// imports nothing, which a bundler writes in where they are used (CONNECTING is 0, CLOSED 3).
export const SOCKET_OPEN = 1;
export const SOCKET_CLOSING = 2;
