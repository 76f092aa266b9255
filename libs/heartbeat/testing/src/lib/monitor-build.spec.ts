import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MONITOR_BUILD, monitorBuildMissing } from './monitor-build.js';

const repositoryRoot = fileURLToPath(new URL('../../../../../', import.meta.url));

describe('MONITOR_BUILD', () => {
  it('names the files the monitor server build writes (apps/monitor-server/bundle.mjs)', () => {
    expect(relative(repositoryRoot, MONITOR_BUILD.main)).toBe(join('apps', 'monitor-server', 'dist', 'main.js'));
    expect(relative(repositoryRoot, MONITOR_BUILD.app)).toBe(join('apps', 'monitor-server', 'dist', 'monitor-app.js'));
  });
});

describe('monitorBuildMissing', () => {
  let folder: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'monitor-build-'));
  });

  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('returns null when the file is there', () => {
    const file = join(folder, 'main.js');
    writeFileSync(file, '');
    expect(monitorBuildMissing(file)).toBeNull();
    expect(monitorBuildMissing(file, 'npm run bench')).toBeNull();
  });

  it('names the missing file and the command that builds it', () => {
    const file = join(folder, 'main.js');
    expect(monitorBuildMissing(file)).toBe(`The monitor server is not built (${file} is missing): run "npx nx run monitor-server:build".`);
  });

  it('names the npm script that builds it first, when there is one', () => {
    const file = join(folder, 'monitor-app.js');
    expect(monitorBuildMissing(file, 'npm run bench')).toBe(
      `The monitor server is not built (${file} is missing): run "npx nx run monitor-server:build", or use npm run bench, which builds it.`,
    );
  });
});
