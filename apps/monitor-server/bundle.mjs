#!/usr/bin/env node
// Bundles the compiled server (out-tsc/, tsc's output with Nest's decorator metadata) into dist/:
// main.js, what `npm start` runs, and monitor-app.js, for tools that run the application in their
// own process, over shared chunks. A few files instead of about 1,200 modules of Nest, Express, rxjs
// and the rest: the server listens in about half the time, which after a restart its clients spend
// backing off (docs/server.md#the-monitor-server, docs/benchmarks.md#fifteenth-pass-the-server-bundled-2026-12-07).
//
//   node apps/monitor-server/bundle.mjs   (after tsc -b apps/monitor-server/tsconfig.app.json)
import { build } from 'esbuild';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Loaded by Node, not bundled:
 * - `reflect-metadata`: esbuild evaluates a CommonJS module that ESM code imports where the importing
 *   module's own code starts, after its other imports, so Nest's decorators would run before it
 *   defined `Reflect.getOwnMetadata`; an external import is evaluated first, as in Node;
 * - `ws`: Nest's WsAdapter, which HeartbeatWsAdapter extends, loads it with `require` at run time, and
 *   a bundled copy beside that one would be a second `ws` in the process;
 * - optional peers: `ioredis`, which @heartbeat/nest imports only in Redis mode, and the packages Nest
 *   loads only when installed (`loadPackage`), which Node resolves as without the bundle.
 */
const EXTERNAL = [
  'reflect-metadata',
  'ws',
  'ioredis',
  '@nestjs/microservices',
  '@nestjs/microservices/*',
  '@nestjs/platform-socket.io',
  'class-transformer',
  'class-validator',
];

const entries = { main: 'out-tsc/main.js', 'monitor-app': 'out-tsc/monitor-app.js' };
for (const file of Object.values(entries)) {
  if (!existsSync(`${root}${file}`)) {
    console.error(`apps/monitor-server/${file} is missing: run "tsc -b apps/monitor-server/tsconfig.app.json" first ("npx nx run monitor-server:build" does both).`);
    process.exit(1);
  }
}

rmSync(`${root}dist`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: entries,
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Nest names providers and modules in its errors and logs by their classes' names.
  keepNames: true,
  external: EXTERNAL,
  // The CommonJS packages in the bundle (Express and its dependencies, prom-client) call require()
  // for Node's own modules, which ESM has no require for.
  banner: { js: "import { createRequire as __heartbeatCreateRequire } from 'node:module'; const require = __heartbeatCreateRequire(import.meta.url);" },
  sourcemap: 'linked',
  logLevel: 'warning',
});
