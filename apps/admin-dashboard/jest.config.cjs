// The same setup as libs/heartbeat/angular: jest-preset-angular in CommonJS mode, zoneless, jsdom.
const { createCjsPreset } = require('jest-preset-angular/presets');

module.exports = {
  ...createCjsPreset({ tsconfig: '<rootDir>/tsconfig.spec.json' }),
  displayName: 'admin-dashboard',
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/src/test-setup.ts'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  moduleNameMapper: {
    '^@heartbeat/(protocol|client|angular)$': '<rootDir>/../../libs/heartbeat/$1/src/index.ts',
    '^@heartbeat/angular/testing$': '<rootDir>/../../libs/heartbeat/angular/src/testing/index.ts',
    '^@heartbeat/client/testing$': '<rootDir>/../../libs/heartbeat/client/src/testing/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  clearMocks: true,
  restoreMocks: true,
};
