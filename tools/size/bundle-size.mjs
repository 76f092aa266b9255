#!/usr/bin/env node
// What Heartbeat adds to a browser app's bundle (docs/benchmarks.md#browser-bundle-esbuild): bundles
// the built packages (libs/heartbeat/*/dist, what npm users get) with esbuild, minified, for two uses
// and prints the bytes each input file leaves in the output and the gzip -9 total. Angular and rxjs
// are external — every Angular app has them — so the figures are Heartbeat's own; the names the
// bundle imports from rxjs and @angular/core are listed, since what the app would not use otherwise
// costs it too (the Angular example's build measures that: docs/benchmarks.md#browser-bundle-the-angular-example).
//
//   npx nx run-many -t build -p client angular && node tools/size/bundle-size.mjs [--json]
import { transformAsync } from '@babel/core';
import { ConsoleLogger, LogLevel, NodeJSFileSystem } from '@angular/compiler-cli';
import { createEs2015LinkerPlugin } from '@angular/compiler-cli/linker/babel';
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

export const WORKSPACE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The two uses measured: the client alone, and the Angular setup that docs/angular.md documents. */
export const SCENARIOS = {
  client: {
    title: '@heartbeat/client: new HeartbeatClient({ url }).connect() and state$',
    source: `
      import { HeartbeatClient } from '@heartbeat/client';
      const client = new HeartbeatClient({ url: '/ws' });
      client.state$.subscribe((state) => console.log(state.status));
      client.connect();
    `,
  },
  angular: {
    title: '@heartbeat/angular: provideHeartbeat(withConnectOnStart, withTokenProvider), WebSocketStore, <hb-websocket-status>',
    source: `
      import { provideHeartbeat, withConnectOnStart, withTokenProvider, WebSocketStatusComponent, WebSocketStore } from '@heartbeat/angular';
      export const providers = [provideHeartbeat({ url: '/ws' }, withConnectOnStart(), withTokenProvider(() => 'dev-token'))];
      export { WebSocketStatusComponent, WebSocketStore };
    `,
  },
};

/**
 * Gzip -9 bytes each scenario may reach (docs/benchmarks.md#browser-bundle-esbuild): what it measured
 * when the budget was last set, plus about 2 %. `npm test` fails above it (bundle-size.spec.mjs).
 */
export const GZIP_BUDGETS = { client: 12_450, angular: 19_550 };

/** Every Angular app has these; what a bundle imports from them is listed, not counted. */
const EXTERNAL = ['@angular/*', 'rxjs', 'rxjs/*'];

/** What @angular/core imports from rxjs itself: every Angular app carries these. */
const ANGULAR_RXJS = `import { BehaviorSubject, Observable, Subject, Subscription } from 'rxjs'; export { BehaviorSubject, Observable, Subject, Subscription };`;

/** The entry file of a built package, as its dist/package.json exports it to a browser bundler. */
function builtEntry(name) {
  const dist = join(WORKSPACE_ROOT, 'libs/heartbeat', name, 'dist');
  const manifestPath = join(dist, 'package.json');
  if (!existsSync(manifestPath)) {
    throw new Error(`@heartbeat/${name} is not built (no ${relative(WORKSPACE_ROOT, manifestPath)}): run \`npx nx run-many -t build -p client angular\` first.`);
  }
  const target = JSON.parse(readFileSync(manifestPath, 'utf8')).exports['.'];
  return join(dist, typeof target === 'string' ? target : (target.import ?? target.default));
}

/** Resolves @heartbeat/* to the built packages, and links the Angular package's partial declarations as `ng build` does. */
const heartbeatPackages = {
  name: 'heartbeat-packages',
  setup(bundler) {
    bundler.onResolve({ filter: /^@heartbeat\/[a-z]+$/ }, (args) => ({ path: builtEntry(args.path.slice('@heartbeat/'.length)) }));
    bundler.onLoad({ filter: /[\\/]angular[\\/]dist[\\/].*\.mjs$/ }, async (args) => {
      const code = readFileSync(args.path, 'utf8');
      const linked = await transformAsync(code, {
        filename: args.path,
        babelrc: false,
        configFile: false,
        compact: false,
        plugins: [createEs2015LinkerPlugin({ linkerJitMode: false, fileSystem: new NodeJSFileSystem(), logger: new ConsoleLogger(LogLevel.warn) })],
      });
      return { contents: linked?.code ?? code, loader: 'js' };
    });
  },
};

/**
 * Bundles one scenario, minified, for a browser (ES2022, as Angular 21 targets). Returns the code, its
 * raw and gzip -9 bytes, each input's bytes in it (largest first), and the names it imports from rxjs
 * and from @angular/core.
 */
export async function measureBundle(scenario, { external = EXTERNAL } = {}) {
  const result = await build({
    stdin: { contents: scenario.source, resolveDir: WORKSPACE_ROOT, loader: 'js', sourcefile: 'scenario.js' },
    bundle: true,
    absWorkingDir: WORKSPACE_ROOT,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // ng build's conditions: rxjs resolves to its ES2015 modules.
    conditions: ['es2015', 'browser', 'module', 'import'],
    external,
    plugins: [heartbeatPackages],
    metafile: true,
    write: false,
    legalComments: 'none',
    charset: 'utf8',
    // As `ng build` defines them for production: Angular's dev-mode checks and class metadata go.
    define: { ngDevMode: 'false', ngJitMode: 'false', ngI18nClosureMode: 'false' },
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  const code = output.text;
  return {
    code,
    bytes: output.contents.length,
    gzip: gzipSync(output.contents, { level: 9 }).length,
    files: inputBytes(Object.values(result.metafile.outputs)),
    rxjs: importedNames(code, 'rxjs'),
    angular: importedNames(code, '@angular/core'),
  };
}

/** Each input's bytes in the given outputs, largest first. */
function inputBytes(outputs) {
  const bytes = new Map();
  for (const output of outputs) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) bytes.set(shortPath(path), (bytes.get(shortPath(path)) ?? 0) + bytesInOutput);
  }
  return [...bytes].map(([path, count]) => ({ path, bytes: count })).filter((file) => file.bytes > 0).sort((a, b) => b.bytes - a.bytes);
}

