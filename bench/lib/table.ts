/** A plain table: the runner prints it as aligned Markdown and stores it in the JSON. */
export interface Table {
  readonly title: string;
  readonly columns: string[];
  /** Cells already formatted as text; numbers are right-aligned when `numeric[i]` is true. */
  readonly rows: string[][];
  readonly numeric?: boolean[];
}

/** Renders a Markdown table whose columns line up in a terminal too. */
export function renderTable(table: Table): string {
  const widths = table.columns.map((c, i) => Math.max(c.length, ...table.rows.map(r => (r[i] ?? '').length)));
  const cell = (text: string, i: number) => (table.numeric?.[i] ? text.padStart(widths[i]) : text.padEnd(widths[i]));
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (table.numeric?.[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [`### ${table.title}`, '', line(table.columns), rule, ...table.rows.map(line)].join('\n');
}
