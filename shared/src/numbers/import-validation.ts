import { z } from 'zod';
import { tagListSchema } from '../directory/user';
import { checkPhoneNumber } from '../rules/phone';
import { IMPORT_COLUMNS, type ImportRowInput, type ParsedImportFile } from './import-csv';
import { describeHolder, type Capabilities, type NumberHolder } from './number';
import { MAX_NUMBERS_PER_USER } from './sms-assignments';

/**
 * Validating a bulk SMS import against the directory and the number inventory
 * (pure: the caller looks the users and numbers up). Every problem names its field
 * and says what is wrong and how to fix it. Nothing here changes anything.
 */


export type ImportField = 'username' | 'numbers' | 'enabled' | 'tags' | 'row';
export type ImportSeverity = 'error' | 'warning';
export type ImportRowStatus = 'ok' | 'warning' | 'error';

export interface ImportProblem {
  field: ImportField;
  severity: ImportSeverity;
  message: string;
}

/** What validation needs to know about a directory user. */
export interface ImportUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail: string | null;
  removed: boolean;
  teamsLicensed: boolean;
  inSelection: boolean;
  accountEnabled: boolean;
  sms: { enabled: boolean; numbers: readonly string[] };
  tags: readonly string[];
}

/** What validation needs to know about a number of the inventory. */
export interface ImportNumber {
  number: string;
  holder: NumberHolder | null;
  capabilities?: Capabilities;
}

export interface ImportLookup {
  /** The user whose user principal name is this (any case). */
  userByUsername(username: string): ImportUser | undefined;
  /** Users whose mail address is this (any case), to match a row that gives the mail instead. */
  usersByMail?(mail: string): readonly ImportUser[];
  number(e164: string): ImportNumber | undefined;
}

export interface ValidatedImportRow {
  line: number;
  /** As written in the file. */
  username: string;
  userId: string | null;
  displayName: string | null;
  /** E.164, as they will be assigned (the user's complete set of numbers after the import). */
  numbers: string[];
  /** null when the cell could not be read. */
  enabled: boolean | null;
  /** The user's tags after the import; null: left as they are (no Tags column, or the cell is empty). */
  tags: string[] | null;
  status: ImportRowStatus;
  problems: ImportProblem[];
  /** Whether applying the row would change anything now. */
  changes: boolean;
  /** Rows (by line) that must be applied first: they release a number this row takes. */
  after: number[];
}

export interface ImportSummary {
  rows: number;
  ok: number;
  warnings: number;
  errors: number;
  /** Rows that would change nothing (already configured so). */
  unchanged: number;
}

export interface ValidatedImport {
  rows: ValidatedImportRow[];
  summary: ImportSummary;
  /** True when no row has an error: the import can be applied. */
  canApply: boolean;
  /** Header cells that are not import columns and were ignored. */
  ignoredColumns: string[];
}

const YES = new Set(['yes', 'y', 'true', '1', 'on', 'enabled', 'enable', 'x']);
const NO = new Set(['no', 'n', 'false', '0', 'off', 'disabled', 'disable', 'not configured', 'notconfigured']);

