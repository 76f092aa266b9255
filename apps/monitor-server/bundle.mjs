#!/usr/bin/env node
// Bundles the compiled server (out-tsc/, tsc's output with Nest's decorator metadata) into dist/:
// main.js, what `npm start` runs, and monitor-app.js, for tools that run the application in their
// own process, over shared chunks. A few files instead of about 1,200 modules of Nest, Express, rxjs
// and the rest: the server listens in about half the time, which after a restart its clients spend
// backing off (docs/server.md#the-monitor-server, docs/benchmarks.md#fifteenth-pass-the-server-bundled-2026-12-07).
//
//   node apps/monitor-server/bundle.mjs   (after tsc -b apps/monitor-server/tsconfig.app.json)
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Optional peers Nest and ws load only when installed (`loadPackage`, `require` in a try), and
 * ioredis, which @heartbeat/nest imports only in Redis mode: left to Node's resolution at run time,
 * as without the bundle.
 */
const OPTIONAL_PEERS = [
  'ioredis',
  '@nestjs/microservices',
  '@nestjs/microservices/*',
  '@nestjs/platform-socket.io',
  '@nestjs/websockets/socket-module',
  'class-transformer',
  'class-transformer/*',
  'class-validator',
  '@fastify/*',
  'bufferutil',
  'utf-8-validate',
];

/**
 * Loaded by Node, not bundled: esbuild evaluates a CommonJS module that ESM code imports where the
 * importing module's own code starts, after its other imports, so Nest's decorators would run before
 * `reflect-metadata` defined `Reflect.getOwnMetadata`. An external import is evaluated first, as in Node.
 */
const FIRST = ['reflect-metadata'];

rmSync(`${root}dist`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: 'out-tsc/main.js', 'monitor-app': 'out-tsc/monitor-app.js' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Nest names providers and modules in its errors and logs by their classes' names.
  keepNames: true,
  external: [...FIRST, ...OPTIONAL_PEERS],
  // The CommonJS packages in the bundle (Nest, Express) call require() for Node's own modules.
  banner: { js: "import { createRequire as __heartbeatCreateRequire } from 'node:module'; const require = __heartbeatCreateRequire(import.meta.url);" },
  sourcemap: 'linked',
  logLevel: 'warning',
});
