/** What the orchestrators (load test, benchmark) ask a client worker process (worker.ts) over IPC. */
import type { HeartbeatTimingOptions } from '@heartbeat/client';
import type { BackoffOptions } from '@heartbeat/protocol';

/**
 * - `heartbeat`: HeartbeatClient from @heartbeat/client, subscribed to the topic;
 * - `ws`: a bare `ws` WebSocket (the server pings, `ws` answers), reconnecting on the same backoff;
 * - `socketio`: a Socket.IO 4 client on the WebSocket transport, with its own reconnection set to the same backoff.
 */
export type ClientKind = 'heartbeat' | 'ws' | 'socketio';

/** The reconnect schedule every kind of client follows, and how long an attempt may take. */
export interface ReconnectSettings extends BackoffOptions {
  connectTimeout: number;
}

export interface OpenSpec {
  kind: ClientKind;
  url: string;
  token?: string;
  count: number;
  /** New connections per second this worker opens. */
  ratePerSecond: number;
  /** Loopback source addresses (127.0.0.0/8), used in turn. */
  localAddresses: string[];
  /** Topic (Heartbeat) or event name (Socket.IO) the clients listen to. */
  topic: string;
  reconnect: ReconnectSettings;
  /** The Heartbeat client's own heartbeat settings. */
  heartbeat?: Partial<Pick<HeartbeatTimingOptions, 'pingInterval' | 'pongTimeout' | 'maxMissedPongs'>>;
  /** Keep a sample of event latencies (receive time − the event's timestamp); Heartbeat clients only. */
  sampleLatency?: boolean;
}

export interface WorkerStatus {
  total: number;
  started: number;
  connected: number;
  /** Connected clients whose subscription to the topic the server answered (`ws` and Socket.IO clients: all connected ones). */
  subscribed: number;
  /** Clients that stopped trying to connect. */
  gaveUp: number;
  /** Messages received since the last mark. */
  received: number;
  /** Clients that received the expected count since the last mark. */
  reachedExpected: number;
  /** When the last of them did. */
  allReachedAt: number | null;
  /** Connection attempts started after the last mark that ended before the handshake completed. */
  failedHandshakes: number;
  lastError: string | null;
  /** CPU time (user and system, every thread) the worker process used since it started, in µs. */
  cpuMicros: number;
}

export interface StreamTotals {
  delivered: number;
  lost: number;
  duplicates: number;
  gaps: number;
  silentEpochChanges: number;
}

export interface ClientHistory {
  /** When each connection since the last mark was established (ms). */
  established: number[];
  /** Connections lost since the last mark, with the close code. */
  lost: { at: number; code: number }[];
}

export interface WorkerReport {
  clients: ClientHistory[];
  streams: StreamTotals;
  latencyMs: number[];
  /** Failed attempts since the last mark: when each started (a restart counts only those after the server listened again) and why it failed. */
  failedAttempts: { at: number; reason: string }[];
}

export type WorkerApi = {
  open: { params: OpenSpec; result: { started: number } };
  status: { params: Record<string, never>; result: WorkerStatus };
  /** Starts a new measurement: histories and counters restart; each client should now receive `expect` messages. */
  mark: { params: { expect?: number }; result: null };
  /** Drops `count` random connections without a close handshake (the client sees 1006 and resumes). */
  cut: { params: { count: number }; result: { cut: number } };
  report: { params: Record<string, never>; result: WorkerReport };
  close: { params: Record<string, never>; result: null };
};
