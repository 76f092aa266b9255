import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

/**
 * A TCP proxy that can stop forwarding: after `blackhole()`, bytes in both directions are read and
 * dropped, and no FIN or RST reaches either side — a half-open peer, as a dead NAT or a pulled cable
 * leaves it.
 */
export class BlackholeProxy {
  private blackholed = false;
  private acceptedCount = 0;
  private silencedCount = 0;
  private answeredBytes = 0;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(
    private readonly targetPort: number,
    private readonly targetHost: string,
  ) {
    this.server = createServer((client) => this.relay(client));
  }

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<BlackholeProxy> {
    const proxy = new BlackholeProxy(targetPort, targetHost);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Connections accepted so far. */
  get accepted(): number {
    return this.acceptedCount;
  }

  /** Connections that had a write dropped on its way to the target (each counted once). */
  get silenced(): number {
    return this.silencedCount;
  }

  /** Bytes the target sent that were forwarded to a client: it answered through the proxy. */
  get answered(): number {
    return this.answeredBytes;
  }

  /** From now on, drop all traffic silently in both directions. */
  blackhole(): void {
    this.blackholed = true;
  }

  /**
   * The peer is back: connections that went through the blackhole are closed (their byte streams
   * have holes), new ones are forwarded again.
   */
  restore(): void {
    this.cut();
    this.blackholed = false;
  }

  /**
   * The connections through the proxy break while the peer stays silent: they are closed, and new
   * ones are accepted into the blackhole.
   */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    this.acceptedCount++;
    const upstream = connect(this.targetPort, this.targetHost);
    let silenced = false;
    client.on('data', () => {
      if (!this.blackholed || silenced) return;
      silenced = true;
      this.silencedCount++;
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!this.blackholed) this.answeredBytes += chunk.length;
    });
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(from);
      from.on('error', () => undefined);
      from.on('close', () => this.sockets.delete(from));
      from.on('data', (chunk) => this.blackholed || to.write(chunk));
      // While forwarding, an orderly close travels through; once blackholed, nothing does.
      from.on('end', () => this.blackholed || to.end());
    }
  }
}
