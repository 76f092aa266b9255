import { closeCodeInfo, type CloseReaction } from '@heartbeat/protocol';
import * as ClientMessages from './client.messages.js';

/**
 * Why an attempt failed or a connection ended, for UIs to branch on (the message says it to people):
 *
 * - before the socket opened: `connection-refused` (nothing listens: ECONNREFUSED),
 *   `host-not-found` (DNS), `not-found` (HTTP 404: wrong path), `upgrade-dropped` (the server
 *   closed the upgrade without an HTTP answer: usually a wrong path), `origin-refused` (HTTP 403:
 *   the server's `allowedOrigins`), `http-status` (another HTTP status), `network` (another socket
 *   error), `upgrade-failed` (a browser, which does not say which of these it was),
 *   `connect-timeout` (no answer within `connectTimeout`);
 * - after it opened: `no-welcome` (open, but no `welcome` within `connectTimeout`: not a Heartbeat
 *   endpoint), `closed-before-welcome`, `unauthorized` (4001), `heartbeat-timeout`, `closed` (an
 *   established connection closed with `code`);
 * - on this side: `token-provider`, `socket-create`.
 */
export type ConnectionFailureKind =
  | 'connection-refused'
  | 'host-not-found'
  | 'not-found'
  | 'upgrade-dropped'
  | 'origin-refused'
  | 'http-status'
  | 'network'
  | 'upgrade-failed'
  | 'connect-timeout'
  | 'no-welcome'
  | 'closed-before-welcome'
  | 'unauthorized'
  | 'heartbeat-timeout'
  | 'closed'
  | 'token-provider'
  | 'socket-create';

/** How far an attempt got when `connectTimeout` ran out. */
export type ConnectStage = 'token' | 'opening' | 'welcome';

/** The fields a failure is made with: the class's own, so that the two lists cannot drift apart. */
type FailureFields = Pick<ConnectionFailure, 'code' | 'reason' | 'wasClean' | 'reaction' | 'kind'> & { readonly httpStatus?: number };

/**
 * What a diagnostics feature (withNodeDiagnostics()) makes of a failure before the socket opened,
 * from what the WebSocket implementation reported.
 */
export interface FailureDiagnosis {
  readonly kind: ConnectionFailureKind;
  readonly message: string;
  readonly httpStatus?: number;
}

/**
 * Why an attempt failed or an established connection ended. Carries the close code the retry
 * policy reacts to; failures that never reached the server (token provider, connect timeout,
 * a refused upgrade) count as abnormal closes and are retried on the backoff schedule.
 */
export class ConnectionFailure extends Error {
  override readonly name = 'ConnectionFailure';
  declare readonly code: number;
  declare readonly reason: string;
  declare readonly wasClean: boolean;
  declare readonly reaction: CloseReaction;
  declare readonly kind: ConnectionFailureKind;
  /** The HTTP status the server answered the upgrade with, where the WebSocket implementation says (ws does, browsers do not). */
  declare readonly httpStatus: number | null;

  private constructor(message: string, fields: FailureFields) {
    super(message);
    Object.assign(this, fields, { httpStatus: fields.httpStatus ?? null });
  }

  static closed(code: number, reason: string, wasClean: boolean, established: boolean): ConnectionFailure {
    const info = closeCodeInfo(code);
    const unauthorized = code === 4001;
    let message: string;
    if (established) message = ClientMessages.connectionClosed(code, info.meaning, reason);
    else if (unauthorized) message = ClientMessages.tokenRejected(reason);
    else message = ClientMessages.closedBeforeWelcome(code, reason);
    const kind = unauthorized ? 'unauthorized' : established ? 'closed' : 'closed-before-welcome';
    return new ConnectionFailure(message, { code, reason, wasClean, reaction: info.reaction, kind });
  }

  /**
   * The socket closed before it ever opened: the upgrade failed. `errorEvent` is the socket's last
   * `error` event. Node's `ws` puts the cause in it (an error code, or the HTTP status in the text),
   * which withNodeDiagnostics() names as `diagnosis`; a browser's is empty, so the message lists the
   * usual causes instead, with whatever text the event had (docs/client.md#troubleshooting-the-first-connection).
   */
  static beforeOpen(errorEvent: unknown, url: string, pageOrigin: string | null = null, diagnosis: FailureDiagnosis | null = null): ConnectionFailure {
    if (diagnosis) return ConnectionFailure.local(diagnosis.kind, diagnosis.message, diagnosis.httpStatus);
    return ConnectionFailure.local('upgrade-failed', ClientMessages.upgradeFailed(endpoint(url).url, pageOrigin, errorDetail(errorEvent).text || null));
  }

  static heartbeatTimeout(missed: number, silentMs: number): ConnectionFailure {
    const message = ClientMessages.heartbeatTimeout(missed, silentMs);
    return new ConnectionFailure(message, {
      code: 4000,
      reason: 'heartbeat timeout',
      wasClean: false,
      reaction: 'reconnect',
      kind: 'heartbeat-timeout',
    });
  }

  /** `connectTimeout` ran out while the attempt was at `stage`; each stage has its own suspects. */
  static connectTimeout(ms: number, stage: ConnectStage, url: string): ConnectionFailure {
    if (stage === 'token') return ConnectionFailure.local('token-provider', ClientMessages.tokenProviderTimedOut(ms));
    if (stage === 'opening') return ConnectionFailure.local('connect-timeout', ClientMessages.openTimedOut(endpoint(url).url, ms));
    return ConnectionFailure.local('no-welcome', ClientMessages.noWelcome(endpoint(url).url, ms));
  }

  static tokenProvider(cause: unknown): ConnectionFailure {
    return ConnectionFailure.local('token-provider', ClientMessages.tokenProviderFailed(ClientMessages.errorText(cause)));
  }

  static socketCreate(cause: unknown): ConnectionFailure {
    return ConnectionFailure.local('socket-create', ClientMessages.socketCreateFailed(ClientMessages.errorText(cause)));
  }

  /** A failure that never reached the server, or a refused upgrade: an abnormal close (1006), retried on the backoff schedule. */
  private static local(kind: ConnectionFailureKind, message: string, httpStatus?: number): ConnectionFailure {
    return new ConnectionFailure(message, { code: 1006, reason: '', wasClean: false, reaction: 'reconnect', kind, httpStatus });
  }
}

export interface Endpoint {
  /** Scheme, host and path: the query is left out of messages, as it may carry credentials. */
  readonly url: string;
  readonly host: string;
  readonly hostname: string;
  readonly path: string;
}

export function endpoint(url: string): Endpoint {
  try {
    const parsed = new URL(url);
    return { url: `${parsed.protocol}//${parsed.host}${parsed.pathname}`, host: parsed.host, hostname: parsed.hostname, path: parsed.pathname };
  } catch {
    return { url, host: url, hostname: url, path: url };
  }
}

/** The error code and text of an `error` event: ws's ErrorEvent has them, a browser's Event has neither. */
export function errorDetail(event: unknown): { code: string | null; text: string } {
  const { error, message } = (typeof event === 'object' && event !== null ? event : {}) as { error?: unknown; message?: unknown };
  const errorCode = (error as { code?: unknown } | null | undefined)?.code;
  const code = typeof errorCode === 'string' && errorCode !== '' ? errorCode : null;
  const text = error instanceof Error && error.message ? error.message : typeof message === 'string' ? message : '';
  return { code, text };
}
