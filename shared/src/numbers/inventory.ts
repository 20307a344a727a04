import type { CountryCode } from 'libphonenumber-js/max';
import { z } from 'zod';
import { actorOf, type Principal } from '../access/principal';
import { requireAdminOf } from '../access/policy';
import type { ActivityLog } from '../audit/activity';
import { changes } from '../audit/diff';
import type { EnterpriseRepository } from '../enterprises/repository';
import { ConflictError, NotFoundError } from '../errors';
import { checkPhoneNumber, formatInternational, type E164 } from '../rules/phone';
import type { Stored } from '../store/repository';
import {
  canonicalNumber,
  capabilitiesSchema,
  carrierConnectionIdSchema,
  defaultCapabilities,
  defaultCountrySchema,
  describeHolder,
  extensionSchema,
  segmentsPerSecondSchema,
  labelSchema,
  newNumberEntry,
  numberInputSchema,
  numberViewSchema,
  phoneProblem,
  toNumberView,
  type Capabilities,
  type NumberView,
  type PhoneNumberEntry,
} from './number';
import type { NumberCache } from './number-cache';
import { parseCapabilities, readNumbersCsv } from './number-csv';
import { pageOf, viewOf, type NumberPage, type NumberQuery } from './number-query';
import { expandRange, MAX_RANGE_SIZE } from './number-range';
import { MAX_NUMBERS_PER_TRANSACTION, type NumberRepository } from './number-repository';

// ---------------------------------------------------------------- request and answer shapes

const numberDetails = {
  carrierConnectionId: carrierConnectionIdSchema.nullable().optional(),
  capabilities: capabilitiesSchema.optional().describe('What the number can do; default SMS only.'),
  label: labelSchema.optional(),
};

export const addNumberBodySchema = z
  .object({
    number: numberInputSchema,
    defaultCountry: defaultCountrySchema.optional(),
    ...numberDetails,
    extension: extensionSchema.nullable().optional(),
  })
  .strict()
  .meta({ id: 'AddPhoneNumber' });
export type AddNumber = z.output<typeof addNumberBodySchema>;

export const addNumberRangeBodySchema = z
  .object({
    from: numberInputSchema.describe('The first number of the range.'),
    to: numberInputSchema.describe(`The last number of the range (included): same country and length as from, at most ${MAX_RANGE_SIZE} numbers in all.`),
    defaultCountry: defaultCountrySchema.optional(),
    ...numberDetails,
  })
  .strict()
  .meta({ id: 'AddPhoneNumberRange' });
export type AddNumberRange = z.output<typeof addNumberRangeBodySchema>;

export const updateNumberBodySchema = z
  .object({
    label: labelSchema.optional(),
    capabilities: capabilitiesSchema.optional(),
    carrierConnectionId: carrierConnectionIdSchema.nullable().optional().describe('The carrier connection, or null for none.'),
    extension: extensionSchema.nullable().optional().describe('The extension, or null for none.'),
    segmentsPerSecond: segmentsPerSecondSchema.nullable().optional(),
  })
  .strict()
  .meta({ id: 'UpdatePhoneNumber' });
export type UpdateNumber = z.output<typeof updateNumberBodySchema>;

export const importNumbersBodySchema = z
  .object({
    csv: z
      .string()
      .max(900_000, 'The CSV is too large: send at most 900,000 characters at once (split the file).')
      .describe(
        'The file\'s text. Columns: number,label,capabilities,carrier,extension (header optional; only number required). Capabilities: sms, mms, voice separated by ";" (blank: SMS only). BOM, CRLF, quoted cells, ";" or tab delimiters and blank lines are accepted.',
      ),
    defaultCountry: defaultCountrySchema.optional(),
  })
  .strict()
  .meta({ id: 'ImportPhoneNumbers' });
export type ImportNumbers = z.output<typeof importNumbersBodySchema>;

