import { parse } from 'csv-parse/sync';
import { ValidationError } from '../errors';
import type { Capabilities } from './number';

/**
 * Reading a CSV of numbers for the inventory (pure). Columns:
 *
 *   number,label,capabilities,carrier,extension
 *   +14155550123,Front desk,sms;mms,twilio-main,2104
 *
 * Only `number` is required. The header row is optional (without one, the columns are
 * taken in the order above) and may spell columns in other ways ("Phone number",
 * "Carrier connection", "Ext"); other columns are ignored. Accepts what spreadsheets
 * write: a byte order mark, CRLF or LF, quoted cells (commas, quotes, line breaks
 * inside), blank lines (trailing ones too), `;` or tab between cells instead of `,`
 * (the first line decides). Capabilities are words among sms, mms, voice, separated
 * by `;`, `,`, `|`, `+`, `/` or spaces; blank means SMS only.
 */

export const NUMBER_CSV_MAX_ROWS = 5000;
export const NUMBER_CSV_COLUMNS = ['number', 'label', 'capabilities', 'carrier', 'extension'] as const;
export type NumberCsvColumn = (typeof NUMBER_CSV_COLUMNS)[number];

const HEADER_NAMES: Record<NumberCsvColumn, readonly string[]> = {
  number: ['number', 'phone number', 'phone', 'did', 'e164', 'sms number', 'telephone number'],
  label: ['label', 'name', 'description'],
  capabilities: ['capabilities', 'capability', 'features'],
  carrier: ['carrier', 'carrier connection', 'carrier connection id', 'carrierconnectionid', 'connection'],
  extension: ['extension', 'ext', 'ext.'],
};
const squash = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');
const COLUMN_BY_NAME = new Map<string, NumberCsvColumn>(
  (Object.entries(HEADER_NAMES) as Array<[NumberCsvColumn, readonly string[]]>).flatMap(([column, names]) => names.map((name) => [squash(name), column] as const)),
);

export interface NumberCsvRow {
  /** The line of the file the row ends on (1-based; the header, if any, is line 1). */
  line: number;
  number: string;
  label: string;
  capabilities: string;
  carrier: string;
  extension: string;
}

export interface NumberCsv {
  rows: NumberCsvRow[];
  hasHeader: boolean;
  /** Header cells that are not number columns: ignored. */
  ignoredColumns: string[];
}

/** The delimiter the first line uses most, outside quotes: `,` unless `;` or tab clearly win. */
function detectDelimiter(text: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && char in counts) counts[char as keyof typeof counts]++;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[',']) return '\t';
  return ',';
}

export function readNumbersCsv(csv: string): NumberCsv {
  const text = csv.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new ValidationError('The CSV is empty: put one number per line, e.g. +14155550123,Front desk.', [{ path: 'csv', message: 'Empty.' }]);
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, {
      delimiter: detectDelimiter(text),
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      trim: true,
      info: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (error) {
    const message = `The CSV cannot be read: ${(error as Error).message}. Check the quotes on that line.`;
    throw new ValidationError(message, [{ path: 'csv', message }]);
  }
  if (records.length === 0) throw new ValidationError('The CSV has no rows.', [{ path: 'csv', message: 'No rows.' }]);

  const first = records[0]!.record;
  const mapped = first.map((cell) => COLUMN_BY_NAME.get(squash(cell)));
  const hasHeader = mapped.includes('number');
  const columns: Array<NumberCsvColumn | undefined> = hasHeader ? mapped : [...NUMBER_CSV_COLUMNS];
  const ignoredColumns = hasHeader ? first.filter((_, i) => mapped[i] === undefined && first[i] !== '') : [];
  const dataRecords = hasHeader ? records.slice(1) : records;
  if (dataRecords.length > NUMBER_CSV_MAX_ROWS) {
    const message = `The CSV has ${dataRecords.length} rows; add at most ${NUMBER_CSV_MAX_ROWS} at once (split the file).`;
    throw new ValidationError(message, [{ path: 'csv', message }]);
  }
  const rows = dataRecords.map(({ record, info }): NumberCsvRow => {
    const row: NumberCsvRow = { line: info.lines, number: '', label: '', capabilities: '', carrier: '', extension: '' };
    record.forEach((cell, i) => {
      const column = columns[i];
      if (column && row[column] === '') row[column] = cell;
    });
    return row;
  });
  return { rows, hasHeader, ignoredColumns };
}

/** "sms;mms" → { sms, mms }; blank → undefined (the default); unknown words → the problem. */
export function parseCapabilities(cell: string): { capabilities?: Capabilities; problem?: string } {
  const words = cell.toLowerCase().split(/[\s;,|+/]+/).filter(Boolean);
  if (words.length === 0) return {};
  const capabilities: Capabilities = { sms: false, mms: false, voice: false };
  const unknown: string[] = [];
  for (const word of words) {
    if (word === 'sms' || word === 'mms' || word === 'voice') capabilities[word] = true;
    else unknown.push(word);
  }
  if (unknown.length > 0) return { problem: `Unknown capabilit${unknown.length === 1 ? 'y' : 'ies'} "${unknown.join('", "')}": use sms, mms and voice, e.g. "sms;mms".` };
  return { capabilities };
}
