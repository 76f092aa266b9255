import nx from '@nx/eslint-plugin';

/** What the server core may not import, in its code and its unit specs alike (docs/server.md#architecture). */
const CORE_TRANSPORT_BANS = [
  { group: ['@nestjs/*'], message: 'The server core imports nothing of Nest: take what it needs as a port (see core/logger.port.ts).' },
  { group: ['ws', 'ioredis'], message: 'The server core is transport-free: reach the socket through PeerTransport and Redis through the Backplane port.' },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/coverage', '**/tmp'] },
  {
    // Config files at project roots import the shared root configs; the boundaries are about source.
    files: ['**/src/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', moduleBoundaries([])] },
  },
  {
    // Tests and test harnesses may use the shared harness (@heartbeat/testing); shipped code may not.
    files: ['**/src/**/*.spec.ts', '**/src/**/*.suite.ts', '**/src/testing/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', moduleBoundaries(['scope:testing'])] },
  },
  {
    // The client's integration specs run the real client against a real in-process Nest server built
    // with @heartbeat/nest (its handlers, rules and presence are the test's own): tests only, never shipped code.
    // (Paths relative to the project's own config, which lint runs with: the option changes only scope:client.)
    files: ['**/src/**/*.integration.spec.ts', '**/src/**/*.redis.spec.ts', '**/src/**/*.suite.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', moduleBoundaries(['scope:testing'], { clientMayUseServer: true })] },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['warn', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.suite.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // The server core is transport-free (docs/server.md#architecture): Nest, ws and ioredis stay in the layers around it.
    files: ['libs/heartbeat/nest/src/lib/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...CORE_TRANSPORT_BANS,
            { group: ['../*'], message: 'The server core imports only itself and @heartbeat/protocol: the layers around it depend on it, not the other way.' },
          ],
        },
      ],
    },
  },
  {
    // Its unit specs run it on the test doubles of src/testing (FakeClock, FakePeer), and on nothing else outside it.
    files: ['libs/heartbeat/nest/src/lib/core/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...CORE_TRANSPORT_BANS,
            {
              regex: '^\\.\\./(?!\\.\\./testing/[^/]+$)',
              message: 'Core unit specs use the core and the test doubles of src/testing (FakeClock, FakePeer, TestCore), nothing else.',
            },
          ],
        },
      ],
    },
  },
];

/**
 * The packages' dependency direction (docs/packages.md#the-packages); `testTags` are what tests may use on top;
 * `clientMayUseServer` lets the client's integration specs start a Nest server with @heartbeat/nest.
 */
function moduleBoundaries(testTags, { clientMayUseServer = false } = {}) {
  return {
    // Specs are not part of a library's build, so the harness they use needs no build either.
    enforceBuildableLibDependency: testTags.length === 0,
    allow: [],
    depConstraints: [
      {
        sourceTag: 'scope:protocol',
        onlyDependOnLibsWithTags: [...testTags],
        bannedExternalImports: ['@angular/*', '@nestjs/*', 'ws', 'rxjs', 'ioredis'],
      },
      {
        sourceTag: 'scope:nest',
        onlyDependOnLibsWithTags: ['scope:protocol', ...testTags],
        bannedExternalImports: ['@angular/*'],
      },
      {
        sourceTag: 'scope:client',
        onlyDependOnLibsWithTags: ['scope:protocol', ...testTags, ...(clientMayUseServer ? ['scope:nest'] : [])],
        bannedExternalImports: ['@angular/*', ...(clientMayUseServer ? [] : ['@nestjs/*'])],
      },
      {
        sourceTag: 'scope:angular',
        onlyDependOnLibsWithTags: ['scope:client', 'scope:protocol', ...testTags],
        bannedExternalImports: ['@nestjs/*', 'ws'],
      },
      {
        sourceTag: 'scope:testing',
        onlyDependOnLibsWithTags: ['scope:protocol'],
        bannedExternalImports: ['@angular/*'],
      },
      {
        sourceTag: 'type:app',
        onlyDependOnLibsWithTags: ['type:lib'],
      },
      {
        sourceTag: 'type:tool',
        onlyDependOnLibsWithTags: ['type:lib'],
      },
      {
        // End-to-end suites drive the apps from outside (processes, a browser); of the libraries they use only the harness.
        sourceTag: 'type:e2e',
        onlyDependOnLibsWithTags: ['scope:testing'],
      },
    ],
  };
}
