import type { ServerFrame, WelcomeFrame } from '@heartbeat/protocol';
import type { ClientFeature, ClientFeatureHost, HeartbeatClientFeature } from './client-feature.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, type HeartbeatRequestOptions } from './client-options.js';
import * as ClientMessages from './client.messages.js';
import { RequestMessages } from './feature.messages.js';
import { clientIdPrefix } from './message-id.js';
import { PendingRequests } from './pending-requests.js';
import { HeartbeatClientOptionsError, isRequestTimeout } from './resolve-client-options.js';
import type { SocketConnection } from './socket-connection.js';

/** What `request()` runs on once withRequests() is installed. */
export interface RequestsFeature extends ClientFeature {
  call(topic: string, data: unknown, options?: HeartbeatRequestOptions): Promise<unknown>;
}

/** Options of withRequests(). */
export interface RequestsOptions {
  /** How long a request waits, from the call, for a connection and then its answer, unless the call passes its own; default 10000 ms. */
  readonly timeout?: number;
}

/**
 * `request()`: asks a server handler and resolves with its answer (docs/client.md#requests-request).
 * A request waits for a connection, is written after the next welcome, and fails when the
 * connection ends after it was sent (the handler may have run), never written twice.
 */
export function withRequests(options: RequestsOptions = {}): HeartbeatClientFeature<'requests'> {
  const { timeout = DEFAULT_REQUEST_TIMEOUT_MS } = options;
  if (!isRequestTimeout(timeout)) throw new HeartbeatClientOptionsError(RequestMessages.requestTimeoutOptionInvalid(timeout));
  return { kind: 'requests', install: (host) => new Requests(host, timeout) };
}

class Requests implements RequestsFeature {
  private readonly pending: PendingRequests;

  constructor(host: ClientFeatureHost, requestTimeout: number) {
    const { clock } = host.options;
    this.pending = new PendingRequests({ clock, requestTimeout }, clientIdPrefix(host), (text) => host.openSocket()?.sendText(text) ?? false);
  }

  call(topic: string, data: unknown, options?: HeartbeatRequestOptions): Promise<unknown> {
    return this.pending.call(topic, data, options);
  }

  established(_welcome: WelcomeFrame, socket: SocketConnection): void {
    this.pending.flush((text) => socket.sendText(text));
  }

  /** A request's answer, or its error: that request alone is settled and tells it, so no `error` event. */
  frame(frame: ServerFrame): boolean {
    if (frame.type === 'result') {
      this.pending.result(frame.id, frame.data);
      return true;
    }
    return frame.type === 'error' && frame.ref !== undefined && this.pending.fail(frame.ref, frame.code, frame.message, frame.details);
  }

  connectionEnded(): void {
    this.pending.connectionLost();
  }

  destroyed(): void {
    this.pending.close(RequestMessages.requestDestroyed(), ClientMessages.destroyed());
  }
}
