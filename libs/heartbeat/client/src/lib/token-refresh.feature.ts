import type { ServerFrame, WelcomeFrame } from '@heartbeat/protocol';
import type { ClientFeature, ClientFeatureHost, HeartbeatClientFeature } from './client-feature.js';
import * as ClientMessages from './client.messages.js';
import { TokenRefreshMessages } from './feature.messages.js';
import type { SocketConnection } from './socket-connection.js';
import { TokenRefresh } from './token-refresh.js';

/**
 * Token refresh on the open connection (docs/client.md#token-refresh): when the server says when the
 * token expires, the token provider is asked again shortly before and the fresh token goes out in an
 * `auth` frame. Without it, the server closes with 4001 at expiry and the client reconnects at once
 * with a token from the provider.
 */
export function withTokenRefresh(): HeartbeatClientFeature<'tokenRefresh'> {
  return { kind: 'tokenRefresh', install: (host) => new TokenRefreshing(host) };
}

class TokenRefreshing implements ClientFeature {
  private readonly refresh: TokenRefresh;

  constructor(private readonly host: ClientFeatureHost) {
    this.refresh = new TokenRefresh({
      fetchToken: () => host.resolveToken(),
      sendAuth: (token) => host.openSocket()?.send({ type: 'auth', token }) ?? false,
      failed: (message) => {
        host.options.log(message);
        host.emit('error', { message, code: 'token_refresh', kind: null, at: host.options.clock.now() });
      },
    }, host.options.clock);
  }

  /** Plans the refresh when there is a provider to ask; a fixed token cannot be refreshed. */
  established(_welcome: WelcomeFrame, _socket: SocketConnection, tokenExpiresAt: number | null): void {
    if (tokenExpiresAt !== null && typeof this.host.options.token !== 'function') {
      this.refresh.stop();
      this.host.options.log(TokenRefreshMessages.tokenRefreshStaticToken());
      return;
    }
    this.refresh.start(tokenExpiresAt);
  }

  frame(frame: ServerFrame): boolean {
    const { host } = this;
    if (frame.type === 'authenticated') {
      const tokenExpiresAt = host.clientTime(frame.token_expires_at);
      host.options.log(`token refreshed${tokenExpiresAt === null ? '' : `, expires ${new Date(tokenExpiresAt).toISOString()}`}`);
      this.refresh.authenticated(tokenExpiresAt);
      host.patch({ tokenExpiresAt });
      return true;
    }
    if (frame.type !== 'error' || frame.ref !== 'auth') return false;
    const { code, message } = frame;
    this.refresh.refused(message);
    host.emit('error', { message: ClientMessages.serverError(code, message), code, kind: null, at: host.options.clock.now() });
    return true;
  }

  /** The timer and any provider answer still on its way are dropped with the connection. */
  connectionEnded(): void {
    this.refresh.stop();
  }
}
