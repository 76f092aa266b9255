import { SYSTEM_CLOCK, type ClientClock, type TimerHandle } from './client-clock.js';
import * as ClientMessages from './client.messages.js';
import { TokenRefreshMessages } from './feature.messages.js';

/** The refresh runs at least this long before the token expires. */
export const TOKEN_REFRESH_MIN_MARGIN_MS = 5_000;
/** ... or this share of the token's remaining lifetime before, when that is longer. */
export const TOKEN_REFRESH_MARGIN_SHARE = 0.1;
/** Failed refreshes are tried again this many times, each half-way to the expiry. */
export const TOKEN_REFRESH_MAX_RETRIES = 3;

export interface TokenRefreshHooks {
  /** Asks the token provider for a fresh token (undefined: it has none). */
  fetchToken(): Promise<string | undefined>;
  /** Sends `auth` with the token; false when the connection cannot take it. */
  sendAuth(token: string): boolean;
  /** A refresh failed or cannot help; the message says what happens next. */
  failed(message: string): void;
}

type Phase = 'idle' | 'scheduled' | 'fetching' | 'awaiting';

/**
 * When to refresh a token that expires in `remainingMs`: max(5 s, 10 % of the remaining lifetime)
 * before the expiry, at once when less than that is left. Never after the expiry.
 */
export function tokenRefreshDelay(remainingMs: number): number {
  const margin = Math.max(TOKEN_REFRESH_MIN_MARGIN_MS, remainingMs * TOKEN_REFRESH_MARGIN_SHARE);
  return Math.max(0, Math.floor(remainingMs - margin));
}

/**
 * Token refresh on one open connection: asks the token provider shortly before the token expires
 * and sends `auth`; the server's `authenticated` carries the new expiry and the cycle starts over.
 * A provider that fails (or a refused `auth` frame) is tried again up to TOKEN_REFRESH_MAX_RETRIES
 * times, each half-way to the expiry. `stop()` releases the timer and makes any answer still on its
 * way from the provider go nowhere. Times are on the client's clock.
 */
export class TokenRefresh {
  private phase: Phase = 'idle';
  private timer: TimerHandle | null = null;
  private expiresAt: number | null = null;
  private retriesLeft = TOKEN_REFRESH_MAX_RETRIES;
  /** Bumped by stop(): a provider answer from an earlier run is ignored. */
  private generation = 0;

  constructor(
    private readonly hooks: TokenRefreshHooks,
    private readonly clock: ClientClock = SYSTEM_CLOCK,
  ) {}

  /** The connection's token expires at `expiresAt` (null: never): plans the refresh. */
  start(expiresAt: number | null): void {
    this.stop();
    this.schedule(expiresAt);
  }

  /** The server accepted the fresh token; it expires at `expiresAt` (null: never). */
  authenticated(expiresAt: number | null): void {
    if (this.phase !== 'awaiting') return;
    const previous = this.expiresAt;
    this.stop();
    if (expiresAt !== null && previous !== null && expiresAt <= previous) {
      // Refreshing again would ask for the same token in a loop.
      this.hooks.failed(TokenRefreshMessages.tokenRefreshNotLater());
      return;
    }
    this.schedule(expiresAt);
  }

  /** The server answered the `auth` frame with an error: counts as a failed refresh. */
  refused(message: string): void {
    if (this.phase !== 'awaiting') return;
    this.retryOrGiveUp(TokenRefreshMessages.tokenRefreshRejected(message));
  }

  /** Releases the timer; nothing happens until the next start(). */
  stop(): void {
    this.generation += 1;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.phase = 'idle';
    this.retriesLeft = TOKEN_REFRESH_MAX_RETRIES;
  }

  private schedule(expiresAt: number | null): void {
    this.expiresAt = expiresAt;
    if (expiresAt === null) return;
    const remaining = expiresAt - this.clock.now();
    if (remaining <= 0) return; // too late: the server closes with 4001, and the client reconnects with a fresh token
    this.arm(tokenRefreshDelay(remaining));
  }

  private arm(delayMs: number): void {
    this.phase = 'scheduled';
    this.timer = this.clock.setTimeout(() => this.refresh(), delayMs);
  }

  private refresh(): void {
    this.timer = null;
    this.phase = 'fetching';
    const generation = this.generation;
    const current = () => generation === this.generation && this.phase === 'fetching';
    this.hooks.fetchToken().then(
      (token) => {
        if (!current()) return;
        if (!token) return this.retryOrGiveUp(TokenRefreshMessages.tokenRefreshNoToken());
        this.phase = 'awaiting';
        if (!this.hooks.sendAuth(token)) this.phase = 'idle'; // the connection is closing: its end stops this
      },
      (error: unknown) => {
        if (current()) this.retryOrGiveUp(ClientMessages.errorText(error));
      },
    );
  }

  private retryOrGiveUp(cause: string): void {
    const remaining = (this.expiresAt ?? 0) - this.clock.now();
    const willRetry = this.retriesLeft > 0 && remaining > 1;
    // The next step is set before the hook runs: a handler of the error it reports may stop() this.
    if (willRetry) {
      this.retriesLeft -= 1;
      this.arm(Math.floor(remaining / 2));
    } else {
      this.phase = 'idle';
    }
    this.hooks.failed(TokenRefreshMessages.tokenRefreshFailed(cause, willRetry));
  }
}
