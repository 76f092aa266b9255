import { ApplicationConfig, provideBrowserGlobalErrorListeners } from '@angular/core';
import { provideHeartbeat, withConnectOnStart, withTokenProvider } from '@heartbeat/angular';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideHeartbeat(
      // A path connects to the page's own origin (ws:// or wss:// to match it); `ng serve` proxies
      // /ws to the Nest app (proxy.conf.json), as your reverse proxy does in production.
      { url: '/ws' },
      withConnectOnStart(),
      // Called on every attempt, so a refreshed token is picked up; return your auth service's token.
      withTokenProvider(() => 'dev-token'),
    ),
  ],
};