/** Spreadsheet formula guard of the Users export (`'=...`): the apostrophe is not part of the value. */
const unguard = (cell: string) => (/^'[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(cell) ? cell.slice(1) : cell);

const GROUP_OWNER = /\s*\(group owner\)\s*$/i;
const SCIENTIFIC = /^\d(?:[.,]\d+)?e\+?\d+$/i;

const lines = (values: readonly number[]) => (values.length === 1 ? `line ${values[0]}` : `lines ${values.slice(0, -1).join(', ')} and ${values[values.length - 1]}`);
const nameOf = (user: Pick<ImportUser, 'displayName' | 'userPrincipalName'>) =>
  user.displayName && user.displayName !== user.userPrincipalName ? `${user.displayName} (${user.userPrincipalName})` : user.userPrincipalName;

/** Splits a multi-value cell; numbers also accept `,` and line breaks, tags only `;` (a tag may contain a comma). */
export const splitNumbers = (cell: string) => cell.split(/[;,\n\r|]+/).map((part) => part.trim()).filter(Boolean);
export const splitTags = (cell: string) => cell.split(/[;\n\r]+/).map((part) => unguard(part.trim())).filter(Boolean);

function readEnabled(cell: string): boolean | undefined {
  const value = cell.trim().toLowerCase().replace(/\s+/g, ' ');
  if (YES.has(value)) return true;
  if (NO.has(value)) return false;
  return undefined;
}

interface WorkingRow {
  out: ValidatedImportRow;
  user?: ImportUser;
  /** Numbers this row takes from another user (who must release them first). */
  takes: Array<{ number: string; holderId: string }>;
}

/**
 * Validates the rows of a parsed file. Errors: unknown or removed user, empty
 * username, the same user twice, unreadable or invalid numbers, numbers not in the
 * inventory or held by someone else, the same number on two rows, too many numbers,
 * SMS enabled without a number, bad Enable SMS values, tag rules, stray cells, a
 * free number without SMS capability. Warnings: the user is unlicensed, outside the
 * selection or blocked; group-owner numbers from an export (ignored); a number
 * written without its + (spreadsheets drop it).
 */
export function validateImport(file: Pick<ParsedImportFile, 'rows' | 'ignoredColumns'>, lookup: ImportLookup): ValidatedImport {
  const working = file.rows.map((input) => validateRow(input, lookup));

  // The same user on several rows: each row would undo the other's.
  const rowsByUser = new Map<string, WorkingRow[]>();
  for (const row of working) if (row.user) rowsByUser.set(row.user.id, [...(rowsByUser.get(row.user.id) ?? []), row]);
  for (const rows of rowsByUser.values()) {
    if (rows.length < 2) continue;
    for (const row of rows) {
      const others = rows.filter((other) => other !== row).map((other) => other.out.line);
      add(row.out, 'username', 'error', `${nameOf(row.user!)} is also on ${lines(others)}: give each user one row.`);
    }
  }

  // The same number on several rows: a number belongs to one user.
  const rowsByNumber = new Map<string, WorkingRow[]>();
  for (const row of working) for (const number of row.out.numbers) rowsByNumber.set(number, [...(rowsByNumber.get(number) ?? []), row]);
  const duplicated = new Set<string>();
  for (const [number, rows] of rowsByNumber) {
    if (rows.length < 2) continue;
    duplicated.add(number);
    for (const row of rows) {
      const others = rows.filter((other) => other !== row).map((other) => other.out.line);
      add(row.out, 'numbers', 'error', `${number} is also on ${lines(others)}: a number can be assigned to one user only.`);
    }
  }

  // Numbers held by someone else: fine only when that user is in the file and their row gives the number up.
  const rowOfUser = new Map<string, WorkingRow>();
  for (const [id, rows] of rowsByUser) if (rows.length === 1) rowOfUser.set(id, rows[0]!);
  for (const row of working) {
    for (const number of row.out.numbers) {
      if (duplicated.has(number)) continue;
      const entry = lookup.number(number);
      if (!entry) {
        add(row.out, 'numbers', 'error', `${number} is not in the enterprise's number inventory. Add it on the Numbers page first, or check the digits.`);
        continue;
      }
      const holder = entry.holder;
      if (!holder && entry.capabilities && !entry.capabilities.sms) {
        add(row.out, 'numbers', 'error', `${number} cannot do SMS (its capabilities say so). Turn SMS on for it on the Numbers page first, or choose another number.`);
        continue;
      }
      if (!holder || (holder.type === 'user' && holder.id === row.user?.id)) continue;
      if (holder.type === 'group') {
        add(row.out, 'numbers', 'error', `${number} is assigned to ${describeHolder(holder)}. Remove it from the group first, or choose another number.`);
        continue;
      }
      const releasing = rowOfUser.get(holder.id);
      if (releasing && !releasing.out.numbers.includes(number)) {
        row.takes.push({ number, holderId: holder.id });
        if (!row.out.after.includes(releasing.out.line)) row.out.after.push(releasing.out.line);
        continue;
      }
      add(row.out, 'numbers', 'error', `${number} is already assigned to ${holder.name}. Unassign it from them first, or choose another number.`);
    }
  }

  markSwaps(working);

  for (const row of working) {
    const { out } = row;
    out.problems.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
    out.status = out.problems.some((p) => p.severity === 'error') ? 'error' : out.problems.length > 0 ? 'warning' : 'ok';
    out.changes = out.status !== 'error' && row.user !== undefined && changes(row.user, out);
    out.after.sort((a, b) => a - b);
  }
  const rows = working.map((row) => row.out);
  const summary: ImportSummary = {
    rows: rows.length,
    ok: rows.filter((row) => row.status === 'ok').length,
    warnings: rows.filter((row) => row.status === 'warning').length,
    errors: rows.filter((row) => row.status === 'error').length,
    unchanged: rows.filter((row) => row.status !== 'error' && !row.changes).length,
  };
  return { rows, summary, canApply: summary.errors === 0 && rows.length > 0, ignoredColumns: [...file.ignoredColumns] };
}

function add(row: ValidatedImportRow, field: ImportField, severity: ImportSeverity, message: string): void {
  row.problems.push({ field, severity, message });
}

function validateRow(input: ImportRowInput, lookup: ImportLookup): WorkingRow {
  const username = unguard(input.username);
  const out: ValidatedImportRow = {
    line: input.line,
    username,
    userId: null,
    displayName: null,
    numbers: [],
    enabled: null,
    tags: null,
    status: 'ok',
    problems: [],
    changes: false,
    after: [],
  };
  const row: WorkingRow = { out, takes: [] };

  if (input.extraCells.length > 0) {
    const shown = input.extraCells.slice(0, 3).map((cell) => `"${cell}"`).join(', ');
    add(out, 'row', 'error', `This row has ${input.extraCells.length} more cell${input.extraCells.length > 1 ? 's' : ''} than the header (${shown}). A cell with a comma inside must be in quotes; separate several numbers or tags with ;.`);
  }

  // Who.
  if (username === '') {
    add(out, 'username', 'error', `${IMPORT_COLUMNS.username} is empty: enter the user's Teams username (user principal name), e.g. jane.doe@contoso.com.`);
  } else {
    let user = lookup.userByUsername(username);
    if (!user && lookup.usersByMail) {
      const byMail = lookup.usersByMail(username).filter((candidate) => !candidate.removed);
      if (byMail.length === 1) {
        user = byMail[0]!;
        add(out, 'username', 'warning', `${username} is the mail address of ${nameOf(user)}; matched by it. Their Teams username is ${user.userPrincipalName}.`);
      }
    }
    if (!user) {
      add(out, 'username', 'error', `No user ${username} in the directory. Check the spelling; if they were added in Microsoft 365 recently, sync Teams users first.`);
    } else if (user.removed) {
      add(out, 'username', 'error', `${nameOf(user)} was removed from the Microsoft 365 directory and cannot be configured.`);
    } else {
      row.user = user;
      out.userId = user.id;
      out.displayName = user.displayName;
      if (!user.teamsLicensed) add(out, 'username', 'warning', `${nameOf(user)} has no Teams license: the configuration is saved, but they cannot use SMS until they are licensed.`);
      if (!user.inSelection) add(out, 'username', 'warning', `${nameOf(user)} is outside the sync group selection: the configuration is saved, but they may be purged with the users outside the selection.`);
      if (!user.accountEnabled) add(out, 'username', 'warning', `${nameOf(user)} cannot sign in (blocked in Microsoft 365): the configuration is saved, but they cannot use SMS while blocked.`);
    }
  }

  // Numbers.
  const numbers: string[] = [];
  for (const token of splitNumbers(input.numbers)) {
    if (GROUP_OWNER.test(token)) {
      add(out, 'numbers', 'warning', `${token.replace(GROUP_OWNER, '')} (group owner) is a number of an SMS group the user owns; group numbers are managed on the SMS groups page, so it is ignored here.`);
      continue;
    }
    const number = readNumber(token, lookup, out);
    if (number === undefined) continue;
    if (numbers.includes(number)) {
      add(out, 'numbers', 'warning', `${number} is listed twice in this row; it is assigned once.`);
      continue;
    }
    numbers.push(number);
  }
  if (numbers.length > MAX_NUMBERS_PER_USER) {
    add(out, 'numbers', 'error', `This row gives ${numbers.length} numbers; a user can hold at most ${MAX_NUMBERS_PER_USER}.`);
  }
  out.numbers = numbers;

  // Enable SMS.
  if (input.enabled === '') {
    add(out, 'enabled', 'error', `${IMPORT_COLUMNS.enabled} is empty: write yes or no.`);
  } else {
    const enabled = readEnabled(input.enabled);
    if (enabled === undefined) {
      add(out, 'enabled', 'error', `${IMPORT_COLUMNS.enabled} must be yes or no, not "${input.enabled}".`);
    } else {
      out.enabled = enabled;
      const numbersFailed = out.problems.some((p) => p.field === 'numbers' && p.severity === 'error');
      if (enabled && numbers.length === 0 && !numbersFailed) {
        add(out, 'enabled', 'error', `${IMPORT_COLUMNS.enabled} is yes, but the row gives no SMS number: a user needs a number to use SMS. Add a number, or write no.`);
      }
    }
  }

  // Tags (an empty cell leaves them as they are).
  if (input.tags !== undefined && input.tags !== '') {
    const tags = splitTags(input.tags);
    const checked = tagListSchema.safeParse(tags);
    if (checked.success) {
      out.tags = checked.data;
    } else {
      for (const issue of checked.error.issues) {
        const index = typeof issue.path[0] === 'number' ? issue.path[0] : undefined;
        const message =
          index === undefined
            ? `${issue.message.replace(/\.$/, '')}; this row has ${tags.length}.`
            : issue.message.includes('repeats')
              ? issue.message
              : `"${tags[index]!.trim()}": ${issue.message}`;
        add(out, 'tags', 'error', message);
      }
    }
  }
  return row;
}

/** A number as E.164, or undefined after recording why it cannot be read. */
function readNumber(token: string, lookup: ImportLookup, out: ValidatedImportRow): string | undefined {
  const cell = unguard(token);
  if (SCIENTIFIC.test(cell)) {
    add(out, 'numbers', 'error', `"${cell}" is a number a spreadsheet turned into scientific notation, which loses digits. Format the ${IMPORT_COLUMNS.numbers} column as Text and type the numbers again in international form, e.g. +14155550123.`);
    return undefined;
  }
  const checked = checkPhoneNumber(cell);
  if (checked.ok) return checked.e164!;
  // Spreadsheets drop the leading + of a number they read as a figure: +14155550123 comes back as 14155550123.
  const digits = cell.replace(/[\s().-]/g, '');
  if (/^[1-9]\d{6,14}$/.test(digits)) {
    const withPlus = checkPhoneNumber(`+${digits}`);
    if (withPlus.ok && lookup.number(withPlus.e164!)) {
      add(out, 'numbers', 'warning', `"${cell}" has no leading + (spreadsheets drop it); read as ${withPlus.e164}.`);
      return withPlus.e164!;
    }
  }
  add(out, 'numbers', 'error', `${IMPORT_COLUMNS.numbers}: ${checked.problem}`);
  return undefined;
}

/** Rows that take numbers from each other in a circle cannot be applied one user at a time. */
function markSwaps(working: WorkingRow[]): void {
  const byLine = new Map(working.map((row) => [row.out.line, row]));
  const state = new Map<number, 'visiting' | 'done'>();
  const inCycle = new Set<number>();
  const visit = (row: WorkingRow, path: WorkingRow[]) => {
    const line = row.out.line;
    if (state.get(line) === 'done') return;
    if (state.get(line) === 'visiting') {
      const cycle = path.slice(path.indexOf(row));
      for (const member of cycle) {
        if (inCycle.has(member.out.line)) continue;
        inCycle.add(member.out.line);
        const others = cycle.filter((other) => other !== member).map((other) => other.out.line);
        const taken = member.takes.map((take) => take.number).join(', ');
        add(
          member.out,
          'numbers',
          'error',
          `This row takes ${taken} from a user on ${lines(others)}, whose row in turn waits for a number of this user: numbers cannot be swapped in one import. Move one of them in a separate import first.`,
        );
      }
      return;
    }
    state.set(line, 'visiting');
    for (const before of row.out.after) {
      const next = byLine.get(before);
      if (next) visit(next, [...path, row]);
    }
    state.set(line, 'done');
  };
  for (const row of working) visit(row, []);
}

function changes(user: ImportUser, row: ValidatedImportRow): boolean {
  const current = new Set(user.sms.numbers);
  const sameNumbers = current.size === row.numbers.length && row.numbers.every((number) => current.has(number));
  const sameTags = row.tags === null || (row.tags.length === user.tags.length && row.tags.every((tag, i) => tag === user.tags[i]));
  return !(sameNumbers && row.enabled === user.sms.enabled && sameTags);
}

/**
 * The order to apply rows in: rows in one wave touch different users and different
 * numbers and can run at once; a row that takes a number another row releases comes
 * in a later wave than that row. Returns the wave of each row (by line).
 */
export function applyWaves(rows: ReadonlyArray<Pick<ValidatedImportRow, 'line' | 'after'>>): Map<number, number> {
  const byLine = new Map(rows.map((row) => [row.line, row]));
  const waves = new Map<number, number>();
  const waveOf = (line: number, depth = 0): number => {
    const known = waves.get(line);
    if (known !== undefined) return known;
    const row = byLine.get(line);
    if (!row || depth > rows.length) return 0;
    const wave = row.after.length === 0 ? 0 : 1 + Math.max(...row.after.map((before) => waveOf(before, depth + 1)));
    waves.set(line, wave);
    return wave;
  };
  for (const row of rows) waveOf(row.line);
  return waves;
}

/** The report's row as the API answers it. */
export const importRowSchema = z.object({
  line: z.number().int().describe('The row number a spreadsheet shows (the header is row 1).'),
  username: z.string().describe('Teams username as written in the file.'),
  userId: z.string().nullable().describe('The directory user the row configures, when found.'),
  displayName: z.string().nullable(),
  numbers: z.array(z.string()).describe('E.164 numbers the user holds after the import (replaces the current set).'),
  enabled: z.boolean().nullable().describe('Enable SMS; null when the cell could not be read.'),
  tags: z.array(z.string()).nullable().describe('The tags after the import; null leaves them as they are.'),
  status: z.enum(['ok', 'warning', 'error']),
  problems: z.array(
    z.object({
      field: z.enum(['username', 'numbers', 'enabled', 'tags', 'row']),
      severity: z.enum(['error', 'warning']),
      message: z.string(),
    }),
  ),
  changes: z.boolean().describe('Whether applying the row changes anything now.'),
  after: z.array(z.number().int()).describe('Rows applied before this one: they release a number it takes.'),
});

export const importSummarySchema = z.object({
  rows: z.number().int(),
  ok: z.number().int(),
  warnings: z.number().int().describe('Rows that can be applied but deserve a look (e.g. an unlicensed user).'),
  errors: z.number().int().describe('Rows that block the import until fixed.'),
  unchanged: z.number().int().describe('Rows that would change nothing.'),
});
