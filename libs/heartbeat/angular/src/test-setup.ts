import { setupZonelessTestEnv } from 'jest-preset-angular/setup-env/zoneless/index.js';

// Zoneless is the default of new Angular apps; *.zone.spec.ts run the zone.js setup instead.
setupZonelessTestEnv();
