/** A scenario's outcome: its figures (printed as tables) and the checks of its guarantee. */

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Table {
  title?: string;
  header: string[];
  rows: (string | number)[][];
}

export interface ScenarioResult {
  id: string;
  title: string;
  /** The guarantee under test, one sentence. */
  guarantee: string;
  /** The set-up, one line (clients, rates, settings). */
  setup: string;
  tables: Table[];
  checks: Check[];
  passed: boolean;
  durationMs: number;
  /** Share of the machine's CPU busy in the second before the scenario started (other load skews the figures). */
  cpuBusyBefore?: number;
  /** Everything measured, for the JSON output. */
  data: Record<string, unknown>;
}

export class ScenarioBuilder {
  readonly tables: Table[] = [];
  readonly checks: Check[] = [];
  readonly data: Record<string, unknown> = {};
  private readonly startedAt = Date.now();

  constructor(
    readonly id: string,
    readonly title: string,
    readonly guarantee: string,
  ) {}

  setup = '';

  /** A two-column table of figures. */
  figures(rows: [string, string | number][], title?: string): void {
    this.tables.push({ ...(title ? { title } : {}), header: ['figure', 'value'], rows });
  }

  table(table: Table): void {
    this.tables.push(table);
  }

  check(name: string, ok: boolean, detail: string): void {
    this.checks.push({ name, ok, detail });
  }

  /** A failure that stopped the scenario before its checks. */
  fail(error: unknown): void {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.checks.push({ name: 'scenario ran to the end', ok: false, detail: message.split('\n').slice(0, 6).join(' | ') });
  }

  result(): ScenarioResult {
    return {
      id: this.id,
      title: this.title,
      guarantee: this.guarantee,
      setup: this.setup,
      tables: this.tables,
      checks: this.checks,
      passed: this.checks.length > 0 && this.checks.every((c) => c.ok),
      durationMs: Date.now() - this.startedAt,
      data: this.data,
    };
  }
}

function cell(value: string | number): string {
  return String(value).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function markdownTable(table: Table): string {
  const lines = [`| ${table.header.map(cell).join(' | ')} |`, `|${table.header.map(() => '---').join('|')}|`];
  for (const row of table.rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

/** The scenario as Markdown: heading, guarantee, set-up, tables, checks. Used for the console and the docs. */
export function renderScenario(result: ScenarioResult, headingLevel = 3): string {
  const parts = [
    `${'#'.repeat(headingLevel)} ${result.title} — ${result.passed ? 'passed' : 'FAILED'} (${(result.durationMs / 1000).toFixed(1)} s)`,
    '',
    `*Guarantee:* ${result.guarantee}`,
    '',
    `*Set-up:* ${result.setup}` +
      (result.cpuBusyBefore === undefined ? '' : ` CPU busy before the start: ${Math.round(result.cpuBusyBefore * 100)} %.`),
  ];
  for (const table of result.tables) {
    parts.push('');
    if (table.title) parts.push(`${table.title}:`, '');
    parts.push(markdownTable(table));
  }
  parts.push('');
  for (const check of result.checks) parts.push(`- ${check.ok ? '✔' : '✘'} ${check.name}: ${check.detail}`);
  return parts.join('\n');
}
