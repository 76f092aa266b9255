import { ApplicationConfig, provideBrowserGlobalErrorListeners } from '@angular/core';

// The example with socket.io-client instead of Heartbeat, for the weight comparison.
export const appConfig: ApplicationConfig = {
  providers: [provideBrowserGlobalErrorListeners()],
};
