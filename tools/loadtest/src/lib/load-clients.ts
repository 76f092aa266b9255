/**
 * One connection of a load, whatever the client library: a HeartbeatClient, a bare `ws` socket or
 * a Socket.IO client. Each reports what happens to it through the same hooks, so the worker counts
 * the three the same way.
 */
import { HeartbeatClient, type WebSocketConstructor, withNodeDiagnostics } from '@heartbeat/client';
import { backoffDelay, parseServerFrame } from '@heartbeat/protocol';
import { io } from 'socket.io-client';
import { type RawData, WebSocket } from 'ws';
import type { OpenSpec } from './worker-api.js';

export interface LoadClientHooks {
  established(at: number): void;
  lost(at: number, code: number): void;
  /** An attempt started at `startedAt` ended before its handshake completed. */
  failed(startedAt: number, reason: string): void;
  /** A message of the load (a topic event, a broadcast). */
  message(): void;
  /** A Heartbeat topic event, with what the stream check needs. */
  event?(epoch: string, seq: number, timestamp: string): void;
  gap?(): void;
}

export interface LoadClient {
  readonly connected: boolean;
  /** Connected, and the server answered the subscription to the topic (`ws` and Socket.IO subscribe nothing on the server: once connected). */
  readonly subscribed: boolean;
  /** The client stopped trying (a Heartbeat client after 4001 twice, 4003 or 4400). */
  readonly gaveUp: boolean;
  start(): void;
  /** Drops the connection (without a close handshake where the library allows); false if it is not connected. */
  cut(): boolean;
  stop(): void;
}

/** How every `subscribed` frame's text starts: encodeFrame writes `type` first. */
const SUBSCRIBED_FRAME_START = Buffer.from('{"type":"subscribed"');

/** Compares the first bytes only: `indexOf` would search a whole frame that does not start with them. */
function startsWith(data: Buffer, prefix: Buffer): boolean {
  return data.length >= prefix.length && data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

export function createLoadClient(spec: OpenSpec, localAddress: string, hooks: LoadClientHooks): LoadClient {
  switch (spec.kind) {
    case 'heartbeat':
      return new HeartbeatLoadClient(spec, localAddress, hooks);
    case 'ws':
      return new WsLoadClient(spec, localAddress, hooks);
    case 'socketio':
      return new SocketIoLoadClient(spec, localAddress, hooks);
  }
}

class HeartbeatLoadClient implements LoadClient {
  private readonly client: HeartbeatClient;
  private socket: WebSocket | null = null;
  /** The socket on which the server answered the topic's subscription. */
  private subscribedSocket: WebSocket | null = null;
  /** The attempt in progress: marked done once `welcome` arrives. */
  private attempt = { done: false };

  constructor(spec: OpenSpec, localAddress: string, hooks: LoadClientHooks) {
    // The client creates its sockets itself: this class gives them their source address and lets the
    // load client see each attempt (to count the ones that fail before `welcome`).
    const current = (socket: WebSocket, attempt: { done: boolean }) => {
      this.socket = socket;
      this.attempt = attempt;
    };
    const subscribedOn = (socket: WebSocket) => {
      this.subscribedSocket = socket;
    };
    // A function that `new` calls, returning a plain ws socket: a class declared here, once per
    // client, would give every socket a prototype of its own, and V8 would see as many shapes as
    // there are clients wherever ws reads its sockets (docs/benchmarks.md#seventh-pass-the-benchmarks-own-client-2026-12-06:
    // about a fifth of a Heartbeat client's CPU per ping in the benchmark, not the client's own).
    const webSocket = function LoadWebSocket(url: string): WebSocket {
      const socket = new WebSocket(url, { localAddress, perMessageDeflate: false });
      const attempt = { done: false };
      const startedAt = Date.now();
      current(socket, attempt);
      let stage = 'before the upgrade';
      socket.once('upgrade', () => (stage = 'after the upgrade, before welcome'));
      socket.once('error', (error: Error) => (stage = `${stage}: ${error.message}`));
      socket.once('close', (code: number) => {
        if (!attempt.done) hooks.failed(startedAt, `closed with ${code} ${stage}`);
      });
      // The client does not say when the server answered a subscription: read it off the wire,
      // until it came (a fan-out must not start before a node delivers the topic to this socket).
      // Only a frame that starts as a `subscribed` one is parsed (the server writes `type` first):
      // the watch is the benchmark's, not the client's, and its CPU counts as the clients'.
      const watch = (data: RawData) => {
        if (Buffer.isBuffer(data) && !startsWith(data, SUBSCRIBED_FRAME_START)) return;
        const parsed = parseServerFrame(String(data));
        if (!parsed.ok || parsed.frame.type !== 'subscribed' || parsed.frame.topic !== spec.topic) return;
        socket.off('message', watch);
        subscribedOn(socket);
      };
      socket.on('message', watch);
      return socket;
    } as unknown as WebSocketConstructor;
    this.client = new HeartbeatClient({
      url: spec.url,
      token: spec.token,
      webSocket,
      clientInfo: { name: 'loadtest', version: '1' },
      // A failed first connection names its cause from what ws reports (docs/client.md#features).
      features: [withNodeDiagnostics()],
      ...spec.heartbeat,
      ...spec.reconnect,
      // A load keeps retrying: the fast schedule does not run out.
      maxReconnectAttempts: 1_000_000,
    });
    this.client.on('connection_established', ({ at }) => {
      this.attempt.done = true;
      hooks.established(at);
    });
    this.client.on('connection_lost', ({ at, code }) => hooks.lost(at, code));
    this.client.on('gap', () => hooks.gap?.());
    this.client.subscribe(spec.topic).subscribe((event) => {
      hooks.message();
      hooks.event?.(event.epoch, event.seq, event.timestamp);
    });
  }

  get connected(): boolean {
    return this.client.state.phase === 'connected';
  }

  get subscribed(): boolean {
    return this.connected && this.subscribedSocket === this.socket;
  }

  get gaveUp(): boolean {
    return this.client.state.phase === 'failed';
  }

  start(): void {
    // Failed attempts are counted by the socket class; the client keeps retrying on its own.
    this.client.connect().catch(() => undefined);
  }

  cut(): boolean {
    if (!this.connected || !this.socket) return false;
    this.socket.terminate();
    return true;
  }

  stop(): void {
    this.client.destroy();
  }
}

/**
 * A bare `ws` client: `ws` answers the server's pings by itself; each message is parsed as JSON;
 * reconnects on the Heartbeat schedule.
 */
class WsLoadClient implements LoadClient {
  private socket: WebSocket | null = null;
  private retries = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly spec: OpenSpec,
    private readonly localAddress: string,
    private readonly hooks: LoadClientHooks,
  ) {}

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  get subscribed(): boolean {
    return this.connected;
  }

  readonly gaveUp = false;

  start(): void {
    const startedAt = Date.now();
    let opened = false;
    const socket = new WebSocket(this.spec.url, { localAddress: this.localAddress, perMessageDeflate: false, handshakeTimeout: this.spec.reconnect.connectTimeout });
    this.socket = socket;
    socket.on('open', () => {
      opened = true;
      this.retries = 0;
      this.hooks.established(Date.now());
    });
    // Decoded as any application decodes its messages (the Heartbeat and Socket.IO clients decode theirs).
    socket.on('message', (data: RawData) => {
      JSON.parse(String(data));
      this.hooks.message();
    });
    let failure = '';
    socket.on('error', (error: Error) => (failure = `: ${error.message}`));
    socket.on('close', (code: number) => {
      if (opened) this.hooks.lost(Date.now(), code);
      else this.hooks.failed(startedAt, `closed with ${code} before open${failure}`);
      if (this.stopped) return;
      this.timer = setTimeout(() => this.start(), backoffDelay(this.retries++, this.spec.reconnect));
    });
  }

  cut(): boolean {
    if (!this.connected) return false;
    this.socket?.terminate();
    return true;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.terminate();
  }
}

