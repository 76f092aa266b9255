import { provideHttpClient, withFetch } from '@angular/common/http';
import { type ApplicationConfig, inject, provideAppInitializer, provideBrowserGlobalErrorListeners, provideZonelessChangeDetection } from '@angular/core';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { provideHeartbeat, withConnectOnStart, withPresence, withRequests, withResumeStorage, withTokenProvider, withTokenRefresh } from '@heartbeat/angular';
import { routes } from './app.routes';
import { AlertAcknowledgements } from './feed/alert-acknowledgements.service';
import { AlertFeed } from './feed/alert-feed.service';
import { DashboardCredentials } from './settings/dashboard-credentials';
import type { DashboardSettings } from './settings/dashboard-settings';

export function appConfig(settings: DashboardSettings): ApplicationConfig {
  return {
    providers: [
      provideBrowserGlobalErrorListeners(),
      provideZonelessChangeDetection(),
      provideRouter(routes, withComponentInputBinding()),
      provideHttpClient(withFetch()),
      provideHeartbeat(
        { url: settings.wsPath, clientInfo: { name: 'admin-dashboard', version: '0.1.0' }, ...settings.clientOptions },
        withTokenProvider(() => inject(DashboardCredentials).clientTokenForAttempt()),
        withConnectOnStart(),
        // The Online panel is a presence list; Acknowledge asks the server (request()); a reload
        // resumes the session and the feed's position (docs/dashboard.md); a token that expires is
        // refreshed on the open connection.
        withPresence(),
        withRequests(),
        withResumeStorage(),
        withTokenRefresh(),
      ),
      // The feed and the acknowledgements listen from the start, whichever page is open, so that no
      // alert and no acknowledgement is missed.
      provideAppInitializer(() => {
        inject(AlertFeed);
        inject(AlertAcknowledgements);
      }),
    ],
  };
}
