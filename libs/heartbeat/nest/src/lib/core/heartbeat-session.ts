import type { HeartbeatConnection } from './heartbeat-connection.js';
import { RecentIds } from './recent-ids.js';

/**
 * What the server keeps of a client beyond one connection: its id (sent in `welcome`, presented
 * again in `hello` to resume) and the ids of its recent `message` frames (so a message resent after
 * a reconnect is processed once). Outlives its connection by `sessionTtl`. Its topics are not kept:
 * a resuming client names them with its positions in `hello`. It belongs to the user whose
 * connection made it (docs/server.md#identity).
 */
export class HeartbeatSession {
  #connection: HeartbeatConnection | undefined;
  #detachedAt: number | undefined;
  // Made on the first `message`: most sessions never send one, and the window with its Set costs
  // about 250 bytes per session.
  private recentMessageIds: RecentIds | undefined;

  constructor(
    readonly id: string,
    /** The user it belongs to (undefined: an anonymous client's); only that user's `hello` may resume it. */
    readonly userId: string | undefined,
  ) {}

  /** The connection currently attached; undefined while the session waits to be resumed. */
  get connection(): HeartbeatConnection | undefined {
    return this.#connection;
  }

  /** When the last connection closed (epoch ms); undefined while attached. */
  get detachedAt(): number | undefined {
    return this.#detachedAt;
  }

  /** A `hello` named this session (or made it): `connection` is its connection from now on. */
  attach(connection: HeartbeatConnection): void {
    this.#connection = connection;
    this.#detachedAt = undefined;
  }

  /** Its connection closed at `now`: kept for resume until `sessionTtl` after that. */
  detach(now: number): void {
    this.#connection = undefined;
    this.#detachedAt = now;
  }

  /**
   * Remembers a `message` id; false when the session already saw it among its last `window` ids
   * (the module's messageDedupeWindow, the same for every session).
   */
  rememberMessage(id: string, window: number): boolean {
    this.recentMessageIds ??= new RecentIds(window);
    return this.recentMessageIds.add(id);
  }
}
