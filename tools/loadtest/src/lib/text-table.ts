/** Tables of figures, for the terminal (aligned columns) and for Markdown documents. */

export interface TableColumn {
  readonly header: string;
  /** Numbers read best right-aligned. Default left. */
  readonly align?: 'left' | 'right';
}

export interface TextTable {
  readonly title?: string;
  readonly columns: readonly TableColumn[];
  readonly rows: readonly (readonly string[])[];
}

/** Monospace layout: a header, a rule, and the rows, columns padded to their widest cell. */
export function renderTextTable(table: TextTable): string {
  const widths = table.columns.map((column, i) => Math.max(column.header.length, ...table.rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    table.columns
      .map((column, i) => {
        const cell = cells[i] ?? '';
        const width = widths[i] as number;
        return column.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  const lines = [line(table.columns.map((column) => column.header)), widths.map((width) => '─'.repeat(width)).join('  '), ...table.rows.map(line)];
  return table.title ? [table.title, ...lines].join('\n') : lines.join('\n');
}

/** GitHub Markdown: pipes in cells are escaped, right-aligned columns marked `---:`. */
export function renderMarkdownTable(table: TextTable): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const row = (cells: readonly string[]) => `| ${table.columns.map((_, i) => escape(cells[i] ?? '')).join(' | ')} |`;
  const rule = `|${table.columns.map((column) => (column.align === 'right' ? '---:' : '---')).join('|')}|`;
  const body = [row(table.columns.map((column) => column.header)), rule, ...table.rows.map(row)].join('\n');
  return table.title ? `${table.title}\n\n${body}` : body;
}