export const numberRangeResultSchema = z
  .object({
    requested: z.number().int().describe('Numbers in the range.'),
    added: z.number().int().describe('Numbers added.'),
    existing: z.array(z.string()).describe('Numbers of the range already in the inventory (left as they were).'),
    invalid: z.array(z.object({ number: z.string(), problem: z.string() })).describe('Numbers of the range that are not valid for their country (skipped).'),
    items: z.array(numberViewSchema).describe('The numbers added.'),
  })
  .meta({ id: 'PhoneNumberRangeResult' });

export interface NumberRangeResult {
  requested: number;
  added: number;
  existing: string[];
  invalid: Array<{ number: string; problem: string }>;
  items: NumberView[];
}

export const numberImportOutcomes = ['added', 'existing', 'invalid'] as const;
export type NumberImportOutcome = (typeof numberImportOutcomes)[number];

export interface NumberImportRow {
  /** The line of the file the row ends on (the header is line 1). */
  line: number;
  /** As written in the file. */
  number: string;
  e164: string | null;
  outcome: NumberImportOutcome;
  /** Why a row was not added, for people. */
  message: string | null;
}

export interface NumberImportReport {
  added: number;
  existing: number;
  invalid: number;
  ignoredColumns: string[];
  rows: NumberImportRow[];
}

export const numberImportReportSchema = z
  .object({
    added: z.number().int(),
    existing: z.number().int().describe('Rows whose number is already in the inventory (or earlier in the file).'),
    invalid: z.number().int(),
    ignoredColumns: z.array(z.string()).describe('Header columns that are not number columns.'),
    rows: z.array(
      z.object({
        line: z.number().int().describe('The line of the file (the header is line 1).'),
        number: z.string().describe('As written in the file.'),
        e164: z.string().nullable(),
        outcome: z.enum(numberImportOutcomes),
        message: z.string().nullable().describe('Why the row was not added.'),
      }),
    ),
  })
  .meta({ id: 'PhoneNumberImportReport' });

// ---------------------------------------------------------------- the service

export interface NumberInventoryDependencies {
  numbers: NumberRepository;
  cache: NumberCache;
  enterprises: EnterpriseRepository;
  activity: ActivityLog;
  now?: () => Date;
}

const plural = (count: number, word: string) => `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`;

/**
 * The enterprise's phone numbers: add one, a range or a CSV; edit; delete (only when
 * unassigned); list with search, filters, sort and paging over the in-memory snapshot.
 */
export class NumberInventory {
  private readonly now: () => Date;

  constructor(private readonly deps: NumberInventoryDependencies) {
    this.now = deps.now ?? (() => new Date());
  }

  private async adminOf(principal: Principal, enterpriseId: string, action: string) {
    const stored = await this.deps.enterprises.byId(enterpriseId);
    return requireAdminOf(principal, stored?.value, enterpriseId, action);
  }

  /** A number from the path: E.164, formatted, or E.164 digits without the "+". */
  private pathNumber(raw: string): E164 {
    const text = raw.trim();
    if (/^\d{8,15}$/.test(text) && checkPhoneNumber(`+${text}`).ok) return checkPhoneNumber(`+${text}`).e164!;
    return canonicalNumber(text, 'number');
  }

  private async requireNumber(enterpriseId: string, number: E164, etag?: string): Promise<Stored<PhoneNumberEntry>> {
    const stored = await this.deps.numbers.get(enterpriseId, number);
    if (!stored) throw new NotFoundError(`${formatInternational(number)} is not in the number inventory.`);
    if (etag !== undefined && stored.etag !== etag) {
      throw new ConflictError(`${formatInternational(number)} was changed by someone else since you loaded it. Reload it and apply your change again.`);
    }
    return stored;
  }

  // ---------------------------------------------------------------- reads

  async list(principal: Principal, enterpriseId: string, query: Partial<NumberQuery>): Promise<NumberPage> {
    await this.adminOf(principal, enterpriseId, 'see the numbers');
    const snapshot = await this.deps.cache.snapshot(enterpriseId);
    const page = pageOf(snapshot.sorted(query.sort ?? 'number', query.order ?? 'asc'), query);
    return { ...page, items: page.items.map(viewOf) };
  }

