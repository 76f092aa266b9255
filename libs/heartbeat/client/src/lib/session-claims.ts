/** The part of the browser's BroadcastChannel the client uses. */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  close(): void;
}

export type BroadcastChannelFactory = (name: string) => BroadcastChannelLike;

/** Who a client instance is: the older of two instances naming the same session keeps it. */
export interface ClaimantIdentity {
  readonly id: string;
  readonly createdAt: number;
}

export interface SessionClaimsHooks {
  /** The session this instance would name in its next hello. */
  current(): string | null;
  /** An older instance (another tab) uses `sessionId`: stop naming it. */
  yieldSession(sessionId: string): void;
}

interface Claim extends ClaimantIdentity {
  readonly type: 'heartbeat-session-claim';
  readonly sessionId: string;
}

/** The default factory: the global BroadcastChannel where there is one. */
export function defaultBroadcastChannel(globals: { BroadcastChannel?: new (name: string) => BroadcastChannelLike } = globalThis as never): BroadcastChannelFactory | null {
  const Channel = globals.BroadcastChannel;
  return typeof Channel === 'function' ? (name) => new Channel(name) : null;
}

/**
 * Keeps two tabs of one browser from sharing a resumed session. A duplicated tab starts with a copy
 * of `sessionStorage`, so both would name the same session and the server would hand it back and
 * forth between them (each resume drops the other's connection). Each instance announces the
 * session it resumed or is about to name; when two instances name the same one, the newer yields
 * and starts a new session on its next connection, the older re-announces so that the newer hears
 * it. Same-origin tabs only; without BroadcastChannel this does nothing.
 */
export class SessionClaims {
  private readonly listener = (event: { data: unknown }) => this.received(event.data);

  constructor(
    private readonly channel: BroadcastChannelLike | null,
    private readonly self: ClaimantIdentity,
    private readonly hooks: SessionClaimsHooks,
  ) {
    channel?.addEventListener('message', this.listener);
    // Node's BroadcastChannel would keep the process alive until destroy(); a client must not.
    (channel as { unref?: () => void } | null)?.unref?.();
  }

  /** Tells the other instances that this one uses `sessionId`. */
  claim(sessionId: string): void {
    const claim: Claim = { type: 'heartbeat-session-claim', sessionId, id: this.self.id, createdAt: this.self.createdAt };
    try {
      this.channel?.postMessage(claim);
    } catch {
      // A closed channel (the page is going away) has no one to tell.
    }
  }

  close(): void {
    this.channel?.removeEventListener('message', this.listener);
    this.channel?.close();
  }

  private received(data: unknown): void {
    if (!isClaim(data) || data.id === this.self.id) return;
    const mine = this.hooks.current();
    if (mine === null || data.sessionId !== mine) return;
    if (isOlder(data, this.self)) this.hooks.yieldSession(mine);
    else this.claim(mine);
  }
}

function isOlder(a: ClaimantIdentity, b: ClaimantIdentity): boolean {
  return a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);
}

function isClaim(data: unknown): data is Claim {
  if (typeof data !== 'object' || data === null) return false;
  const claim = data as Partial<Claim>;
  return (
    claim.type === 'heartbeat-session-claim' &&
    typeof claim.sessionId === 'string' &&
    typeof claim.id === 'string' &&
    typeof claim.createdAt === 'number'
  );
}
