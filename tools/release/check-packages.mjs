#!/usr/bin/env node
// `npm run check:packages`: builds and packs the published packages, then holds every tarball to
// what docs/packages.md promises: publint and @arethetypeswrong/cli clean, no build leftovers, source
// maps that carry their sources, exports that resolve inside the tarball, semver ranges, README,
// LICENSE and CHANGELOG. Prints each tarball's size and every problem of every package; exits 1
// when there is any.
//
//   npm run check:packages [-- --no-build]
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { readFileSync, realpathSync } from 'node:fs';
import { join, posix } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { WORKSPACE_ROOT, buildPackages, packPackages, stagePackages } from './packages.mjs';

const REQUIRED_FILES = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'];
const LEFTOVERS = [/\.tsbuildinfo$/, /\.d\.ts\.map$/, /\.spec\./, /(^|\/)src\//, /\.ts$(?<!\.d\.ts)/];

/** The files of an npm tarball, by path inside `package/`. */
export function readTarball(path) {
  const tar = gunzipSync(readFileSync(path));
  const files = new Map();
  let longName;
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start, length) => header.subarray(start, start + length).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const body = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      // A pax header: npm writes one for paths longer than ustar's 100 + 155 characters.
      longName = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1];
      continue;
    }
    const prefix = field(345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    if (type === '0' || type === '') files.set(name.replace(/^package\//, ''), body);
  }
  return files;
}

/** Problems of one tarball's contents and manifest, as sentences; empty when it is clean. */
export function contentProblems(files, publishedNames) {
  const problems = [];
  for (const required of REQUIRED_FILES) {
    if (!files.has(required)) problems.push(`${required} is missing: every package ships one.`);
  }
  for (const path of files.keys()) {
    if (LEFTOVERS.some((pattern) => pattern.test(path))) problems.push(`${path} is a build leftover or a source file; it must not be packed.`);
    if (path.endsWith('.map')) {
      const map = JSON.parse(files.get(path).toString('utf8'));
      const embedded = map.sourcesContent?.filter((content) => typeof content === 'string').length ?? 0;
      if (embedded !== map.sources.length) problems.push(`${path} names ${map.sources.length} sources but embeds ${embedded}: set inlineSources, or ship no maps.`);
    }
  }
  if (!files.has('package.json')) return problems;
  const manifest = JSON.parse(files.get('package.json').toString('utf8'));
  const text = JSON.stringify(manifest);
  if (text.includes('@heartbeat/source')) problems.push('package.json still has the workspace-only "@heartbeat/source" condition.');
  for (const field of ['devDependencies', 'scripts', 'files']) {
    if (manifest[field]) problems.push(`package.json has "${field}", which the published manifest drops.`);
  }
  problems.push(...typeImportProblems(files, manifest));
  for (const target of exportTargets(manifest.exports)) {
    if (!files.has(target.replace(/^\.\//, ''))) problems.push(`exports points at ${target}, which is not in the tarball.`);
  }
  for (const kind of ['dependencies', 'peerDependencies']) {
    for (const [name, range] of Object.entries(manifest[kind] ?? {})) {
      if (!/^[~^>]|\|\|/.test(range)) problems.push(`${kind}.${name} is "${range}": use a semver range (^x.y.z) so apps can share one copy.`);
      if (kind === 'dependencies' && publishedNames.has(name) && range !== `^${manifest.version}`) {
        problems.push(`dependencies.${name} is "${range}"; packages of one release depend on each other as ^${manifest.version}.`);
      }
    }
  }
  return problems;
}

/**
 * The published declarations an app reads (from the `types` of `exports`, following relative
 * imports) may import only what every app that installs the package has: its dependencies and
 * required peers. A type from an optional peer (ioredis) breaks type-checking in apps without it.
 */
function typeImportProblems(files, manifest) {
  const optional = new Set(Object.keys(manifest.peerDependenciesMeta ?? {}).filter((name) => manifest.peerDependenciesMeta[name].optional));
  const available = new Set([manifest.name, ...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})].filter((name) => !optional.has(name)));
  const queue = exportTargets(manifest.exports).filter((target) => /\.d\.[cm]?ts$/.test(target)).map((target) => target.replace(/^\.\//, ''));
  const seen = new Set();
  const problems = [];
  while (queue.length > 0) {
    const path = queue.shift();
    if (seen.has(path) || !files.has(path)) continue;
    seen.add(path);
    for (const [, specifier] of files.get(path).toString('utf8').matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)) {
      if (specifier.startsWith('.')) {
        queue.push(posix.join(posix.dirname(path), specifier).replace(/\.([cm]?)js$/, '.d.$1ts'));
        continue;
      }
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
      if (name.startsWith('node:') || builtinModules.includes(name) || available.has(name)) continue;
      problems.push(`${path} imports types from ${specifier}, which ${optional.has(name) ? 'is an optional peer' : 'is not a dependency or peer'}: apps without it cannot type-check this package.`);
    }
  }
  return problems;
}

function exportTargets(node) {
  if (node === undefined) return [];
  if (typeof node === 'string') return [node];
  return Object.values(node).flatMap(exportTargets);
}

async function publintProblems(tarballPath) {
  const buffer = readFileSync(tarballPath);
  const { messages, pkg } = await publint({ pack: { tarball: buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.length) }, level: 'suggestion', strict: true });
  return messages.map((message) => `publint ${message.type}: ${formatMessage(message, pkg, { color: false })}`);
}

/**
 * attw with its esm-only profile: the packages are native ESM, as Nest 12 and Angular are, so the
 * node10 and node16-from-CommonJS resolutions, which model a TypeScript that cannot require() ESM,
 * are not checked; a CommonJS Nest app on Node 20.19+ is tested instead (docs/packages.md).
 */
function attwProblems(tarballPath) {
  try {
    execFileSync(join(WORKSPACE_ROOT, 'node_modules/.bin/attw'), [tarballPath, '--profile', 'esm-only', '--no-color', '--no-emoji', '--format', 'ascii'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return [];
  } catch (error) {
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim() || error.message;
    return [`@arethetypeswrong/cli reports problems:\n${output}`];
  }
}

/** Checks every tarball; `version` stages the packages under that version first (the dry run). */
export async function checkPackages({ build = true, version, work = join(WORKSPACE_ROOT, 'tmp/packages') } = {}) {
  if (build) buildPackages();
  const packed = packPackages(stagePackages(join(work, 'stage'), version), join(work, 'tarballs'));
  const publishedNames = new Set(packed.map((pkg) => pkg.name));
  const results = [];
  for (const pkg of packed) {
    const files = readTarball(pkg.tarball);
    const problems = [...contentProblems(files, publishedNames), ...(await publintProblems(pkg.tarball)), ...attwProblems(pkg.tarball)];
    results.push({ ...pkg, problems });
  }
  return results;
}

/** Prints the size table and every problem; false when a package has problems. */
export function reportChecks(results) {
  console.log('\npackage               tarball     unpacked   files  problems');
  for (const result of results) {
    console.log(`${result.name.padEnd(22)}${kib(result.size).padStart(8)}  ${kib(result.unpackedSize).padStart(9)}  ${String(result.files.length).padStart(5)}  ${result.problems.length}`);
  }
  const failed = results.filter((result) => result.problems.length > 0);
  for (const result of failed) {
    console.error(`\n${result.name} (${result.tarball}):`);
    for (const problem of result.problems) console.error(`- ${problem}`);
  }
  if (failed.length > 0) {
    console.error(`\n${failed.length} of ${results.length} packages are not ready to publish: fix the problems above and rerun npm run check:packages.`);
    return false;
  }
  console.log(`\nAll ${results.length} packages pass publint, @arethetypeswrong/cli (esm-only) and the content checks.`);
  return true;
}

async function main() {
  const results = await checkPackages({ build: !process.argv.includes('--no-build') });
  if (!reportChecks(results)) process.exit(1);
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

// Run as a command, not when the release dry run or the examples import it.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) await main();
