import { setupZoneTestEnv } from 'jest-preset-angular/setup-env/zone/index.js';

setupZoneTestEnv();