/**
 * Minified bytes of rxjs a scenario adds to an Angular app: rxjs bundled (Angular still external),
 * less what @angular/core's own imports bring. Operators Heartbeat uses and the app does not count here.
 */
export async function rxjsBeyondAngular(scenario) {
  const rxjsBytes = async (source) =>
    (await measureBundle({ source }, { external: ['@angular/*'] })).files
      .filter((file) => file.path.includes('node_modules/rxjs/'))
      .reduce((sum, file) => sum + file.bytes, 0);
  return (await rxjsBytes(scenario.source)) - (await rxjsBytes(ANGULAR_RXJS));
}

/** A path relative to libs/heartbeat, without the content hash rollup gives a package's chunks (it changes with every edit). */
function shortPath(path) {
  return relative(WORKSPACE_ROOT, path.replace(/^[a-z-]+:/, ''))
    .replace(/^libs\/heartbeat\//, '')
    .replace(/-[A-Za-z0-9_-]{8}\.mjs$/, '.mjs');
}

/**
 * The names a minified ESM bundle imports from `from` and its subpaths, e.g. ["BehaviorSubject",
 * "map"] for rxjs: named imports, and the Angular instructions (`ɵ` names) it reads of a namespace
 * import, as the Angular linker writes them (`i0.ɵɵdefineComponent`). Only `ɵ` members: a minifier
 * reuses the namespace's short name for other variables in inner scopes.
 */
export function importedNames(code, from) {
  const names = new Set();
  const source = `["']${from.replace(/[/@]/g, (character) => `\\${character}`)}(?:\\/[^"']*)?["']`;
  for (const [, list] of code.matchAll(new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*${source}`, 'g'))) {
    for (const item of list.split(',')) names.add(item.trim().split(/\s+as\s+/)[0]);
  }
  for (const [, namespace] of code.matchAll(new RegExp(`import\\s*\\*\\s*as\\s+([\\w$]+)\\s*from\\s*${source}`, 'g'))) {
    for (const [, member] of code.matchAll(new RegExp(`(?<![\\w$.])${namespace.replace('$', '\\$')}\\.(ɵ[\\p{L}\\w$]*)`, 'gu'))) names.add(member);
  }
  return [...names].filter(Boolean).sort();
}

/**
 * What of @angular/core the Angular package must not import: runtime that an app would carry for it
 * and that weighs more than what it saves (docs/benchmarks.md#browser-bundle-the-angular-example):
 * `@defer` blocks, view and content queries (`viewChild()` and the like), `effect()`, the
 * after-render hooks (`afterRenderEffect()`, `afterNextRender()`, `afterEveryRender()`) and
 * `ngOnChanges`, whose feature keeps every input's change history (`ngDoCheck` does without).
 */
export const HEAVY_ANGULAR_APIS = [
  'effect',
  'afterRenderEffect',
  'afterNextRender',
  'afterEveryRender',
  'ɵɵdefer',
  'ɵɵviewQuerySignal',
  'ɵɵcontentQuerySignal',
  'ɵɵviewQuery',
  'ɵɵcontentQuery',
  'ɵɵNgOnChangesFeature',
];

/** A sentence per scenario over its budget: the size, the budget and what to do. */
export function budgetProblems(results, budgets = GZIP_BUDGETS) {
  return Object.entries(results)
    .filter(([name, { gzip }]) => gzip > budgets[name])
    .map(
      ([name, { gzip }]) =>
        `The ${name} bundle is ${gzip} bytes gzip, over its budget of ${budgets[name]} bytes (tools/size/bundle-size.mjs, GZIP_BUDGETS). ` +
        'Run `node tools/size/bundle-size.mjs` to see which files grew, and keep what an app may not use behind a with*() feature ' +
        '(docs/client.md#features); raise the budget only for a growth you mean, and note it in docs/benchmarks.md.',
    );
}

function report(name, measured) {
  const kb = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
  const lines = [`${name}: ${SCENARIOS[name].title}`, `  total ${kb(measured.bytes)} minified, ${kb(measured.gzip)} gzip -9 (${measured.gzip} bytes)`];
  for (const file of measured.files) lines.push(`  ${String(file.bytes).padStart(7)}  ${file.path}`);
  lines.push(`  rxjs imports: ${measured.rxjs.join(', ') || 'none'}`);
  lines.push(`  rxjs beyond @angular/core's own: ${kb(measured.rxjsBeyondAngular)} minified`);
  lines.push(`  @angular/core imports: ${measured.angular.join(', ') || 'none'}`);
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = {};
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    // The bundle's code is not printed: undefined leaves it out of the JSON.
    results[name] = { ...(await measureBundle(scenario)), code: undefined, rxjsBeyondAngular: await rxjsBeyondAngular(scenario) };
  }
  if (process.argv.includes('--json')) console.log(JSON.stringify(results, null, 2));
  else console.log(Object.entries(results).map(([name, measured]) => report(name, measured)).join('\n\n'));
}
