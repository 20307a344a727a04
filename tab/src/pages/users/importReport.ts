import type { SmsImportReport } from '../../api/users';

/** The import columns as the template names them. */
export const FIELD_NAMES = { username: 'Teams username', numbers: 'SMS numbers', enabled: 'Enable SMS', tags: 'Tags', row: 'Row' } as const;

export interface ReportProblem {
  line: number;
  username: string;
  field: string;
  severity: 'error' | 'warning';
  message: string;
}

/** At most this many problems are listed (the summary counts them all). */
export const MAX_LISTED = 500;

/** One line per problem, errors first, then by row. */
export function problemsOf(report: SmsImportReport): ReportProblem[] {
  const all: ReportProblem[] = [];
  for (const row of report.rows) {
    for (const problem of row.problems) {
      all.push({ line: row.line, username: row.username, field: FIELD_NAMES[problem.field], severity: problem.severity, message: problem.message });
    }
  }
  all.sort((a, b) => (a.severity === b.severity ? a.line - b.line : a.severity === 'error' ? -1 : 1));
  return all.slice(0, MAX_LISTED);
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** "12 rows: 10 ready, 1 with warnings, 1 with errors; 3 change nothing." */
export function reportSummary(report: SmsImportReport): string {
  const { rows, ok, warnings, errors, unchanged } = report.summary;
  const parts = [`${plural(ok, 'ready', 'ready')}`];
  if (warnings > 0) parts.push(`${warnings.toLocaleString('en-US')} with warnings`);
  if (errors > 0) parts.push(`${errors.toLocaleString('en-US')} with errors`);
  const tail = unchanged > 0 ? `; ${plural(unchanged, 'row changes', 'rows change')} nothing` : '';
  const ignored = report.ignoredColumns.length > 0 ? ` Ignored columns: ${report.ignoredColumns.join(', ')}.` : '';
  return `${plural(rows, 'row', 'rows')}: ${parts.join(', ')}${tail}.${ignored}`;
}
