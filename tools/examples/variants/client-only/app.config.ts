import { ApplicationConfig, provideBrowserGlobalErrorListeners } from '@angular/core';

// The example with @heartbeat/client alone (no @heartbeat/angular), for the weight of the client itself.
export const appConfig: ApplicationConfig = {
  providers: [provideBrowserGlobalErrorListeners()],
};
