#!/usr/bin/env node
// `npm run release:dry-run [-- <specifier>]`: a rehearsal of a release that leaves the workspace as it
// was (docs/packages.md). nx release works out the next version (default: the next `rc`
// prerelease) and prints the manifest and CHANGELOG changes it would make; the packages are built,
// staged under that version, packed and checked (publint, attw, contents), then published to a
// throwaway Verdaccio; a Nest app and an Angular app each install their one package from it, which
// proves the dependencies resolve and that neither side's peers reach the other.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseChangelog, releaseVersion } from 'nx/release';
import { checkPackages, reportChecks } from './check-packages.mjs';
import { onCleanup } from './cleanup.mjs';
import { WORKSPACE_ROOT, buildPackages } from './packages.mjs';
import { startVerdaccio } from './verdaccio.mjs';

/** What an app of each kind installs, and the packages that must then stay out of its node_modules. */
const INSTALL_PROBES = [
  { app: 'a Nest app', install: ['@heartbeat/nest'], absent: ['@angular/core', '@heartbeat/angular', '@heartbeat/client'] },
  { app: 'an Angular app', install: ['@heartbeat/angular'], absent: ['@nestjs/common', '@heartbeat/nest', 'ws'] },
];

const specifier = process.argv[2] ?? 'prerelease';

const { workspaceVersion, projectsVersionData } = await releaseVersion({ specifier, preid: 'rc', dryRun: true, verbose: false });
if (!workspaceVersion) throw new Error('nx release found no new version: check the "release" section of nx.json.');
const hasTag = execFileSync('git', ['tag', '--list', 'v*'], { cwd: WORKSPACE_ROOT, encoding: 'utf8' }).trim() !== '';
await releaseChangelog({ versionData: projectsVersionData, version: workspaceVersion, dryRun: true, firstRelease: !hasTag, verbose: false });

buildPackages();
const results = await checkPackages({ build: false, version: workspaceVersion, work: join(WORKSPACE_ROOT, 'tmp/release') });
if (!reportChecks(results)) process.exit(1);

const registry = await startVerdaccio();
try {
  for (const result of results) {
    registry.publish(result.tarball, 'next');
    console.log(`published ${result.name}@${workspaceVersion} to ${registry.url}`);
  }
  for (const probe of INSTALL_PROBES) probeInstall(probe, registry);
} finally {
  await registry.stop();
}
console.log(`\nRelease dry run of ${workspaceVersion} passed; the workspace's manifests and changelogs are unchanged.`);

/** Installs `probe.install` alone into an empty app and fails if any copy of `probe.absent` comes with it. */
function probeInstall(probe, registry) {
  const app = mkdtempSync(join(tmpdir(), 'heartbeat-install-'));
  const removeApp = onCleanup(() => rmSync(app, { recursive: true, force: true }));
  try {
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'install-probe', private: true, type: 'module' }));
    writeFileSync(join(app, '.npmrc'), registry.scopeConfig);
    const specs = probe.install.map((name) => `${name}@${workspaceVersion}`);
    execFileSync('npm', ['install', ...specs, '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-online'], { cwd: app, stdio: ['ignore', 'ignore', 'inherit'] });
    // Every copy, nested ones too: `npm ls --all --parseable` prints each installed package's path.
    const paths = execFileSync('npm', ['ls', '--all', '--parseable'], { cwd: app, encoding: 'utf8' }).split('\n');
    const intruders = probe.absent.filter((name) => paths.some((path) => path.endsWith(`/node_modules/${name}`)));
    if (intruders.length > 0) throw new Error(`Installing ${specs.join(' ')} into ${probe.app} also installed ${intruders.join(', ')}: a dependency or peer reaches the wrong side.`);
    console.log(`${probe.app}: npm install ${specs.join(' ')} resolves every dependency and peer, without ${probe.absent.join(', ')}`);
  } finally {
    removeApp();
  }
}
