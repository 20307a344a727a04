import { ValidationError } from '../errors';
import { CsvError, parse } from 'csv-parse/sync';

/**
 * Reading the bulk SMS import file (pure: no storage, no server).
 *
 * One row per directory user, four columns:
 *
 *   Teams username,SMS numbers,Enable SMS,Tags
 *   jane.doe@contoso.com,+14155550123,yes,Sales;VIP
 *   john.smith@contoso.com,+14155550124;+442079460958,no,
 *
 * The reader accepts what spreadsheets write: UTF-8 with or without a byte order mark
 * (and UTF-16 with one, as Excel's "Unicode text" is), CRLF, LF or CR line ends, quoted
 * cells with commas, doubled quotes and line breaks inside, blank rows and blank trailing
 * columns, and `;` or tab instead of `,` between cells (spreadsheets in locales with a
 * decimal comma write `;`): the header line decides. Rows whose first cell starts with
 * `#` are comments (the template's examples are written that way).
 *
 * Row numbers are the ones a spreadsheet shows: the header is row 1, and every record
 * after it counts, blank or not (a cell with a line break inside stays one row).
 */

export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;
export const IMPORT_MAX_ROWS = 20_000;

/** The columns, as the template writes them; the header may spell them in other ways (`COLUMN_NAMES`). */
export const IMPORT_COLUMNS = {
  username: 'Teams username',
  numbers: 'SMS numbers',
  enabled: 'Enable SMS',
  tags: 'Tags',
} as const;
export type ImportColumn = keyof typeof IMPORT_COLUMNS;

/** Header spellings accepted for each column (compared case-, space- and punctuation-insensitively). */
const COLUMN_NAMES: Record<ImportColumn, readonly string[]> = {
  username: ['Teams username', 'Teams user name', 'Username', 'User name', 'User principal name', 'UPN', 'Teams user', 'TeamsUserID'],
  numbers: ['SMS numbers', 'SMS number', 'Numbers', 'Number', 'Phone numbers', 'Phone number'],
  enabled: ['Enable SMS', 'SMS enabled', 'SMS', 'Enabled', 'SMS service'],
  tags: ['Tags', 'Tag', 'User tags'],
};
const REQUIRED_COLUMNS: readonly ImportColumn[] = ['username', 'numbers', 'enabled'];

export const IMPORT_HEADER = Object.values(IMPORT_COLUMNS).join(',');

const fold = (name: string) =>
  name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
const COLUMN_BY_NAME = new Map<string, ImportColumn>(
  (Object.entries(COLUMN_NAMES) as Array<[ImportColumn, readonly string[]]>).flatMap(([column, names]) => names.map((name) => [fold(name), column] as const)),
);

/** One data row of the file, its cells as written (trimmed). `tags` is absent when the file has no Tags column. */
export interface ImportRowInput {
  /** The row number a spreadsheet shows (the header is row 1). */
  line: number;
  username: string;
  numbers: string;
  enabled: string;
  tags?: string;
  /** Non-blank cells beyond the header's columns (usually an unquoted comma). */
  extraCells: string[];
}

export interface ParsedImportFile {
  rows: ImportRowInput[];
  /** Whether the file has a Tags column (without one, tags are left as they are). */
  hasTags: boolean;
  /** Header cells that are not import columns (e.g. the Users export's Display name): ignored. */
  ignoredColumns: string[];
  delimiter: ',' | ';' | '\t';
  bytes: number;
}

/** A file the reader refuses as a whole: the message says what is wrong and how to fix it. */
export class ImportFileError extends ValidationError {
  constructor(message: string) {
    super(message, [{ path: 'csv', message }]);
  }
}

/** Sizes in MiB, rounded up to 0.01 (so a file just over the limit never reads as the limit). */
const mib = (bytes: number) => `${String(Math.ceil((bytes / 1024 / 1024) * 100) / 100)} MiB`;
const LIMITS = `the limit is ${mib(IMPORT_MAX_BYTES)} and ${IMPORT_MAX_ROWS.toLocaleString('en-US')} rows per file`;

