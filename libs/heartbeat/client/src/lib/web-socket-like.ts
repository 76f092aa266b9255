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

/** WebSocket readyState values (the same in every implementation). */
export const SocketReadyState = { Connecting: 0, Open: 1, Closing: 2, Closed: 3 } as const;
