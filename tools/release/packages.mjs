// The published packages, and the steps every release path shares: build, stamp a version, pack.
// Used by check-packages.mjs, release-dry-run.mjs and tools/examples (docs/packages.md).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WORKSPACE_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Nx project, npm name and project root of each published package, dependencies first. */
export const PUBLISHED_PACKAGES = [
  { project: 'protocol', name: '@heartbeat/protocol', root: 'libs/heartbeat/protocol' },
  { project: 'client', name: '@heartbeat/client', root: 'libs/heartbeat/client' },
  { project: 'nest', name: '@heartbeat/nest', root: 'libs/heartbeat/nest' },
  { project: 'angular', name: '@heartbeat/angular', root: 'libs/heartbeat/angular' },
];

/** The folder that is packed: the build output with its published package.json. */
export function packageDir(pkg) {
  return join(WORKSPACE_ROOT, pkg.root, 'dist');
}

export function buildPackages() {
  const projects = PUBLISHED_PACKAGES.map((pkg) => pkg.project).join(',');
  execFileSync('npx', ['nx', 'run-many', '-t', 'build', '-p', projects, '--outputStyle=static'], {
    cwd: WORKSPACE_ROOT,
    stdio: 'inherit',
  });
}

/**
 * Copies every built package into `stage/<project>` and, when `version` is given, gives each that
 * version and each dependency on another published package the range `^version`, as `nx release
 * version` does in the workspace's manifests: the dry run and the examples publish versions of
 * their own without touching the workspace's files or its build output. Returns the staged folders.
 */
export function stagePackages(stage, version) {
  rmSync(stage, { recursive: true, force: true });
  const names = new Set(PUBLISHED_PACKAGES.map((pkg) => pkg.name));
  return PUBLISHED_PACKAGES.map((pkg) => {
    const dir = join(stage, pkg.project);
    cpSync(packageDir(pkg), dir, { recursive: true });
    if (version !== undefined) {
      const file = join(dir, 'package.json');
      const manifest = JSON.parse(readFileSync(file, 'utf8'));
      manifest.version = version;
      for (const name of Object.keys(manifest.dependencies ?? {})) {
        if (names.has(name)) manifest.dependencies[name] = `^${version}`;
      }
      writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
    }
    return { ...pkg, dir };
  });
}

/** Packs each staged package into `destination`; returns npm's report of each tarball. */
export function packPackages(staged, destination) {
  mkdirSync(destination, { recursive: true });
  return staged.map((pkg) => {
    const out = execFileSync('npm', ['pack', pkg.dir, '--pack-destination', destination, '--json', '--ignore-scripts'], {
      cwd: WORKSPACE_ROOT,
      encoding: 'utf8',
    });
    const [report] = JSON.parse(out);
    return { ...pkg, tarball: join(destination, report.filename), size: report.size, unpackedSize: report.unpackedSize, files: report.files.map((file) => file.path) };
  });
}