  /** One number, read from storage (its ETag is current). */
  async get(principal: Principal, enterpriseId: string, number: string): Promise<NumberView> {
    await this.adminOf(principal, enterpriseId, 'see the numbers');
    const stored = await this.requireNumber(enterpriseId, this.pathNumber(number));
    this.deps.cache.apply(enterpriseId, [stored]);
    return toNumberView(stored);
  }

  // ---------------------------------------------------------------- adding

  private entry(enterpriseId: string, number: E164, details: { carrierConnectionId?: string | null; capabilities?: Capabilities; label?: string; extension?: string | null }): PhoneNumberEntry {
    return newNumberEntry(enterpriseId, number, this.now().toISOString(), details);
  }

  async add(principal: Principal, enterpriseId: string, input: AddNumber): Promise<NumberView> {
    await this.adminOf(principal, enterpriseId, 'add numbers');
    const number = canonicalNumber(input.number, 'number', input.defaultCountry as CountryCode | undefined);
    let stored: Stored<PhoneNumberEntry>;
    try {
      stored = await this.deps.numbers.create(this.entry(enterpriseId, number, input));
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const existing = await this.deps.numbers.get(enterpriseId, number);
      const held = existing?.value.holder ? `, assigned to ${describeHolder(existing.value.holder)}` : '';
      const message = `${formatInternational(number)} is already in the inventory${held}.`;
      throw new ConflictError(message, [{ path: 'number', message }]);
    }
    this.deps.cache.apply(enterpriseId, [stored]);
    await this.deps.activity.record({
      scope: enterpriseId,
      actor: actorOf(principal),
      action: 'number.added',
      entity: { type: 'number', id: number, name: formatInternational(number) },
      summary: `Added ${formatInternational(number)}${stored.value.label ? ` (${stored.value.label})` : ''} to the numbers.`,
      after: this.recordOf(stored.value),
    });
    return toNumberView(stored);
  }

  async addRange(principal: Principal, enterpriseId: string, input: AddNumberRange): Promise<NumberRangeResult> {
    await this.adminOf(principal, enterpriseId, 'add numbers');
    const range = expandRange(input.from, input.to, input.defaultCountry as CountryCode | undefined);
    const requested = range.numbers.length + range.invalid.length;
    const first = range.numbers[0];
    const last = range.numbers[range.numbers.length - 1];
    const present = new Set(first && last ? (await this.deps.numbers.between(enterpriseId, first, last)).map((stored) => stored.value.number as string) : []);
    const fresh = range.numbers.filter((number) => !present.has(number)).map((number) => this.entry(enterpriseId, number, input));
    const { created, existing } = await this.createNew(fresh);
    this.deps.cache.apply(enterpriseId, created);
    if (created.length > 0) {
      await this.deps.activity.record({
        scope: enterpriseId,
        actor: actorOf(principal),
        action: 'number.added',
        entity: { type: 'number-range', id: `${first}-${last}`, name: `${formatInternational(first!)} to ${formatInternational(last!)}` },
        summary: `Added ${plural(created.length, 'number')} from the range ${formatInternational(first!)} to ${formatInternational(last!)}${present.size + existing.length > 0 ? ` (${plural(present.size + existing.length, 'number')} already there)` : ''}.`,
        after: { from: first, to: last, count: created.length, numbers: created.slice(0, 100).map((stored) => stored.value.number), ...this.detailsOf(input) },
      });
    }
    return {
      requested,
      added: created.length,
      existing: [...present, ...existing].sort(),
      invalid: range.invalid,
      items: created.map((stored) => toNumberView(stored)),
    };
  }

