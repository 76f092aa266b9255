import { Injectable, InjectionToken, inject, signal } from '@angular/core';
import { fetchDashboardServerConfig } from './dashboard-server-config';

/** Where the tokens entered by the operator (or given in the URL) live: gone when the tab closes. */
export const CREDENTIALS_STORAGE = new InjectionToken<Storage>('CREDENTIALS_STORAGE', {
  providedIn: 'root',
  factory: () => sessionStorage,
});

const STORAGE_KEY = 'heartbeat-dashboard.credentials';

export interface StoredCredentials {
  clientToken: string | null;
  adminToken: string | null;
}

/** Writes tokens given in the URL before the app starts, so that the address bar can drop them. */
export function storeCredentials(storage: Storage, update: Partial<StoredCredentials>): StoredCredentials {
  const next = { ...readCredentials(storage), ...update };
  storage.setItem(STORAGE_KEY, JSON.stringify(next));
  return next;
}

function readCredentials(storage: Storage): StoredCredentials {
  try {
    const stored = JSON.parse(storage.getItem(STORAGE_KEY) ?? '{}') as Partial<StoredCredentials>;
    return {
      clientToken: typeof stored.clientToken === 'string' && stored.clientToken ? stored.clientToken : null,
      adminToken: typeof stored.adminToken === 'string' && stored.adminToken ? stored.adminToken : null,
    };
  } catch {
    return { clientToken: null, adminToken: null };
  }
}

/**
 * The client and admin tokens. The operator's own (URL or sign-in form) win; without them the
 * dashboard uses the tokens a demo server (`npm start` without CLIENT_TOKENS/ADMIN_TOKEN) hands to
 * local browsers, fetched again when the server may have restarted with new ones.
 */
@Injectable({ providedIn: 'root' })
export class DashboardCredentials {
  private readonly storage = inject(CREDENTIALS_STORAGE);
  private readonly stored = signal(readCredentials(this.storage));
  private demoAdminToken: Promise<string | null> | null = null;

  /** The operator's client token, if they gave one. */
  readonly clientToken = () => this.stored().clientToken;
  /** The operator's admin token, if they gave one. */
  readonly adminToken = () => this.stored().adminToken;

  save(update: Partial<StoredCredentials>): void {
    this.stored.set(storeCredentials(this.storage, update));
    this.demoAdminToken = null;
  }

  /** The token for one connection attempt; asks the server each time, since a restarted demo server has a new one. */
  async clientTokenForAttempt(): Promise<string | null> {
    return this.clientToken() ?? (await fetchDashboardServerConfig()).clientToken ?? null;
  }

  /** The admin API's bearer token, or null when there is none to try. */
  adminTokenForRequest(): Promise<string | null> {
    const own = this.adminToken();
    if (own) return Promise.resolve(own);
    this.demoAdminToken ??= fetchDashboardServerConfig().then(
      (config) => config.adminToken ?? null,
      () => null,
    );
    return this.demoAdminToken;
  }

  /** After a 401: the demo server may have restarted with a new token, so ask again next time. */
  forgetDemoAdminToken(): void {
    this.demoAdminToken = null;
  }
}
