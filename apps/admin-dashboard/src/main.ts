import { bootstrapApplication } from '@angular/platform-browser';
import { AppComponent } from './app/app.component';
import { appConfig } from './app/app.config';
import { showStartupError } from './app/settings/show-startup-error';
import { loadDashboardSettings } from './app/settings/load-dashboard-settings';

const settings = await loadDashboardSettings(window);
bootstrapApplication(AppComponent, appConfig(settings)).catch((error: unknown) => showStartupError(document, error));
