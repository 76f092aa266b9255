import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** A fenced block of a doc page that shows a file of examples/, as `<!-- file: <path> -->` marks it. */
export interface DocsExample {
  page: string;
  line: number;
  path: string;
  code: string;
}

const MARKER = /^<!-- file: (\S+) -->$/;

/** Every marked block of the Markdown pages in `docsDir`; a marker must sit right above a fence. */
export function docsExamples(docsDir: string): DocsExample[] {
  const examples: DocsExample[] = [];
  for (const page of readdirSync(docsDir).filter((name) => name.endsWith('.md'))) {
    const lines = readFileSync(join(docsDir, page), 'utf8').split('\n');
    lines.forEach((text, index) => {
      const path = MARKER.exec(text)?.[1];
      if (path === undefined) return;
      const fence = /^(`{3,})\w*$/.exec(lines[index + 1] ?? '')?.[1];
      if (fence === undefined) throw new Error(`${page}:${index + 1}: the marker for ${path} must be followed by a fenced code block.`);
      const end = lines.indexOf(fence, index + 2);
      if (end === -1) throw new Error(`${page}:${index + 2}: the code block for ${path} is not closed.`);
      examples.push({ page, line: index + 1, path, code: `${lines.slice(index + 2, end).join('\n')}\n` });
    });
  }
  return examples;
}
