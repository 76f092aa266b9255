import type { HeartbeatConnection } from './heartbeat-connection.js';
import { RecentIds } from './recent-ids.js';

/**
 * What the server keeps of a client beyond one connection: its id (sent in `welcome`, presented
 * again in `hello` to resume), the topics it had, and the ids of its recent `message` frames (so a
 * message resent after a reconnect is processed once). Outlives its connection by `sessionTtl`.
 */
export class HeartbeatSession {
  /** The connection currently attached; undefined while the session waits to be resumed. */
  connection: HeartbeatConnection | undefined;
  /** The topics of the last attached connection when it closed. */
  topics: readonly string[] = [];
  /** When the last connection closed (epoch ms); undefined while attached. */
  detachedAt: number | undefined;
  readonly recentMessageIds: RecentIds;

  constructor(
    readonly id: string,
    messageDedupeWindow: number,
  ) {
    this.recentMessageIds = new RecentIds(messageDedupeWindow);
  }
}
