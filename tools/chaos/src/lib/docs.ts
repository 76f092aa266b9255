import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderScenario, type ScenarioResult } from './report.js';

export const RELIABILITY_DOC = fileURLToPath(new URL('../../../../docs/reliability.md', import.meta.url));

/** `<!-- chaos:<key>:begin -->` … `<!-- chaos:<key>:end -->`: the generated part of docs/reliability.md. */
function replaceBlock(text: string, key: string, body: string): string {
  const begin = `<!-- chaos:${key}:begin -->`;
  const end = `<!-- chaos:${key}:end -->`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/reliability.md has no ${begin} … ${end} markers`);
  return `${text.slice(0, from + begin.length)}\n${body.trim()}\n${text.slice(to)}`;
}

/** Writes the run's header and each scenario's figures between their markers; other scenarios' blocks are kept. */
export function writeDocs(results: readonly ScenarioResult[], run: { machine: string; startedAt: Date; command: string }): string {
  let text = readFileSync(RELIABILITY_DOC, 'utf8');
  const passed = results.every((r) => r.passed);
  text = replaceBlock(
    text,
    'run',
    [
      `Last run: ${run.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, \`${run.command}\`, ` +
        `${results.length} scenario(s) (${results.map((r) => r.id).join(', ')}), ${passed ? 'all passed' : 'SOME FAILED'}.`,
      '',
      `Machine: ${run.machine}; the server, the client processes and the chaos proxies share it.`,
    ].join('\n'),
  );
  for (const result of results) text = replaceBlock(text, result.id, renderScenario(result, 3));
  writeFileSync(RELIABILITY_DOC, text);
  return RELIABILITY_DOC;
}
