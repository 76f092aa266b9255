import type { HeartbeatStats, HeartbeatTotals } from '@heartbeat/protocol';
import { randomBytes } from 'node:crypto';
import type { Observable } from 'rxjs';

/** Where an event stands in its topic: its `seq` within `epoch` (docs/protocol.md#7-topics-subscribe-unsubscribe-subscribed-event). */
export interface EventPosition {
  seq: number;
  epoch: string;
}

/** One event as the backplane hands it out: its position and its frame, encoded once. */
export interface BackplaneEvent extends EventPosition {
  topic: string;
  text: string;
}

/** A topic's head and the events after a `since`, oldest first. */
export interface TopicHistory {
  epoch: string;
  /** The topic's head: the seq of its latest event, 0 before its first. */
  seq: number;
  events: readonly BackplaneEvent[];
  /** False when events after `since` were dropped (by count or age, or with an earlier epoch): `events` do not fill the gap. */
  complete: boolean;
}

/** How this node is linked to its peers, for `/health` and `/metrics`. */
export interface ClusterStatus {
  /** `memory`: one process; `redis`: topics, stats and disconnects span every node on the same Redis. */
  mode: 'memory' | 'redis';
  nodeId: string;
  /** Redis mode only. */
  redis?: {
    up: boolean;
    /** Since when (epoch ms) Redis has been reachable, or unreachable. */
    since: number;
    /** Times the link to Redis was lost since the node started. */
    outages: number;
    lastError: string | undefined;
    /** Publishes waiting for Redis to take them. */
    pendingPublishes: number;
  };
}

/**
 * What one node asks the others (docs/scaling.md#cluster-stats): its stats; to close, write a
 * server `message` to, join or leave a topic one connection `id`, wherever it is
 * (docs/server.md#targeted-delivery); to join every connection of a user to its user topic from
 * `since` (the head read before a `publishToUser`, so that the event is not missed).
 */
export type ControlRequest =
  | { kind: 'stats' }
  | { kind: 'disconnect'; id: string; code: number; reason: string }
  | { kind: 'send'; id: string; topic: string; data: unknown; timestamp: string }
  | { kind: 'join'; id: string; topic: string }
  | { kind: 'leave'; id: string; topic: string }
  | { kind: 'join-user'; userId: string; topic: string; since: number };

/**
 * A node's answer to a {@link ControlRequest}. `applied` answers `send`, `join`, `leave` (true when
 * the node holds the connection and did it) and `join-user` (true when it had a connection of the user).
 */
export type ControlReply =
  | { kind: 'stats'; stats: HeartbeatStats; at: number }
  | { kind: 'disconnect'; closed: boolean }
  | { kind: 'applied'; applied: boolean };

/** A node's periodic report: enough to list it, and to show its last figures once it went quiet. */
export interface NodeReport {
  node_id: string;
  reported_at: number;
  heartbeat_stats: HeartbeatTotals;
}

/** The answers of the other nodes to one request, and the last reports of every other listed node. */
export interface ControlAnswers {
  /** Every other node listed, whether or not it answered (a node that did not is stale). */
  peers: readonly NodeReport[];
  replies: ReadonlyMap<string, ControlReply>;
}

/** What this node gives the others: its report, and its answers to their requests. */
export interface LocalNode {
  totals(): HeartbeatTotals;
  answer(request: ControlRequest): ControlReply;
}

/**
 * What topics and the cluster need from whatever links the nodes (docs/scaling.md): the port of
 * the server core, after centrifuge's `Broker` and socket.io's `ClusterAdapter`.
 * {@link MemoryBackplane} is one process; RedisBackplane is every node on one Redis. The topic hub
 * and the cluster above it are the same for both, and backplane.contract.ts holds both to the same
 * behaviour.
 */
export abstract class Backplane {
  abstract readonly nodeId: string;

  /** False while the link to the other nodes is down: a gap in `events$` cannot be read then. Always true in memory. */
  abstract readonly isUp: boolean;

  /** Each time the link is up again after being down: what was missed meanwhile can be read now. Never in memory. */
  abstract readonly ready$: Observable<void>;

  /**
   * Every event appended to a watched topic, on any node, in `seq` order per topic. An event can be
   * missed (a link down): the next one's `seq` shows the gap, which `readSince` fills.
   */
  abstract readonly events$: Observable<BackplaneEvent>;

  /** Starts linking this node to the others: `node` reports this node and answers their requests. */
  abstract start(node: LocalNode): Promise<void>;

  /** Leaves the other nodes (after the drain); safe twice. */
  abstract stop(): Promise<void>;

  /** Makes `events$` bring the topic's events from now on (kept until `stop`). */
  abstract watch(topic: string): Promise<void>;

  /**
   * Appends an event with the topic's next seq, encoded once (`eventFrameParts`). Rejects, using no
   * seq, for data JSON cannot encode.
   */
  abstract append(topic: string, data: unknown): Promise<EventPosition>;

  /**
   * The topic's head and its events with `seq > since` still kept (none when `since` is undefined).
   * A `since` above the head is from another epoch: nothing, and not complete.
   */
  abstract readSince(topic: string, since: number | undefined): Promise<TopicHistory>;

  /** Asks every other live node; resolves with their answers once all answered, `done` says so, or the request timed out. */
  abstract request(request: ControlRequest, done?: (reply: ControlReply) => boolean): Promise<ControlAnswers>;

  /** Every listed node's last report, this one included. */
  abstract nodes(): Promise<NodeReport[]>;

  abstract status(): ClusterStatus;
}

/**
 * The `since > head` rule (docs/protocol.md#7-topics-subscribe-unsubscribe-subscribed-event), for
 * both backplanes: whether `events` (oldest first, seq > since) fill everything after `since`.
 */
export function isComplete(since: number | undefined, head: number, events: readonly { seq: number }[]): boolean {
  if (since === undefined || since === head) return true;
  if (since > head) return false; // a position from another epoch
  return events.length > 0 && events[0].seq === since + 1;
}

/**
 * A new epoch: the start time in base 36 and a random part, e.g. `mwttx520-756688c6`. Letters,
 * digits and `-` only: event frames carry it unescaped (`joinEventFrame`).
 */
export function newEpoch(now: number = Date.now()): string {
  return `${now.toString(36)}-${randomBytes(4).toString('hex')}`;
}