/** The file's text: decodes bytes (UTF-8, or UTF-16 with a byte order mark), drops the BOM, enforces the size limit. */
export function decodeImportFile(file: string | Uint8Array): { text: string; bytes: number } {
  let text: string;
  let bytes: number;
  if (typeof file === 'string') {
    bytes = Buffer.byteLength(file, 'utf8');
    checkSize(bytes);
    text = file;
  } else {
    bytes = file.byteLength;
    checkSize(bytes);
    const utf16 = file[0] === 0xff && file[1] === 0xfe ? 'utf-16le' : file[0] === 0xfe && file[1] === 0xff ? 'utf-16be' : undefined;
    try {
      text = new TextDecoder(utf16 ?? 'utf-8', { fatal: true, ignoreBOM: false }).decode(file);
    } catch {
      throw new ImportFileError(notUtf8(file));
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const replaced = text.indexOf('\uFFFD');
  if (replaced >= 0) {
    throw new ImportFileError(
      `Line ${lineAt(text, replaced)} has a character that was not saved as UTF-8 (shown as \uFFFD). ` +
        'Save the file as "CSV UTF-8 (Comma delimited)" and upload it again.',
    );
  }
  return { text, bytes };
}

function checkSize(bytes: number): void {
  if (bytes > IMPORT_MAX_BYTES) {
    throw new ImportFileError(`The file is ${mib(bytes)}; ${LIMITS}. Split it into smaller files and import them one after the other.`);
  }
}

function notUtf8(file: Uint8Array): string {
  const decoded = new TextDecoder('utf-8').decode(file);
  const at = decoded.indexOf('\uFFFD');
  const where = at >= 0 ? `Line ${lineAt(decoded, at)} has` : 'The file has';
  return `${where} characters that are not UTF-8 (the file was probably saved in a regional encoding such as Windows-1252). Save it as "CSV UTF-8 (Comma delimited)" and upload it again.`;
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10 || (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) !== 10)) line++;
  return line;
}

interface CsvRecord {
  cells: string[];
  /** The physical line the record starts on (for quoting errors, which are about the text). */
  physicalLine: number;
}

/**
 * The file's records, read by csv-parse: RFC 4180, leniently (a quote inside an
 * unquoted cell is kept as written, rows may have different lengths). Only a quote
 * that never closes is refused: everything after it would silently become one cell.
 */
