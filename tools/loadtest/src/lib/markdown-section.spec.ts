import { describe, expect, it } from '@jest/globals';
import { upsertSection } from './markdown-section.js';

const DOC = ['# Benchmarks', '', 'Intro.', '', '## Frames', '', 'old frames', '', '## Connections', '', 'old connections', ''].join('\n');

describe('upsertSection', () => {
  it('replaces a section up to the next heading of its level, keeping the others apart by a blank line', () => {
    const next = upsertSection(DOC, '## Frames', 'new frames');
    expect(next).toBe(['# Benchmarks', '', 'Intro.', '', '## Frames', '', 'new frames', '', '## Connections', '', 'old connections', ''].join('\n'));
  });

  it('replaces the last section up to the end', () => {
    expect(upsertSection(DOC, '## Connections', 'new').endsWith('## Connections\n\nnew\n')).toBe(true);
  });

  it('appends a section that is not there yet', () => {
    expect(upsertSection('# Benchmarks\n', '## New', 'body')).toBe('# Benchmarks\n\n## New\n\nbody\n');
  });

  it('leaves a document alone when written twice with the same body', () => {
    const once = upsertSection(DOC, '## Frames', 'same');
    expect(upsertSection(once, '## Frames', 'same')).toBe(once);
  });
});
