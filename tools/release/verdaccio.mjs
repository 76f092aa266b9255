// A throwaway npm registry for the release dry run and the examples: Verdaccio 6.8 on a free
// loopback port, storage in a temporary folder, only `@heartbeat/*` hosted (apps take everything
// else from the public registry, as users do), one user whose token publishes. The user's own npm
// configuration stays in force: the registry and its token are passed per command.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanup.mjs';
import { WORKSPACE_ROOT } from './packages.mjs';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

export async function startVerdaccio() {
  const home = mkdtempSync(join(tmpdir(), 'heartbeat-verdaccio-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  writeFileSync(
    join(home, 'config.yaml'),
    [
      `storage: ${join(home, 'storage')}`,
      'auth:',
      '  htpasswd:',
      `    file: ${join(home, 'htpasswd')}`,
      'uplinks: {}',
      'packages:',
      "  '@heartbeat/*':",
      '    access: $all',
      '    publish: $authenticated',
      '    unpublish: $authenticated',
      'web:',
      '  enable: false',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'node_modules/verdaccio/bin/verdaccio'), '--config', join(home, 'config.yaml'), '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const stop = onCleanup(async () => {
    await stopChild(child);
    rmSync(home, { recursive: true, force: true });
  });
  try {
    await waitForPing(url, child, () => output);
    const token = await addUser(url);
    const auth = `--//127.0.0.1:${port}/:_authToken=${token}`;
    return {
      url,
      /** The line of an app's .npmrc that takes `@heartbeat/*` from this registry. */
      scopeConfig: `@heartbeat:registry=${url}\n`,
      publish: (tarball, tag = 'latest') => {
        execFileSync('npm', ['publish', tarball, '--registry', url, auth, '--tag', tag, '--ignore-scripts', '--loglevel=warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function waitForPing(url, child, output) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Verdaccio exited with code ${child.exitCode} before it answered:\n${output()}`);
    try {
      if ((await fetch(`${url}-/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Verdaccio did not answer ${url}-/ping within ${START_TIMEOUT_MS / 1000} s:\n${output()}`);
}

async function addUser(url) {
  const response = await fetch(`${url}-/user/org.couchdb.user:release`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'release', password: 'release-dry-run' }),
  });
  if (!response.ok) throw new Error(`Verdaccio refused to create the publishing user: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()).token;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
