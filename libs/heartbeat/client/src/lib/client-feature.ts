import type { ServerFrame, WelcomeFrame } from '@heartbeat/protocol';
import type { HeartbeatClientEventMap, HeartbeatClientEventName } from './client-events.js';
import type { HeartbeatClientState } from './client-state.js';
import type { FailureDiagnosis } from './connection-failure.js';
import type { ResolvedClientOptions } from './resolve-client-options.js';
import type { SocketConnection } from './socket-connection.js';
import type { TopicRegistry } from './topic-registry.js';

/**
 * What a feature may use of the client it is installed in (docs/client.md#features). The client owns
 * its state and its reconnect loop; a feature reads them and acts through these calls only.
 */
export interface ClientFeatureHost {
  readonly options: ResolvedClientOptions;
  readonly topics: TopicRegistry;
  /** The socket of the open connection (welcome received), or null. */
  openSocket(): SocketConnection | null;
  patch(changes: Partial<HeartbeatClientState>): void;
  emit<K extends HeartbeatClientEventName>(event: K, payload: HeartbeatClientEventMap[K]): void;
  /** The token for a new attempt or a refresh: the `token` option, or what its provider returns. */
  resolveToken(): Promise<string | undefined>;
  /** A time on the server's clock on this client's clock, per the open connection's welcome. */
  clientTime(serverTime: number | undefined): number | null;
  /** The server session the next `hello` names (null: a new session). */
  sessionToResume(): string | null;
  setSessionToResume(sessionId: string | null): void;
}

/**
 * One installed feature. The client calls each hook at a fixed point of its reconnect loop, in the
 * order the features are listed in FEATURE_ORDER; every hook is optional.
 */
export interface ClientFeature {
  /** `welcome` arrived and the topics are subscribed again: the connection is usable. */
  established?(welcome: WelcomeFrame, socket: SocketConnection, tokenExpiresAt: number | null): void;
  /** A frame the core does not handle itself (ack, result, authenticated, presence, join, leave, error); true when it was this feature's alone. */
  frame?(frame: ServerFrame): boolean;
  /** A topic position or the server session changed. */
  positionsChanged?(): void;
  /** The open connection ended; the client may reconnect. */
  connectionEnded?(): void;
  /** disconnect() was called. */
  stopped?(): void;
  /** destroy(): release every timer, listener and channel. */
  destroyed?(): void;
  /** The socket closed before it opened: the cause, from its last `error` event, when this feature can name it. */
  diagnose?(errorEvent: unknown, url: string): FailureDiagnosis | null;
}

/** The features a client may have, each at most once; the order in which their hooks run. */
export const FEATURE_ORDER = ['resumeStorage', 'tokenRefresh', 'outbox', 'requests', 'presence', 'nodeDiagnostics'] as const;
export type ClientFeatureKind = (typeof FEATURE_ORDER)[number];

/** What `withOutbox()`, `withRequests()`, … return: given in `options.features`, installed by the client's constructor. */
export interface HeartbeatClientFeature<K extends ClientFeatureKind = ClientFeatureKind> {
  readonly kind: K;
  install(host: ClientFeatureHost): ClientFeature;
}
