import { describe, expect, it } from '@jest/globals';
import { renderMarkdownTable, renderTextTable, type TextTable } from './text-table.js';

const TABLE: TextTable = {
  columns: [{ header: 'figure' }, { header: 'value', align: 'right' }],
  rows: [
    ['RSS', '12.5'],
    ['a|b', '1,000'],
  ],
};

describe('renderTextTable', () => {
  it('pads each column to its widest cell and right-aligns the numeric ones', () => {
    expect(renderTextTable(TABLE)).toBe(['figure  value', '──────  ─────', 'RSS      12.5', 'a|b     1,000'].join('\n'));
  });

  it('puts the title above', () => {
    expect(renderTextTable({ ...TABLE, title: 'Figures' }).split('\n')[0]).toBe('Figures');
  });
});

describe('renderMarkdownTable', () => {
  it('marks right-aligned columns and escapes pipes in cells', () => {
    expect(renderMarkdownTable(TABLE)).toBe(['| figure | value |', '|---|---:|', '| RSS | 12.5 |', '| a\\|b | 1,000 |'].join('\n'));
  });
});
