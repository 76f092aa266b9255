import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import type { CutKind } from './ipc.js';

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  mode: 'forward' | CutKind;
}

const noop = () => undefined;

/**
 * A TCP proxy between clients and the server whose connections can be cut one at a time:
 * - `rst`: both sockets are reset (`resetAndDestroy()`): each side sees ECONNRESET at once;
 * - `blackhole`: both sockets stay open but every byte is read and dropped, and no FIN or RST is
 *   ever sent: only a heartbeat can tell (a dead NAT entry, a pulled cable).
 * Or all at once, as a load balancer in front of a dead backend: `backendDown()` resets every
 * connection and then accepts new ones only to close them at once, until `backendUp()`.
 * Upstream connections leave from the given loopback addresses in turn, so the server sees
 * several remote addresses.
 */
export class ChaosProxy {
  readonly stats = { accepted: 0, rst: 0, blackholed: 0, closedAtOnce: 0 };
  /**
   * By the client's address and port (`127.0.3.1:40312`, the remote end of the accepted socket):
   * clients leave from several loopback addresses, so a port alone is not unique.
   */
  private readonly pairs = new Map<string, Pair>();
  private readonly server: Server;
  private next = 0;
  private backend: 'up' | 'down' = 'up';

  private constructor(
    private readonly targetPort: number,
    private readonly upstreamAddresses: readonly string[],
  ) {
    this.server = createServer({ noDelay: true }, (client) => this.relay(client));
  }

  static async start(targetPort: number, upstreamAddresses: readonly string[]): Promise<ChaosProxy> {
    const proxy = new ChaosProxy(targetPort, upstreamAddresses);
    await new Promise<void>((resolve) => proxy.server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** True when the connection from this client end (`address:port`) is forwarding. */
  isForwarding(clientEnd: string): boolean {
    return this.pairs.get(clientEnd)?.mode === 'forward';
  }

  /** Cuts the connection from `clientEnd` (`address:port`); false if there is none forwarding. */
  cut(clientEnd: string, kind: CutKind): boolean {
    const pair = this.pairs.get(clientEnd);
    if (!pair || pair.mode !== 'forward') return false;
    pair.mode = kind;
    if (kind === 'rst') {
      this.stats.rst++;
      pair.client.resetAndDestroy();
      pair.upstream.resetAndDestroy();
      return true;
    }
    this.stats.blackholed++;
    pair.client.unpipe(pair.upstream);
    pair.upstream.unpipe(pair.client);
    for (const socket of [pair.client, pair.upstream]) {
      socket.on('data', noop);
      socket.resume();
    }
    return true;
  }

  /** The backend died: every open connection is reset, and new ones are accepted and closed at once. */
  backendDown(): void {
    this.backend = 'down';
    for (const end of [...this.pairs.keys()]) this.cut(end, 'rst');
  }

  /** The backend is back: new connections are forwarded again. */
  backendUp(): void {
    this.backend = 'up';
  }

  async close(): Promise<void> {
    for (const pair of this.pairs.values()) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    this.stats.accepted++;
    if (this.backend === 'down') {
      this.stats.closedAtOnce++;
      client.on('error', noop);
      client.destroy();
      return;
    }
    const localAddress = this.upstreamAddresses[this.next++ % this.upstreamAddresses.length];
    const upstream = connect({ port: this.targetPort, host: '127.0.0.1', localAddress, noDelay: true });
    const key = `${client.remoteAddress}:${client.remotePort}`;
    const pair: Pair = { client, upstream, mode: 'forward' };
    this.pairs.set(key, pair);
    client.pipe(upstream);
    upstream.pipe(client);
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      socket.on('error', noop);
      socket.on('close', (hadError) => {
        if (pair.mode === 'forward') {
          // Mirror what happened on one side to the other: a reset as a reset, a close as a FIN
          // (after whatever is still queued), and make sure nothing outlives the pair.
          if (hadError) other.resetAndDestroy();
          else other.end();
          setTimeout(() => other.destroy(), 2_000).unref();
        }
        if (client.destroyed && upstream.destroyed && this.pairs.get(key) === pair) this.pairs.delete(key);
      });
    }
  }
}
