import type { TimerHandle } from './client-clock.js';
import type { ClientHeartbeat } from './client-heartbeat.js';
import type { ConnectionPhase } from './client-state.js';
import type { ConnectionFailure } from './connection-failure.js';
import type { RetryDecision } from './retry-policy.js';
import type { SocketConnection } from './socket-connection.js';

export type Hint = 'online' | 'offline' | 'resumed';

/**
 * Where the reconnect loop is (docs/client.md#state). Each variant carries the data only it has, so
 * that no flag beside it can disagree with it; leaving a variant releases what it holds (release()).
 * "Connection" is one socket; the resumable server session outlives it (docs/protocol.md#resume).
 */
export type LoopState =
  /**
   * Not connected and not trying. connect() starts again; so does `restartOn`: 'enable' when the
   * link dropped while auto-reconnect was off, 'hint' when the fast attempts ran out (a network or
   * page hint restarts them).
   */
  | { readonly kind: 'stopped'; readonly restartOn: 'connect' | 'enable' | 'hint' }
  /** Asking the token provider (`socket` null), then opening the socket with the `token` to send in `hello`. */
  | (Attempt & { readonly kind: 'connecting'; readonly socket: SocketConnection | null; readonly token: string | undefined })
  /** The socket is open and `hello` is out, naming `positions` and `subscribe`; waiting for `welcome`. */
  | (Attempt & {
      readonly kind: 'handshaking';
      readonly socket: SocketConnection;
      readonly positions: Readonly<Record<string, number>>;
      readonly subscribe: readonly string[];
    })
  /** `welcome` arrived: the heartbeat runs; `serverClockAhead` converts the server's times. */
  | { readonly kind: 'open'; readonly socket: SocketConnection; readonly heartbeat: ClientHeartbeat; readonly serverClockAhead: number }
  /** After a failure: attempt number `attempt` starts when `timer` fires, or on `online` when it is null. */
  | {
      readonly kind: 'waiting';
      readonly attempt: number;
      readonly unauthorizedInARow: number;
      readonly failure: ConnectionFailure;
      readonly timer: TimerHandle | null;
    }
  | { readonly kind: 'destroyed' };

export interface Attempt {
  /** The reconnect attempt number (0: a first or manual connect). */
  readonly attempt: number;
  /** 4001 closes in a row before this attempt: the one retry after a 4001 is with a fresh token. */
  readonly unauthorizedInARow: number;
  /** Ends the attempt when connectTimeout runs out before `welcome`; also names the attempt to late reports. */
  readonly deadline: TimerHandle;
}

export interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

export function phaseAfter(decision: RetryDecision): ConnectionPhase {
  if (decision.kind === 'stop') return decision.phase;
  if (decision.kind === 'wait-online') return 'offline';
  return decision.suspended ? 'suspended' : 'backoff';
}

export const WAITING_PHASES: ReadonlySet<ConnectionPhase> = new Set(['backoff', 'suspended', 'offline']);
