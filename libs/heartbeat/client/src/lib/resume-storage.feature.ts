import type { ClientFeature, ClientFeatureHost, HeartbeatClientFeature } from './client-feature.js';
import { ResumeMessages } from './feature.messages.js';
import { clientIdPrefix } from './message-id.js';
import { HeartbeatClientOptionsError } from './resolve-client-options.js';
import { defaultResumeStorage, RESUME_KEY_PREFIX, ResumeStore, type StorageLike } from './resume-store.js';
import { defaultBroadcastChannel, SessionClaims, type BroadcastChannelFactory } from './session-claims.js';
import type { Subscription } from 'rxjs';

/** Options of withResumeStorage(). */
export interface ResumeStorageOptions {
  /** Where the session id and topic positions are kept: a Storage-like object; default the page's `sessionStorage` (none in Node). */
  readonly storage?: StorageLike;
  /** How tabs tell each other which session they resume; default the global `BroadcastChannel`; false for none. */
  readonly broadcastChannel?: BroadcastChannelFactory | false;
}

/**
 * Resume across page reloads (docs/client.md#resume-across-page-reloads): the server session and the
 * topic positions are kept in storage, so that a reloaded page names them in its first `hello`; tabs
 * that share saved state (a duplicated tab) agree over a BroadcastChannel that only one resumes it.
 * Without it, a client resumes its session across reconnects, not across reloads.
 */
export function withResumeStorage(options: ResumeStorageOptions = {}): HeartbeatClientFeature<'resumeStorage'> {
  const { storage, broadcastChannel } = options;
  if (storage !== undefined && (typeof storage?.getItem !== 'function' || typeof storage.setItem !== 'function')) {
    throw new HeartbeatClientOptionsError(ResumeMessages.persistenceInvalid());
  }
  if (broadcastChannel !== undefined && broadcastChannel !== false && typeof broadcastChannel !== 'function') {
    throw new HeartbeatClientOptionsError(ResumeMessages.broadcastChannelInvalid());
  }
  return {
    kind: 'resumeStorage',
    install: (host) => {
      const resolvedStorage = storage ?? defaultResumeStorage();
      // Only a session kept in storage can be shared by two tabs.
      const channel = broadcastChannel === undefined ? defaultBroadcastChannel() : broadcastChannel || null;
      return new ResumeStorage(host, resolvedStorage, resolvedStorage ? channel : null);
    },
  };
}

class ResumeStorage implements ClientFeature {
  private readonly store: ResumeStore;
  /** Tells other tabs which server session this one resumes, so that two tabs never share one. */
  private readonly claims: SessionClaims;
  private readonly pageHidden: Subscription | undefined;

  constructor(
    private readonly host: ClientFeatureHost,
    storage: StorageLike | null,
    channel: BroadcastChannelFactory | null,
  ) {
    const { options, topics } = host;
    const key = RESUME_KEY_PREFIX + options.url;
    this.store = new ResumeStore(storage, key, () => ({ sessionId: host.sessionToResume(), topics: topics.positions() }), options.log, options.clock);
    this.claims = new SessionClaims(channel?.(key) ?? null, { id: clientIdPrefix(host), createdAt: options.clock.now() }, {
      current: () => host.sessionToResume(),
      yieldSession: (sessionId) => this.yieldSession(sessionId),
    });
    const saved = this.store.load();
    if (saved) {
      host.setSessionToResume(saved.sessionId);
      topics.restore(saved.topics);
      options.log(`resume state loaded: session ${saved.sessionId ?? '(none)'}, ${Object.keys(saved.topics).length} topic positions`);
      if (saved.sessionId) this.claims.claim(saved.sessionId);
    }
    this.pageHidden = options.connectivity.pageHidden$?.subscribe(() => this.store.flush());
  }

  established(welcome: { session_id: string }): void {
    this.store.changed();
    this.claims.claim(welcome.session_id);
  }

  positionsChanged(): void {
    this.store.changed();
  }

  connectionEnded(): void {
    this.store.flush();
  }

  stopped(): void {
    this.store.flush();
  }

  destroyed(): void {
    this.store.flush();
    this.pageHidden?.unsubscribe();
    this.claims.close();
  }

  /** Another tab (an older client instance) names the same server session: the next hello names none. */
  private yieldSession(sessionId: string): void {
    if (this.host.sessionToResume() !== sessionId) return;
    this.host.setSessionToResume(null);
    this.store.changed();
    this.host.options.log(ResumeMessages.sessionYielded(sessionId));
  }
}