/** Socket.IO's `disconnect` reasons as the close codes the other clients report. */
const SOCKET_IO_CLOSE_CODES: Readonly<Record<string, number>> = { 'io server disconnect': 1000, 'io client disconnect': 1000, 'server shutting down': 1001 };

class SocketIoLoadClient implements LoadClient {
  private readonly socket: ReturnType<typeof io>;
  private attemptAt = Date.now();

  constructor(spec: OpenSpec, localAddress: string, hooks: LoadClientHooks) {
    const options: Parameters<typeof io>[1] & { localAddress: string } = {
      transports: ['websocket'],
      forceNew: true,
      autoConnect: false,
      reconnectionAttempts: Infinity,
      reconnectionDelay: spec.reconnect.reconnectInterval,
      reconnectionDelayMax: spec.reconnect.maxReconnectInterval,
      randomizationFactor: spec.reconnect.jitter,
      timeout: spec.reconnect.connectTimeout,
      // Passed through to the `ws` socket underneath (engine.io-client picks it from its options).
      localAddress,
    };
    this.socket = io(spec.url, options);
    this.socket.io.on('reconnect_attempt', () => {
      this.attemptAt = Date.now();
    });
    this.socket.on('connect', () => hooks.established(Date.now()));
    this.socket.on('disconnect', (reason) => hooks.lost(Date.now(), SOCKET_IO_CLOSE_CODES[reason] ?? 1006));
    this.socket.on('connect_error', (error) => hooks.failed(this.attemptAt, error.message));
    this.socket.on(spec.topic, () => hooks.message());
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  get subscribed(): boolean {
    return this.connected;
  }

  readonly gaveUp = false;

  start(): void {
    this.attemptAt = Date.now();
    this.socket.connect();
  }

  cut(): boolean {
    if (!this.connected) return false;
    // Socket.IO hides its socket; closing the engine ends the transport under the socket, which
    // then reconnects as after a network loss (though the server sees a close, not silence).
    this.socket.io.engine.close();
    return true;
  }

  stop(): void {
    this.socket.disconnect();
  }
}
