import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { docsExamples } from './docs-examples.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('docs/', () => {
  describe('the examples it shows', () => {
    const examples = docsExamples(join(ROOT, 'docs'));

    it('show the Nest and the Angular example', () => {
      const pages = new Set(examples.map((example) => example.page));
      expect(pages).toEqual(new Set(['server.md', 'angular.md']));
      expect(examples.map((example) => example.path)).toEqual(
        expect.arrayContaining(['examples/nest-app/src/app.module.ts', 'examples/nest-app/src/main.ts', 'examples/angular-app/src/app/app.config.ts', 'examples/angular-app/src/app/app.ts']),
      );
    });

    it.each(examples.map((example) => [`${example.page}:${example.line}`, example] as const))('%s shows its file as it is', (_where, example) => {
      expect(example.code).toBe(readFileSync(join(ROOT, example.path), 'utf8'));
    });
  });
});

describe('docsExamples', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'docs-examples-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the block under each marker', () => {
    writeFileSync(join(dir, 'page.md'), 'Intro\n<!-- file: examples/a.ts -->\n```ts\nconst a = 1;\n```\n');
    expect(docsExamples(dir)).toEqual([{ page: 'page.md', line: 2, path: 'examples/a.ts', code: 'const a = 1;\n' }]);
  });

  it('refuses a marker without a block under it', () => {
    writeFileSync(join(dir, 'page.md'), '<!-- file: examples/a.ts -->\nText\n');
    expect(() => docsExamples(dir)).toThrow('page.md:1: the marker for examples/a.ts must be followed by a fenced code block.');
  });
});
