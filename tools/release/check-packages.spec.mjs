import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentProblems, readTarball } from './check-packages.mjs';

const PUBLISHED = new Set(['@heartbeat/protocol', '@heartbeat/nest']);

/** A clean package's files, with `overrides` laid over them (undefined removes a file). */
function files(manifest = {}, overrides = {}) {
  const all = {
    'package.json': JSON.stringify({
      name: '@heartbeat/nest',
      version: '1.2.0',
      type: 'module',
      exports: { '.': { types: './index.d.ts', default: './index.js' } },
      dependencies: { '@heartbeat/protocol': '^1.2.0' },
      peerDependencies: { ws: '^8.23.0', ioredis: '^6.0.0' },
      peerDependenciesMeta: { ioredis: { optional: true } },
      ...manifest,
    }),
    'README.md': '# nest',
    LICENSE: 'MIT',
    'CHANGELOG.md': '# Changelog',
    'index.js': "export * from './lib/gateway.js';",
    'index.js.map': JSON.stringify({ sources: ['../src/index.ts'], sourcesContent: ['export {};'] }),
    'index.d.ts': "export * from './lib/gateway.js';",
    'lib/gateway.d.ts': "import type { WebSocket } from 'ws';\nimport type { Socket } from 'node:net';",
    'lib/redis.d.ts': "import type { Redis } from 'ioredis';",
    ...overrides,
  };
  return new Map(Object.entries(all).filter(([, body]) => body !== undefined).map(([path, body]) => [path, Buffer.from(body)]));
}

describe('contentProblems', () => {
  it('finds nothing wrong with a clean package, whose unreachable declarations may import an optional peer', () => {
    expect(contentProblems(files(), PUBLISHED)).toEqual([]);
  });

  it('names build leftovers, sources and declaration maps', () => {
    const problems = contentProblems(files({}, { 'tsconfig.lib.tsbuildinfo': '{}', 'src/index.ts': '', 'index.d.ts.map': '{"sources":[],"sourcesContent":[]}' }), PUBLISHED);
    expect(problems).toEqual([
      'tsconfig.lib.tsbuildinfo is a build leftover or a source file; it must not be packed.',
      'src/index.ts is a build leftover or a source file; it must not be packed.',
      'index.d.ts.map is a build leftover or a source file; it must not be packed.',
    ]);
  });

  it('names a source map that does not carry its sources', () => {
    const problems = contentProblems(files({}, { 'index.js.map': JSON.stringify({ sources: ['../src/index.ts'] }) }), PUBLISHED);
    expect(problems).toEqual(['index.js.map names 1 sources but embeds 0: set inlineSources, or ship no maps.']);
  });

  it('names missing files and exports targets', () => {
    const problems = contentProblems(files({}, { LICENSE: undefined, 'index.js': undefined }), PUBLISHED);
    expect(problems).toEqual(['LICENSE is missing: every package ships one.', 'exports points at ./index.js, which is not in the tarball.']);
  });

  it('names the workspace-only condition and workspace fields', () => {
    const exports = { '.': { '@heartbeat/source': './src/index.ts', types: './index.d.ts', default: './index.js' } };
    const problems = contentProblems(files({ exports, devDependencies: { jest: '30.0.0' } }), PUBLISHED);
    expect(problems).toContain('package.json still has the workspace-only "@heartbeat/source" condition.');
    expect(problems).toContain('package.json has "devDependencies", which the published manifest drops.');
  });

  it('names exact pins and a sibling package of another release', () => {
    const problems = contentProblems(files({ dependencies: { '@heartbeat/protocol': '^1.1.0', zod: '4.6.7' } }), PUBLISHED);
    expect(problems).toEqual([
      'dependencies.@heartbeat/protocol is "^1.1.0"; packages of one release depend on each other as ^1.2.0.',
      'dependencies.zod is "4.6.7": use a semver range (^x.y.z) so apps can share one copy.',
    ]);
  });

  it('names a reachable declaration that imports an optional peer or an undeclared package', () => {
    const problems = contentProblems(files({}, { 'index.d.ts': "export * from './lib/gateway.js';\nexport * from './lib/redis.js';\nexport type { Foo } from 'left-pad';" }), PUBLISHED);
    expect(problems).toEqual([
      'index.d.ts imports types from left-pad, which is not a dependency or peer: apps without it cannot type-check this package.',
      'lib/redis.d.ts imports types from ioredis, which is an optional peer: apps without it cannot type-check this package.',
    ]);
  });
});

describe('readTarball', () => {
  it('reads the files npm packed, long paths included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-tarball-'));
    try {
      const deep = `${'nested-folder/'.repeat(9)}file-with-a-long-name.js`;
      mkdirSync(join(dir, 'package', deep, '..'), { recursive: true });
      writeFileSync(join(dir, 'package/package.json'), '{"name":"x","version":"1.0.0"}');
      writeFileSync(join(dir, 'package', deep), 'export {};');
      const tarball = execFileSync('npm', ['pack', join(dir, 'package'), '--pack-destination', dir, '--silent'], { encoding: 'utf8' }).trim();
      const files = readTarball(join(dir, tarball));
      expect([...files.keys()].sort()).toEqual([deep, 'package.json']);
      expect(files.get(deep).toString()).toBe('export {};');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
