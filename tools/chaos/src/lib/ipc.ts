import type { HeartbeatTimingOptions } from '@heartbeat/client';
import type { EpochTrack } from './seq-tracker.js';

/** The orchestrator (run.ts) drives worker processes (worker.ts) with these requests over IPC. */

export interface ClientsSpec {
  /** The servers' WebSocket URLs: client i connects to `urls[i % urls.length]` (one URL with a proxy). */
  urls: string[];
  token: string;
  count: number;
  /** Loopback source addresses, given to the clients in turn (127.0.0.0/8). */
  localAddresses: string[];
  topic: string;
  options: Partial<HeartbeatTimingOptions>;
  /** Connect through a chaos proxy in the worker (so connections can be cut) instead of directly. */
  proxy?: { upstreamAddresses: string[] };
  /** Spread the first connects over this long (ms), to avoid a thundering start. */
  connectSpreadMs?: number;
  /** Give up waiting for the first connects after this long (ms); they keep trying. */
  connectTimeoutMs?: number;
  /** Also check what arrives on the wire, before the client's dedup (`ClientReport.wire`). */
  wire?: boolean;
}

export type CutKind = 'rst' | 'blackhole';

export interface CutRecord {
  kind: CutKind;
  at: number;
  /** When the client noticed (connection_lost). */
  lostAt: number | null;
  lostCode: number | null;
  /** When it was connected again (connection_established). */
  backAt: number | null;
}

export interface GapRecord {
  at: number;
  reason: 'evicted' | 'new-epoch';
  lastSeq: number | null;
  previousEpoch: string | null;
  epoch: string;
  seq: number;
}

/** A `subscribed` frame as it arrived on the wire. */
export interface SubscribedRecord {
  at: number;
  epoch: string;
  seq: number;
  recovered: boolean;
  replayed: number;
  /**
   * Not the answer to the client's own subscribe: the connection had already been told about this
   * topic, so the server sent it unasked, on a connection that stayed up (a loss told in-band).
   */
  inBand: boolean;
}

/** What reached the client's socket, before the client dropped anything (ClientsSpec.wire). */
export interface WireReport {
  subscribed: SubscribedRecord[];
  /** Event frames by epoch; a `subscribed` that was not recovered announces the next jump. */
  epochs: Record<string, EpochTrack>;
}

export interface ClientReport {
  index: number;
  localAddress: string;
  phase: string;
  reconnectCount: number;
  epochs: Record<string, EpochTrack>;
  gaps: GapRecord[];
  resumed: number;
  established: { at: number; resumed: boolean; reconnect: boolean }[];
  lost: { at: number; code: number }[];
  cuts: CutRecord[];
  /** Event frames that reached the socket, delivered or not (the client drops duplicates). */
  wireEvents: number;
  delivered: number;
  wire?: WireReport;
}

export interface ClientsReport {
  pid: number;
  clients: ClientReport[];
  proxy: { accepted: number; rst: number; blackholed: number } | null;
}

export interface ClientsStatus {
  total: number;
  connected: number;
  /** Lowest last seq among the clients in `epoch` (-1 if one has none yet). */
  minLast: number;
}

export type AttackCategory =
  | 'invalid-json'
  | 'unknown-type'
  | 'wrong-fields'
  | 'binary'
  | 'random-bytes'
  | 'before-hello'
  | 'oversize'
  | 'flood'
  | 'bad-token'
  | 'silent';

export interface AttackSpec {
  url: string;
  token: string;
  localAddresses: string[];
  /** Frames this worker sends in all. */
  frames: number;
  /** Connections open at once. */
  parallel: number;
  /** Connections that send nothing at all (they wait for the handshake timeout). */
  silent: number;
  maxPayload: number;
  /** Categories this worker cycles through. */
  categories: AttackCategory[];
  /** How long a connection may stay open after its burst before it counts as unanswered. */
  answerTimeoutMs: number;
  seed: number;
}

export interface ConnectionOutcome {
  category: AttackCategory;
  framesSent: number;
  errors: Record<string, number>;
  closeCode: number | null;
  closeReason: string;
  /** ms from the first frame (or the open, for `silent`) to the close. */
  closeAfterMs: number | null;
  acks: number;
}

export interface AttackReport {
  pid: number;
  framesSent: number;
  outcomes: ConnectionOutcome[];
}

/** What a worker process (worker.ts) answers, method by method, over @heartbeat/testing/child-channel. */
export type ChaosWorkerApi = {
  start: { params: ClientsSpec; result: { connected: number } };
  status: { params: { epoch: string }; result: ClientsStatus };
  cut: { params: { kind: CutKind }; result: { applied: boolean } };
  report: { params: Record<string, never>; result: ClientsReport };
  attack: { params: AttackSpec; result: AttackReport };
  stop: { params: Record<string, never>; result: null };
};
