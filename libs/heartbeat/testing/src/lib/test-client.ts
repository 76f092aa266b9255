import type { ClientFrame, HelloFrame, ServerFrame, ServerFrameOf, ServerFrameType, WelcomeFrame } from '@heartbeat/protocol';
import { WebSocket } from 'ws';

export interface Closed {
  code: number;
  reason: string;
}

export interface TestClientOptions {
  /** Answer every server ping with a pong (default true). */
  autoPong?: boolean;
  headers?: Record<string, string>;
  localAddress?: string;
}

/** A raw ws client that records every frame, for tests that talk the wire protocol directly. */
export class TestClient {
  readonly frames: ServerFrame[] = [];
  readonly closed: Promise<Closed>;
  /** Times (Date.now()) at which server pings arrived. */
  readonly pingTimes: number[] = [];
  autoPong: boolean;
  /** Pongs sent in answer to server pings. */
  pongsSent = 0;
  /** When (Date.now()) the close arrived, once it did. */
  closedAt: number | undefined;
  /** When (Date.now()) this client last sent a frame, if it sent any. */
  lastSentAt: number | undefined;
  private pingsReceived = 0;
  private waiters: { accept: (frame: ServerFrame) => boolean; resolve: (frame: ServerFrame) => void }[] = [];

  private constructor(
    readonly socket: WebSocket,
    options: TestClientOptions,
  ) {
    this.autoPong = options.autoPong ?? true;
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        this.closedAt = Date.now();
        resolve({ code, reason: reason.toString() });
      });
    });
    socket.on('error', () => undefined);
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = JSON.parse(data.toString()) as ServerFrame;
      if (frame.type === 'ping') this.onPing(frame);
      this.frames.push(frame);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.accept(frame)) return true;
        waiter.resolve(frame);
        return false;
      });
    });
  }

  static connect(url: string, options: TestClientOptions = {}): Promise<TestClient> {
    const socket = new WebSocket(url, { headers: options.headers, localAddress: options.localAddress });
    const client = new TestClient(socket, options);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`upgrade refused with HTTP ${response.statusCode}`)),
      );
    });
  }

  /** Connects and completes the handshake. */
  static async open(url: string, token?: string, options: TestClientOptions = {}): Promise<{ client: TestClient; welcome: WelcomeFrame }> {
    const client = await TestClient.connect(url, options);
    const welcome = await client.hello(token);
    return { client, welcome };
  }

  get pingCount(): number {
    return this.pingsReceived;
  }

  send(frame: ClientFrame | Record<string, unknown> | string | Buffer): void {
    this.socket.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
    this.lastSentAt = Date.now();
  }

  /** Sends `hello` (with `extra` fields such as `session_id` or `positions`) and waits for `welcome`. */
  async hello(token?: string, extra: Omit<HelloFrame, 'type' | 'token'> = {}): Promise<WelcomeFrame> {
    this.send(token === undefined ? { type: 'hello', ...extra } : { type: 'hello', token, ...extra });
    return this.next('welcome');
  }

  /** The next frame of a type (already received or still to come); rejects after `timeoutMs`. */
  next<T extends ServerFrameType>(type: T, timeoutMs = 5_000, accept: (frame: ServerFrameOf<T>) => boolean = () => true): Promise<ServerFrameOf<T>> {
    const matches = (frame: ServerFrame): boolean => frame.type === type && accept(frame as ServerFrameOf<T>);
    const index = this.frames.findIndex(matches);
    if (index >= 0) return Promise.resolve(this.frames.splice(index, 1)[0] as ServerFrameOf<T>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${type}" frame within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        accept: matches,
        resolve: (frame) => {
          clearTimeout(timer);
          this.frames.splice(this.frames.indexOf(frame), 1);
          resolve(frame as ServerFrameOf<T>);
        },
      });
    });
  }

  /**
   * The next `count` frames of a type, in the order they arrived (each waits up to `timeoutMs`):
   * a duplicate or a gap shows in their order.
   */
  async take<T extends ServerFrameType>(type: T, count: number, timeoutMs = 5_000): Promise<ServerFrameOf<T>[]> {
    const frames: ServerFrameOf<T>[] = [];
    while (frames.length < count) frames.push(await this.next(type, timeoutMs));
    return frames;
  }

  /** Every frame of a type received so far (not consumed). */
  all<T extends ServerFrameType>(type: T): ServerFrameOf<T>[] {
    return this.frames.filter((frame) => frame.type === type) as ServerFrameOf<T>[];
  }

  close(code = 1000): Promise<Closed> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(code);
    else if (this.socket.readyState === WebSocket.CONNECTING) this.socket.terminate();
    return this.closed;
  }

  private onPing(frame: ServerFrameOf<'ping'>): void {
    this.pingsReceived++;
    this.pingTimes.push(Date.now());
    if (this.autoPong && this.socket.readyState === WebSocket.OPEN) {
      this.send({
        type: 'pong',
        timestamp: new Date().toISOString(),
        client_time: Date.now(),
        sequence: frame.sequence,
        ping_count: this.pingsReceived,
      });
      this.pongsSent++;
    }
  }
}