  async importCsv(principal: Principal, enterpriseId: string, input: ImportNumbers): Promise<NumberImportReport> {
    await this.adminOf(principal, enterpriseId, 'add numbers');
    const file = readNumbersCsv(input.csv);
    const country = input.defaultCountry as CountryCode | undefined;
    const snapshot = await this.deps.cache.snapshot(enterpriseId, 'fresh');
    const rows: NumberImportRow[] = [];
    const firstLine = new Map<string, number>();
    const toCreate: Array<{ row: NumberImportRow; entry: PhoneNumberEntry }> = [];
    for (const cells of file.rows) {
      const row: NumberImportRow = { line: cells.line, number: cells.number, e164: null, outcome: 'invalid', message: null };
      rows.push(row);
      const problems: string[] = [];
      const checked = checkPhoneNumber(cells.number, country);
      if (cells.number === '') problems.push('The number is missing.');
      else if (!checked.ok) problems.push(phoneProblem(cells.number, country)!);
      const capabilities = parseCapabilities(cells.capabilities);
      if (capabilities.problem) problems.push(capabilities.problem);
      const label = labelSchema.safeParse(cells.label);
      if (!label.success) problems.push(label.error.issues[0]!.message);
      const extension = cells.extension === '' ? undefined : extensionSchema.safeParse(cells.extension);
      if (extension && !extension.success) problems.push(extension.error.issues[0]!.message);
      const carrier = cells.carrier === '' ? undefined : carrierConnectionIdSchema.safeParse(cells.carrier);
      if (carrier && !carrier.success) problems.push(carrier.error.issues[0]!.message);
      if (problems.length > 0) {
        row.message = problems.join(' ');
        continue;
      }
      const number = checked.e164!;
      row.e164 = number;
      const earlier = firstLine.get(number);
      if (earlier !== undefined) {
        row.outcome = 'existing';
        row.message = `Repeats line ${earlier} of this file.`;
        continue;
      }
      firstLine.set(number, row.line);
      if (snapshot.get(number)) {
        row.outcome = 'existing';
        row.message = 'Already in the inventory (left as it is).';
        continue;
      }
      toCreate.push({
        row,
        entry: this.entry(enterpriseId, number, {
          capabilities: capabilities.capabilities,
          label: label.data ?? '',
          extension: extension?.data ?? null,
          carrierConnectionId: carrier?.data ?? null,
        }),
      });
    }
    const { created, existing } = await this.createNew(toCreate.map((item) => item.entry));
    this.deps.cache.apply(enterpriseId, created);
    const raced = new Set(existing);
    for (const { row } of toCreate) {
      if (raced.has(row.e164!)) {
        row.outcome = 'existing';
        row.message = 'Already in the inventory (added meanwhile by someone else).';
      } else {
        row.outcome = 'added';
      }
    }
    const count = (outcome: NumberImportOutcome) => rows.filter((row) => row.outcome === outcome).length;
    const report: NumberImportReport = { added: count('added'), existing: count('existing'), invalid: count('invalid'), ignoredColumns: file.ignoredColumns, rows };
    if (report.added > 0) {
      await this.deps.activity.record({
        scope: enterpriseId,
        actor: actorOf(principal),
        action: 'number.added',
        entity: { type: 'number-import', id: `csv-${this.now().toISOString()}`, name: 'CSV import' },
        summary: `Added ${plural(report.added, 'number')} from a CSV (${report.existing} already present, ${report.invalid} invalid).`,
        after: { count: report.added, numbers: created.slice(0, 100).map((stored) => stored.value.number), existing: report.existing, invalid: report.invalid },
      });
    }
    return report;
  }

  /**
   * Inserts new numbers in transactions of 100; a batch that meets a number added
   * meanwhile is retried one by one, and those are reported as existing.
   */
  private async createNew(entries: readonly PhoneNumberEntry[]): Promise<{ created: Stored<PhoneNumberEntry>[]; existing: string[] }> {
    const created: Stored<PhoneNumberEntry>[] = [];
    const existing: string[] = [];
    for (let at = 0; at < entries.length; at += MAX_NUMBERS_PER_TRANSACTION) {
      const batch = entries.slice(at, at + MAX_NUMBERS_PER_TRANSACTION);
      try {
        created.push(...(await this.deps.numbers.createMany(batch)));
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        for (const entry of batch) {
          try {
            created.push(await this.deps.numbers.create(entry));
          } catch (inner) {
            if (!(inner instanceof ConflictError)) throw inner;
            existing.push(entry.number);
          }
        }
      }
    }
    return { created, existing };
  }

