#!/usr/bin/env node
// Turns a library's build output (`<project>/dist`) into the folder that is packed and published:
// the package.json users install, plus README.md, LICENSE and CHANGELOG.md (docs/packages.md).
// The workspace's own package.json keeps the `@heartbeat/source` condition, which points the
// monorepo's tools at src/; the published one drops it, because src/ is not shipped and every
// `exports` target must resolve inside the tarball.
//
//   node tools/release/write-package-manifest.mjs libs/heartbeat/protocol
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SOURCE_CONDITION = '@heartbeat/source';
const DROPPED_FIELDS = ['files', 'devDependencies', 'scripts', 'nx'];
const SHIPPED_FILES = ['README.md', 'LICENSE', 'CHANGELOG.md'];

/** The package.json to publish from `dist/`, given the workspace's package.json. */
function publishedManifest(manifest) {
  const out = {};
  for (const [key, value] of Object.entries(manifest)) {
    if (DROPPED_FIELDS.includes(key)) continue;
    if (key === 'exports') out.exports = rewriteExports(value);
    else if (key === 'main' || key === 'types' || key === 'module') out[key] = fromDist(value);
    else out[key] = value;
  }
  return out;
}

function rewriteExports(node) {
  if (typeof node === 'string') return fromDist(node);
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === SOURCE_CONDITION) continue;
    out[key] = rewriteExports(value);
  }
  return out;
}

function fromDist(path) {
  if (path === './package.json') return path;
  if (!path.startsWith('./dist/')) {
    throw new Error(`"${path}" is outside dist/, so it would not be in the published package; point it at the build output under ./dist/.`);
  }
  return `./${path.slice('./dist/'.length)}`;
}

function main(projectRoot) {
  if (!projectRoot) {
    console.error('Usage: node tools/release/write-package-manifest.mjs <project root>, e.g. libs/heartbeat/protocol');
    process.exit(2);
  }
  const manifest = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8'));
  const dist = join(projectRoot, 'dist');
  if (!existsSync(dist)) {
    console.error(`${dist} does not exist: build the library first (npx nx build <project>).`);
    process.exit(1);
  }
  writeFileSync(join(dist, 'package.json'), `${JSON.stringify(publishedManifest(manifest), null, 2)}\n`);
  // tsc -b keeps its build info beside the output, so that deleting dist/ means rebuilding it.
  writeFileSync(join(dist, '.npmignore'), '*.tsbuildinfo\n');
  for (const file of SHIPPED_FILES) {
    if (!existsSync(join(projectRoot, file))) {
      console.error(`${join(projectRoot, file)} is missing: every published package ships a ${file}.`);
      process.exit(1);
    }
    copyFileSync(join(projectRoot, file), join(dist, file));
  }
}

main(process.argv[2]);
