import { ApplicationConfig, provideBrowserGlobalErrorListeners } from '@angular/core';

// The example without Heartbeat: the baseline its initial bundle is measured against.
export const appConfig: ApplicationConfig = {
  providers: [provideBrowserGlobalErrorListeners()],
};
