/**
 * Replaces one `## heading` section of a Markdown document (up to the next `## `) or appends it,
 * leaving the others as they are: several tools write their own section of docs/benchmarks.md.
 */
export function upsertSection(document: string, heading: string, body: string): string {
  const section = `${heading}\n\n${body.trim()}\n`;
  const lines = document.split('\n');
  const start = lines.findIndex((line) => line.trimEnd() === heading);
  if (start < 0) return `${document.trimEnd()}\n\n${section}`;
  const next = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  const before = lines.slice(0, start).join('\n');
  const after = next < 0 ? '' : `\n${lines.slice(next).join('\n')}`;
  return `${before}${before ? '\n' : ''}${section}${after}`;
}
