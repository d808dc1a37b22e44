/**
 * Prints scenario rows as a table and a summary line.
 */
import { problems, Row, ScenarioResult } from './scenarios/types';

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** The rows of every result as one table: architecture | what | where | expected | arrived | ok. */
export function formatRows(results: readonly ScenarioResult[]): string {
  const rows: Row[] = results.flatMap(r => r.rows);
  return table(['architecture', 'what', 'where', 'expected', 'arrived', 'ok'],
    rows.map(r => [r.architecture, r.what, r.where, String(r.expected), String(r.arrived), r.ok ? 'ok' : 'FAIL']));
}

/** Whether every row of every result is ok. */
export function allOk(results: readonly ScenarioResult[]): boolean {
  return results.every(r => r.rows.every(row => row.ok));
}

/** Table, then what failed (with ids), then one summary line. */
export function formatReport(results: readonly ScenarioResult[]): string {
  const rows = results.flatMap(r => r.rows);
  const failed = rows.filter(r => !r.ok).length;
  const lines = [formatRows(results), ''];
  for (const result of results) {
    for (const problem of problems(result)) lines.push(`FAIL ${result.architecture}: ${problem}`);
  }
  const perArchitecture = results.map(r => `${r.architecture} ${r.rows.filter(x => x.ok).length}/${r.rows.length} (${(r.durationMs / 1000).toFixed(1)} s)`).join(', ');
  lines.push(`${failed === 0 ? 'PASS' : 'FAIL'}: ${rows.length - failed} of ${rows.length} checks ok across ${results.length} architecture(s): ${perArchitecture}`);
  return lines.join('\n');
}

/**
 * The row of a result that a test asserts on: the first whose `what` starts with `prefix`, else
 * the first whose `where: what` does; with `where`, only rows of that place. Throws, listing the
 * rows there are, when none matches.
 */
export function findRow(result: ScenarioResult, prefix: string, where?: string): Row {
  const rows = result.rows.filter(r => where === undefined || r.where === where);
  const found = rows.find(r => r.what.startsWith(prefix)) ?? rows.find(r => `${r.where}: ${r.what}`.startsWith(prefix));
  if (!found) {
    throw new Error(`no row "${where ? `${where}: ` : ''}${prefix}" in ${result.rows.map(r => `${r.where}: ${r.what}`).join(' / ')}`);
  }
  return found;
}
