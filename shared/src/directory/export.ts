import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { SmsState } from './user';
import type { SmsNumberRef, UserRow } from './user-view';

/**
 * The Users page as a CSV file for spreadsheets: the page's columns, UTF-8 with a
 * byte order mark (so Excel reads it as UTF-8), written row by row as the consumer
 * reads (csv-stringify in streaming mode behind a pull-based source).
 *
 * Spreadsheet formula injection (OWASP "CSV Injection"): a cell that starts with
 * `=`, `+`, `-`, `@`, tab or carriage return (or their full-width forms, which some
 * spreadsheet locales also accept) gets a leading `'`, so it is shown as text and
 * never evaluated. The SMS numbers column is the one exception: a value made only
 * of E.164 numbers (`+` and 1 to 15 digits, optionally with " (group owner)"),
 * joined by "; ", is left as is. Such a value cannot call a function or reach
 * another cell, and keeping the `+` intact keeps the numbers exact and machine
 * readable. Anything else in that column (stored data that is not E.164) is
 * neutralised like every other cell.
 */

export const USER_EXPORT_COLUMNS = ['Teams username', 'Display name', 'SMS numbers', 'License', 'SMS', 'Chat', 'Tags', 'Status'] as const;

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** Prefixes `'` to a cell a spreadsheet would read as a formula. */
export function neutraliseFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

const GROUP_OWNER_SUFFIX = ' (group owner)';
const SAFE_NUMBERS = /^\+\d{1,15}( \(group owner\))?(; \+\d{1,15}( \(group owner\))?)*$/;

/** "+15551234567; +15557654321 (group owner)": known-safe E.164 values stay as they are. */
export function numbersCell(numbers: readonly SmsNumberRef[]): string {
  const cell = numbers.map((ref) => (ref.role === 'group-owner' ? ref.number + GROUP_OWNER_SUFFIX : ref.number)).join('; ');
  return cell === '' || SAFE_NUMBERS.test(cell) ? cell : neutraliseFormula(cell);
}

const SMS_LABEL: Record<SmsState, string> = { enabled: 'Enabled', disabled: 'Disabled', 'not-configured': 'Not configured' };

export function statusLabel(row: Pick<UserRow, 'removed' | 'inSelection' | 'accountEnabled'>): string {
  if (row.removed) return 'Removed from directory';
  if (!row.inSelection) return 'Outside group selection';
  if (!row.accountEnabled) return 'Sign-in blocked';
  return 'Active';
}

/** One CSV record of a user, every cell safe to open in a spreadsheet. */
export function exportCells(row: UserRow): string[] {
  return [
    neutraliseFormula(row.username),
    neutraliseFormula(row.displayName),
    numbersCell(row.smsNumbers),
    row.license === 'with' ? 'With Teams license' : 'Without Teams license',
    SMS_LABEL[row.services.sms],
    row.services.chat === 'on' ? 'On' : 'Off',
    neutraliseFormula(row.tags.join('; ')),
    statusLabel(row),
  ];
}

/**
 * Streams the header and one record per row. Rows are pulled from `rows` only as
 * fast as the reader consumes the output (backpressure), so a large export never
 * sits in memory as a whole.
 */
export function usersCsv(rows: Iterable<UserRow> | AsyncIterable<UserRow>): Readable {
  const records = Readable.from(
    (async function* () {
      for await (const row of rows) yield exportCells(row);
    })(),
    { objectMode: true, highWaterMark: 64 },
  );
  // LF record delimiters (csv-stringify's default) with every CR and LF inside a cell quoted.
  const csv = stringify({ bom: true, header: true, columns: [...USER_EXPORT_COLUMNS], quote_record_delimiter: true });
  pipeline(records, csv, (error) => {
    if (error) csv.destroy(error);
  });
  return csv;
}

/** `users-contoso-2026-03-01.csv`: the enterprise's name made file-safe, and the date where the enterprise is. */
export function exportFileName(enterprise: { id: string; name: string; settings: { timeZone: string } }, at: Date): string {
  const slug = (value: string) =>
    value
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '');
  const name = slug(enterprise.name) || slug(enterprise.id) || 'enterprise';
  let date: string;
  try {
    date = new Intl.DateTimeFormat('en-CA', { timeZone: enterprise.settings.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  } catch {
    date = at.toISOString().slice(0, 10);
  }
  return `users-${name}-${date}.csv`;
}
