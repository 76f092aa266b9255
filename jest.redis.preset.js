// The Redis suites (`*.redis.spec.ts`): real Redis on 127.0.0.1:6379, one key prefix per test.
import preset from './jest.preset.js';

export default { ...preset, testMatch: ['<rootDir>/src/**/*.redis.spec.ts'], testPathIgnorePatterns: ['/node_modules/'] };