export function csvRecords(text: string, delimiter: string, maxRecords?: number): CsvRecord[] {
  try {
    const parsed = parse(text, { delimiter, record_delimiter: ['\r\n', '\n', '\r'], relax_quotes: true, relax_column_count: true, skip_empty_lines: false, info: true, ...(maxRecords ? { to: maxRecords } : {}) }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
    let nextLine = 1;
    return parsed.map(({ record, info }) => {
      const entry = { cells: record, physicalLine: nextLine };
      nextLine = info.lines + 1;
      return entry;
    });
  } catch (error) {
    if (error instanceof CsvError && error.code === 'CSV_QUOTE_NOT_CLOSED') {
      const line = lineOfUnclosedQuote(text, delimiter);
      throw new ImportFileError(`Line ${line} opens a quoted cell (") that never closes, so the rest of the file would be one cell. Check that row for a stray quote.`);
    }
    throw error;
  }
}

/** Where the quote that never closes opens: the last record that still reads cleanly ends just before it. */
function lineOfUnclosedQuote(text: string, delimiter: string): number {
  let line = 1;
  const lines = text.split(/\r\n|\n|\r/);
  for (let end = lines.length; end > 0; end--) {
    try {
      parse(lines.slice(0, end - 1).join('\n'), { delimiter, relax_quotes: true, relax_column_count: true });
      line = end;
      break;
    } catch {
      // keep looking further up
    }
  }
  return line;
}

const DELIMITERS = [',', ';', '\t'] as const;

/** The header's first line, to choose the delimiter by (the header has no quoted line breaks). */
function chooseDelimiter(text: string): ParsedImportFile['delimiter'] {
  let best: ParsedImportFile['delimiter'] = ',';
  let bestScore = -1;
  for (const delimiter of DELIMITERS) {
    const first = firstContentRecord(text, delimiter);
    const score = first ? new Set(first.cells.map((cell) => COLUMN_BY_NAME.get(fold(cell))).filter(Boolean)).size : 0;
    if (score > bestScore) {
      best = delimiter;
      bestScore = score;
    }
  }
  return best;
}

function isBlank(cells: readonly string[]): boolean {
  return cells.every((cell) => cell.trim() === '');
}

function isComment(cells: readonly string[]): boolean {
  return (cells[0] ?? '').trimStart().startsWith('#');
}

/** Records read to find the header (blank lines and # comments may come first). */
const HEADER_SEARCH_RECORDS = 50;

function firstContentRecord(text: string, delimiter: string): CsvRecord | undefined {
  try {
    for (const record of csvRecords(text, delimiter, HEADER_SEARCH_RECORDS)) {
      if (!isBlank(record.cells) && !isComment(record.cells)) return record;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

const quote = (name: string) => `"${name}"`;

/**
 * The file's rows, or an `ImportFileError` for a file that cannot be read as a whole:
 * too big, not UTF-8, no header, a column missing, a quote that never closes.
 */
export function parseImportFile(file: string | Uint8Array): ParsedImportFile {
  const { text, bytes } = decodeImportFile(file);
  const delimiter = chooseDelimiter(text);
  const records = csvRecords(text, delimiter);

  // The header: the first record that is not blank or a comment.
  let row = 0;
  let header: string[] | undefined;
  while (row < records.length) {
    const cells = records[row++]!.cells;
    if (isBlank(cells) || isComment(cells)) continue;
    header = cells.map((cell) => cell.trim());
    break;
  }
  if (!header) throw new ImportFileError(`The file is empty. Start from the template: its first line is the header ${IMPORT_HEADER}, then one row per user.`);

  const positions = new Map<ImportColumn, number>();
  const ignoredColumns: string[] = [];
  let lastNamed = -1;
  header.forEach((name, index) => {
    if (name === '') return;
    lastNamed = index;
    const column = COLUMN_BY_NAME.get(fold(name));
    if (!column) {
      ignoredColumns.push(name);
      return;
    }
    if (positions.has(column)) {
      throw new ImportFileError(`The header has the ${quote(IMPORT_COLUMNS[column])} column twice (${quote(header![positions.get(column)!]!)} and ${quote(name)}). Keep one.`);
    }
    positions.set(column, index);
  });
  const missing = REQUIRED_COLUMNS.filter((column) => !positions.has(column));
  if (missing.length > 0) {
    const names = missing.map((column) => quote(IMPORT_COLUMNS[column]));
    const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
    const looksLikeData = header.some((cell) => cell.includes('@') || /^\+?\d[\d\s()-]{5,}$/.test(cell));
    throw new ImportFileError(
      `The file has no ${list} column${missing.length > 1 ? 's' : ''}. ` +
        (looksLikeData
          ? `Its first row looks like data (${header.filter(Boolean).slice(0, 4).join(', ')}); the first row must be the header: ${IMPORT_HEADER}.`
          : `The first row must be the header ${IMPORT_HEADER}${header.some(Boolean) ? `; it reads: ${header.filter(Boolean).slice(0, 6).join(', ')}` : ''}.`) +
        ' Download the template for the layout.',
    );
  }
  const width = lastNamed + 1;

  const rows: ImportRowInput[] = [];
  const cell = (cells: readonly string[], column: ImportColumn) => {
    const index = positions.get(column);
    return index === undefined ? '' : (cells[index] ?? '').trim();
  };
  for (const record of records.slice(row)) {
    row++;
    if (isBlank(record.cells) || isComment(record.cells)) continue;
    if (rows.length === IMPORT_MAX_ROWS) {
      throw new ImportFileError(`The file has more than ${IMPORT_MAX_ROWS.toLocaleString('en-US')} rows; ${LIMITS}. Split it into smaller files and import them one after the other.`);
    }
    const extraCells = record.cells.slice(width).map((value) => value.trim()).filter((value) => value !== '');
    rows.push({
      line: row,
      username: cell(record.cells, 'username'),
      numbers: cell(record.cells, 'numbers'),
      enabled: cell(record.cells, 'enabled'),
      ...(positions.has('tags') ? { tags: cell(record.cells, 'tags') } : {}),
      extraCells,
    });
  }
  if (rows.length === 0) throw new ImportFileError(`The file has a header but no rows. Add one row per user under the header ${IMPORT_HEADER}.`);
  return { rows, hasTags: positions.has('tags'), ignoredColumns, delimiter, bytes };
}

/** The template: header, then two examples as comments (rows starting with # are skipped). UTF-8 with BOM, CRLF. */
export function importTemplate(): string {
  const lines = [
    IMPORT_HEADER,
    '# One row per user. Separate several numbers or tags with ; (rows starting with # are skipped). Examples:',
    '# jane.doe@contoso.com,+14155550123,yes,Sales;VIP',
    '# john.smith@contoso.com,+14155550124;+442079460958,no,Support',
  ];
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
