// Shared by every project's jest.config.js. Node-side code is native ESM (Nest 12 ships ESM only),
// so tests run in Jest's ESM mode: `NODE_OPTIONS=--experimental-vm-modules` is set by each test target.
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // Specs that need a Redis server run apart (`npm run test:redis`, jest.redis.config.js).
  testPathIgnorePatterns: ['/node_modules/', '\\.redis\\.spec\\.ts$'],
  // Build output has its own package.json (the published one); Jest must not see it as a second package.
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  moduleNameMapper: {
    // Workspace libraries are tested from source, not from their build output.
    '^@heartbeat/(protocol|nest|client|angular|testing)$': `${root}libs/heartbeat/$1/src/index.ts`,
    // Sources import siblings as './x.js' (nodenext); jest resolves the .ts file.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  clearMocks: true,
  restoreMocks: true,
};