  // ---------------------------------------------------------------- editing and deleting

  async update(principal: Principal, enterpriseId: string, rawNumber: string, etag: string, patch: UpdateNumber): Promise<NumberView> {
    await this.adminOf(principal, enterpriseId, 'change numbers');
    const number = this.pathNumber(rawNumber);
    const current = await this.requireNumber(enterpriseId, number, etag);
    const before = current.value;
    const next: PhoneNumberEntry = {
      ...before,
      label: patch.label ?? before.label,
      capabilities: patch.capabilities ? { ...patch.capabilities } : before.capabilities,
      carrierConnectionId: patch.carrierConnectionId === undefined ? before.carrierConnectionId : patch.carrierConnectionId,
      extension: patch.extension === undefined ? before.extension : patch.extension,
      segmentsPerSecond: patch.segmentsPerSecond === undefined ? before.segmentsPerSecond : patch.segmentsPerSecond,
    };
    if (before.holder && before.capabilities.sms && !next.capabilities.sms) {
      const message = `${formatInternational(number)} is assigned to ${describeHolder(before.holder)}, who uses it for SMS; unassign it before turning SMS off.`;
      throw new ConflictError(message, [{ path: 'capabilities.sms', message }]);
    }
    const diff = changes(this.detailsOf(before), this.detailsOf(next));
    if (Object.keys(diff.after).length === 0) return toNumberView(current);
    next.updatedAt = this.now().toISOString();
    const saved = await this.deps.numbers.update(current, next);
    this.deps.cache.apply(enterpriseId, [saved]);
    await this.deps.activity.record({
      scope: enterpriseId,
      actor: actorOf(principal),
      action: 'number.updated',
      entity: { type: 'number', id: number, name: formatInternational(number) },
      summary: `Changed ${Object.keys(diff.after).map((path) => path.replace('carrierConnectionId', 'the carrier connection').replace('capabilities.', 'capability ')).join(', ')} of ${formatInternational(number)}.`,
      ...diff,
    });
    return toNumberView(saved);
  }

  async delete(principal: Principal, enterpriseId: string, rawNumber: string, etag: string): Promise<void> {
    await this.adminOf(principal, enterpriseId, 'delete numbers');
    const number = this.pathNumber(rawNumber);
    const current = await this.requireNumber(enterpriseId, number, etag);
    if (current.value.holder) {
      throw new ConflictError(`${formatInternational(number)} is assigned to ${describeHolder(current.value.holder)}; unassign it first.`);
    }
    await this.deps.numbers.delete(current);
    this.deps.cache.apply(enterpriseId, [], [number]);
    await this.deps.activity.record({
      scope: enterpriseId,
      actor: actorOf(principal),
      action: 'number.deleted',
      entity: { type: 'number', id: number, name: formatInternational(number) },
      summary: `Deleted ${formatInternational(number)}${current.value.label ? ` (${current.value.label})` : ''} from the numbers.`,
      before: this.recordOf(current.value),
      after: null,
    });
  }

  private detailsOf(entry: { label?: string; capabilities?: Capabilities; carrierConnectionId?: string | null; extension?: string | null; segmentsPerSecond?: number | null }) {
    return {
      label: entry.label ?? '',
      capabilities: entry.capabilities ?? defaultCapabilities,
      carrierConnectionId: entry.carrierConnectionId ?? null,
      ...('extension' in entry ? { extension: entry.extension ?? null } : {}),
      ...('segmentsPerSecond' in entry ? { segmentsPerSecond: entry.segmentsPerSecond ?? null } : {}),
    };
  }

  private recordOf(entry: PhoneNumberEntry) {
    return { number: entry.number, ...this.detailsOf(entry) };
  }
}
