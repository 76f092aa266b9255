// CommonJS on purpose: jest-preset-angular's zoneless setup ships as CommonJS only, and its CJS
// preset compiles Angular's .mjs bundles for Jest, so this project needs no --experimental-vm-modules.
const { createCjsPreset } = require('jest-preset-angular/presets');

const shared = {
  ...createCjsPreset({ tsconfig: '<rootDir>/tsconfig.spec.json' }),
  rootDir: __dirname,
  moduleNameMapper: {
    // Workspace libraries are tested from source, not from their build output.
    '^@heartbeat/(protocol|client)$': '<rootDir>/../$1/src/index.ts',
    '^@heartbeat/client/testing$': '<rootDir>/../client/src/testing/index.ts',
    '^@heartbeat/angular$': '<rootDir>/src/index.ts',
    // Sources import siblings as './x.js' (nodenext); Jest resolves the .ts file.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  // The build output has its own package.json (the published one); Jest must not see a second package.
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  clearMocks: true,
  restoreMocks: true,
};

module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'angular',
      setupFilesAfterEnv: ['<rootDir>/src/test-setup.ts'],
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.zone\\.spec\\.ts$'],
    },
    {
      // The same library in an app that still runs zone.js: *.zone.spec.ts.
      ...shared,
      displayName: 'angular (zone.js)',
      setupFilesAfterEnv: ['<rootDir>/src/test-setup.zone.ts'],
      testMatch: ['<rootDir>/src/**/*.zone.spec.ts'],
    },
  ],
};
