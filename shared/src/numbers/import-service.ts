import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { actorOf, type Actor, type Principal } from '../access/principal';
import { requireAdminOf } from '../access/policy';
import type { ActivityLog } from '../audit/activity';
import type { UserDirectory } from '../directory/user-directory';
import type { Enterprise } from '../enterprises/schema';
import type { EnterpriseRepository } from '../enterprises/repository';
import { AppError, ConflictError, NotFoundError } from '../errors';
import type { Stored } from '../store/repository';
import { IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, importTemplate, parseImportFile } from './import-csv';
import { MAX_STORED_FAILURES, newImportId, sha256, type ImportFailure, type SmsImportRecord, type SmsImportRepository, type SmsImportStatus } from './import-store';
import { applyWaves, importRowSchema, importSummarySchema, validateImport, type ImportSummary, type ImportUser, type ValidatedImportRow } from './import-validation';
import type { UserRepository } from '../directory/user-repository';
import { BulkSmsConfigApplier, type BulkOutcome, type BulkRow } from './import-apply';
import type { NumberCache } from './number-cache';
import type { NumberRepository } from './number-repository';
import type { SmsAssignments } from './sms-assignments';

/**
 * Bulk SMS configuration of existing directory users from a CSV file, in two steps:
 * validate (a per-row report; nothing changes; the validated rows are stored) and
 * apply (exactly the stored rows, in the background, with progress). Each row goes
 * through `SmsAssignments.applyUserConfig`: all or nothing per user, idempotent, with
 * conflicts (a number taken since validation) checked again at that moment.
 */

export interface SmsImportsDependencies {
  repository: SmsImportRepository;
  enterprises: EnterpriseRepository;
  /** The Users page: its snapshot for validation; told about users the apply writes. */
  users: Pick<UserDirectory, 'snapshot' | 'applyUsers'>;
  userRepository: Pick<UserRepository, 'getMany' | 'updateMany'>;
  numberRepository: NumberRepository;
  numbers: Pick<NumberCache, 'snapshot' | 'apply' | 'peek' | 'invalidate'>;
  assignments: Pick<SmsAssignments, 'applyUserConfig'>;
  activity: ActivityLog;
}

export interface SmsImportsOptions {
  /**
   * 'batch' (default): rows are applied in batches (see BulkSmsConfigApplier), rows
   * the batch cannot take through applyUserConfig. 'single': every row through applyUserConfig.
   */
  applyMode?: 'batch' | 'single';
  /** Batches (or, in 'single' mode, rows) applied at once; they touch different users and numbers. Default 4 (single: 8). */
  applyConcurrency?: number;
  /** Rows per batch in 'batch' mode (rows of one batch share reads and transactions). Default 200. */
  bulkRows?: number;
  /** Rows between two progress saves. Default 800. */
  batchSize?: number;
  /** A run that has not saved progress for this long may be taken over. Default 60 s. */
  leaseMs?: number;
  /** Imports older than this are deleted (checked on validate, at most hourly). Default 30 days. */
  retentionDays?: number;
  now?: () => Date;
  /** A background run or clean-up failed unexpectedly (it is also recorded on the import). */
  onError?: (error: unknown, context: { enterpriseId: string; importId?: string }) => void;
}

/** The answer to a validation: the report and the id to apply it by. */
export interface SmsImportReport {
  importId: string;
  fileName: string;
  fileSha256: string;
  rows: ValidatedImportRow[];
  summary: ImportSummary;
  canApply: boolean;
  ignoredColumns: string[];
}

/** Where an import stands. */
export interface SmsImportView {
  importId: string;
  fileName: string;
  fileSha256: string;
  createdAt: string;
  createdBy: string;
  status: SmsImportStatus;
  canApply: boolean;
  validation: ImportSummary;
  /** Rows done so far by the current (or last) apply. */
  processed: number;
  /** Rows to apply. */
  total: number;
  summary: { changed: number; unchanged: number; failed: number };
  failures: ImportFailure[];
  appliedBy?: string;
  startedAt?: string;
  finishedAt?: string;
  error?: string;
  /** An apply that stopped without finishing (the server restarted): apply again to resume it. */
  stalled?: boolean;
}

/** Lost the lease on a run to another process (ours lapsed): stop quietly, it carries on. */
class LeaseLostError extends Error {}

const mapPool = async <T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
};

/** A file name fit to show and store: no path, no control characters, at most 200 characters. */
export function cleanFileName(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop()!.replace(/[\p{Cc}]/gu, '').trim().slice(0, 200);
  return base || 'import.csv';
}

export class SmsImports {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly running = new Map<string, Promise<void>>();
  /** Progress of this process's runs, newer than what is saved (saved every `batchSize` rows). */
  private readonly live = new Map<string, { processed: number; changed: number; unchanged: number; failed: number; failures: ImportFailure[] }>();
  private readonly lastPurge = new Map<string, number>();
  private readonly applyMode: 'batch' | 'single';
  private readonly applyConcurrency: number;
  private readonly batchSize: number;
  private readonly bulkRows: number;
  private readonly bulk: BulkSmsConfigApplier;
  private readonly leaseMs: number;
  private readonly retentionMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly deps: SmsImportsDependencies,
    private readonly options: SmsImportsOptions = {},
  ) {
    this.applyMode = options.applyMode ?? 'batch';
    this.applyConcurrency = options.applyConcurrency ?? (this.applyMode === 'batch' ? 4 : 8);
    this.batchSize = options.batchSize ?? 800;
    this.bulkRows = options.bulkRows ?? 200;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.retentionMs = (options.retentionDays ?? 30) * 86_400_000;
    this.now = options.now ?? (() => new Date());
    this.bulk = new BulkSmsConfigApplier({
      numbers: deps.numberRepository,
      cache: deps.numbers,
      users: deps.userRepository,
      listener: deps.users,
      assignments: deps.assignments,
      now: this.now,
    });
  }

  private async adminOf(principal: Principal, enterpriseId: string, action: string): Promise<Enterprise> {
    const stored = await this.deps.enterprises.byId(enterpriseId);
    return requireAdminOf(principal, stored?.value, enterpriseId, action);
  }

  /** The CSV template: header and two commented examples. */
  async template(principal: Principal, enterpriseId: string): Promise<{ fileName: string; content: string }> {
    await this.adminOf(principal, enterpriseId, 'import SMS configurations');
    return { fileName: 'sms-import-template.csv', content: importTemplate() };
  }

  /**
   * Checks every row against the directory and the number inventory and stores the
   * result. Changes nothing. A file that cannot be read as a whole (too big, no
   * header, a quote that never closes) is a ValidationError naming the problem.
   */
  async validate(principal: Principal, enterpriseId: string, file: string | Uint8Array, fileName?: string): Promise<SmsImportReport> {
    await this.adminOf(principal, enterpriseId, 'import SMS configurations');
    const parsed = parseImportFile(file);
    const [users, numbers] = await Promise.all([this.deps.users.snapshot(enterpriseId, 'fresh'), this.deps.numbers.snapshot(enterpriseId, 'fresh')]);

    const byUsername = new Map<string, ImportUser>();
    let byMail: Map<string, ImportUser[]> | undefined;
    for (const entry of users.values()) byUsername.set(entry.user.userPrincipalName.toLowerCase(), entry.user);
    const result = validateImport(parsed, {
      userByUsername: (username) => byUsername.get(username.toLowerCase()),
      usersByMail: (mail) => {
        if (!byMail) {
          byMail = new Map();
          for (const entry of users.values()) {
            const key = entry.user.mail?.toLowerCase();
            if (key) byMail.set(key, [...(byMail.get(key) ?? []), entry.user]);
          }
        }
        return byMail.get(mail.toLowerCase()) ?? [];
      },
      number: (number) => numbers.get(number)?.stored.value,
    });

    const at = this.now();
    const name = cleanFileName(fileName);
    const fileSha256 = sha256(typeof file === 'string' ? Buffer.from(file, 'utf8') : file);
    const record: Omit<SmsImportRecord, 'rowsSha256' | 'chunks'> = {
      enterpriseId,
      id: newImportId(at),
      fileName: name,
      fileSha256,
      bytes: parsed.bytes,
      createdAt: at.toISOString(),
      createdBy: actorOf(principal),
      validation: result.summary,
      canApply: result.canApply,
      ignoredColumns: result.ignoredColumns,
      status: 'validated',
      total: result.rows.filter((row) => row.status !== 'error').length,
      processed: 0,
      changed: 0,
      unchanged: 0,
      failed: 0,
      cursor: 0,
      failures: [],
    };
    await this.deps.repository.create(record, result.rows);
    this.purgeOld(enterpriseId);
    return { importId: record.id, fileName: name, fileSha256, rows: result.rows, summary: result.summary, canApply: result.canApply, ignoredColumns: result.ignoredColumns };
  }

  async status(principal: Principal, enterpriseId: string, importId: string): Promise<SmsImportView> {
    await this.adminOf(principal, enterpriseId, 'see SMS imports');
    return this.view((await this.requireImport(enterpriseId, importId)).value);
  }

  /**
   * Starts applying a validated import in the background and answers its status.
   * Only an import without errors can be applied. Applying again after it finished
   * re-applies it (idempotent: what is already so stays unchanged); applying a run
   * that stopped midway (its process died) resumes it.
   */
  async apply(principal: Principal, enterpriseId: string, importId: string): Promise<SmsImportView> {
    await this.adminOf(principal, enterpriseId, 'import SMS configurations');
    const actor = actorOf(principal);
    for (;;) {
      const current = await this.requireImport(enterpriseId, importId);
      const record = current.value;
      if (!record.canApply) {
        throw new ConflictError(
          `${record.fileName} has ${record.validation.errors} row${record.validation.errors === 1 ? '' : 's'} with errors and cannot be applied. Fix the file and validate it again.`,
        );
      }
      const resuming = record.status === 'applying';
      if (resuming && this.leaseValid(record)) {
        throw new ConflictError(`${record.fileName} is being applied (${record.processed} of ${record.total} rows done). Follow its progress; it cannot be started twice.`);
      }
      const at = this.now();
      const next: SmsImportRecord = {
        ...record,
        status: 'applying',
        ...(resuming ? {} : { processed: 0, changed: 0, unchanged: 0, failed: 0, cursor: 0, failures: [], startedAt: at.toISOString() }),
        appliedBy: actor,
        leaseOwner: this.owner,
        leaseUntil: new Date(at.getTime() + this.leaseMs).toISOString(),
      };
      delete next.finishedAt;
      delete next.error;
      let started: Stored<SmsImportRecord>;
      try {
        started = await this.deps.repository.update(current, next);
      } catch (error) {
        if (error instanceof ConflictError) continue; // someone else moved first: look again
        throw error;
      }
      const key = `${enterpriseId}/${importId}`;
      const run = this.run(started, actor)
        .catch((error: unknown) => this.options.onError?.(error, { enterpriseId, importId }))
        .finally(() => this.running.delete(key));
      this.running.set(key, run);
      return this.view(started.value);
    }
  }

  /** Resolves when every background run and clean-up of this process has ended (for shutdown and tests). */
  async settleAll(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  // ---------------------------------------------------------------- the run

  private async run(initial: Stored<SmsImportRecord>, actor: Actor): Promise<void> {
    let state = initial;
    const { enterpriseId, id } = initial.value;
    try {
      const rows = await this.deps.repository.rows(initial.value);
      const waves = applyWaves(rows);
      const order = rows.filter((row) => row.status !== 'error').sort((a, b) => waves.get(a.line)! - waves.get(b.line)! || a.line - b.line);
      const progress = { ...pick(state.value), failures: [...state.value.failures] };
      this.live.set(`${enterpriseId}/${id}`, progress);
      const changedUsers: string[] = [];
      const count = (row: ValidatedImportRow, outcome: BulkOutcome) => {
        progress.processed++;
        if (outcome.kind === 'changed' && changedUsers.length < CHANGED_USERS_RECORDED) changedUsers.push(row.username);
        if (outcome.kind === 'failed') {
          progress.failed++;
          progress.failures.push({ line: row.line, username: row.username, message: outcome.message });
        } else if (outcome.kind === 'changed') progress.changed++;
        else progress.unchanged++;
      };
      for (let at = state.value.cursor; at < order.length; at += this.batchSize) {
        const batch = order.slice(at, at + this.batchSize);
        // Rows of one wave at once (different users, different numbers); a later wave waits for the rows that release its numbers.
        for (let from = 0; from < batch.length; ) {
          const wave = waves.get(batch[from]!.line);
          let to = from;
          while (to < batch.length && waves.get(batch[to]!.line) === wave) to++;
          const rowsOfWave = batch.slice(from, to);
          if (this.applyMode === 'single') {
            await mapPool(rowsOfWave, this.applyConcurrency, async (row) => count(row, await this.applyRow(enterpriseId, row, actor)));
          } else {
            const slices = Array.from({ length: Math.ceil(rowsOfWave.length / this.bulkRows) }, (_, k) => rowsOfWave.slice(k * this.bulkRows, (k + 1) * this.bulkRows));
            await mapPool(slices, this.applyConcurrency, async (slice) => {
              const outcomes = await this.bulk.apply(enterpriseId, slice.map(toBulkRow), actor);
              slice.forEach((row, i) => count(row, outcomes[i]!));
            });
          }
          from = to;
        }
        progress.failures.sort((a, b) => a.line - b.line);
        state = await this.save(state, { ...progress, failures: progress.failures, cursor: Math.min(at + this.batchSize, order.length) });
      }
      state = await this.save(state, { status: 'applied', finishedAt: this.now().toISOString() }, true);
      await this.record(state.value, actor, changedUsers);
    } catch (error) {
      if (error instanceof LeaseLostError) return;
      const message = error instanceof AppError ? error.message : `Applying stopped: ${error instanceof Error ? error.message : String(error)}. Apply again to resume.`;
      const latest = (await this.deps.repository.get(enterpriseId, id).catch(() => undefined)) ?? state;
      if (latest.value.leaseOwner === this.owner) {
        const failed = await this.save(latest, { status: 'failed', error: message, finishedAt: this.now().toISOString() }, true).catch(() => undefined);
        if (failed) await this.record(failed.value, actor).catch(() => undefined);
      }
      if (!(error instanceof AppError)) throw error;
    } finally {
      this.live.delete(`${enterpriseId}/${id}`);
    }
  }

  /** One row through applyUserConfig: what it did, or why it failed (refusals are the row's; other errors stop the run). */
  private async applyRow(enterpriseId: string, row: ValidatedImportRow, actor: Actor): Promise<BulkOutcome> {
    const { userId, desired } = toBulkRow(row);
    try {
      const change = await this.deps.assignments.applyUserConfig(enterpriseId, userId, desired, actor);
      return { kind: change.unchanged ? 'unchanged' : 'changed', via: 'single' };
    } catch (error) {
      if (error instanceof AppError) return { kind: 'failed', message: error.message };
      throw error;
    }
  }

  /** Saves progress and renews the lease, unless another process has taken the run over. */
  private async save(state: Stored<SmsImportRecord>, changes: Partial<SmsImportRecord>, releaseLease = false): Promise<Stored<SmsImportRecord>> {
    const lease = releaseLease ? { leaseUntil: undefined, leaseOwner: undefined } : { leaseUntil: new Date(this.now().getTime() + this.leaseMs).toISOString() };
    const next = (base: SmsImportRecord): SmsImportRecord => {
      const merged: SmsImportRecord = { ...base, ...changes, ...lease };
      if (releaseLease) {
        delete merged.leaseOwner;
        delete merged.leaseUntil;
      }
      return merged;
    };
    try {
      return await this.deps.repository.update(state, next(state.value));
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const latest = await this.deps.repository.get(state.value.enterpriseId, state.value.id);
      if (!latest || latest.value.leaseOwner !== this.owner) throw new LeaseLostError('another process took the run over');
      return this.deps.repository.update(latest, next(latest.value));
    }
  }

  private leaseValid(record: SmsImportRecord): boolean {
    return record.leaseUntil !== undefined && Date.parse(record.leaseUntil) > this.now().getTime();
  }

  private async record(record: SmsImportRecord, actor: Actor, changedUsers: readonly string[] = []): Promise<void> {
    const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
    const summary =
      record.status === 'applied'
        ? `Imported SMS configurations from ${record.fileName}: ${plural(record.total, 'row')}, ${plural(record.changed, 'user')} changed, ${record.unchanged} unchanged` +
          (record.failed > 0 ? `, ${record.failed} failed (first: line ${record.failures[0]?.line}: ${record.failures[0]?.message})` : '') +
          '.'
        : `Importing SMS configurations from ${record.fileName} stopped after ${record.processed} of ${plural(record.total, 'row')}: ${record.error}`;
    await this.deps.activity.record({
      scope: record.enterpriseId,
      actor,
      action: record.status === 'applied' ? 'sms.import.applied' : 'sms.import.failed',
      entity: { type: 'sms-import', id: record.id, name: record.fileName },
      summary,
      after: {
        fileName: record.fileName,
        fileSha256: record.fileSha256,
        rows: record.total,
        changed: record.changed,
        unchanged: record.unchanged,
        failed: record.failed,
        ...(changedUsers.length > 0 ? { changedUsers: [...changedUsers].sort() } : {}),
        ...(record.failures.length > 0 ? { failures: record.failures.slice(0, 20) } : {}),
      },
    });
  }

  // ---------------------------------------------------------------- helpers

  private async requireImport(enterpriseId: string, importId: string): Promise<Stored<SmsImportRecord>> {
    const found = /^[\w-]{1,64}$/.test(importId) ? await this.deps.repository.get(enterpriseId, importId) : undefined;
    if (!found) throw new NotFoundError(`No SMS import with id "${importId}". Validate the file to get one.`);
    return found;
  }

  private view(stored: SmsImportRecord): SmsImportView {
    const live = stored.status === 'applying' ? this.live.get(`${stored.enterpriseId}/${stored.id}`) : undefined;
    const record = live ? { ...stored, ...live, failures: [...live.failures].sort((a, b) => a.line - b.line).slice(0, MAX_STORED_FAILURES) } : stored;
    return {
      importId: record.id,
      fileName: record.fileName,
      fileSha256: record.fileSha256,
      createdAt: record.createdAt,
      createdBy: record.createdBy.name,
      status: record.status,
      canApply: record.canApply,
      validation: record.validation,
      processed: record.processed,
      total: record.total,
      summary: { changed: record.changed, unchanged: record.unchanged, failed: record.failed },
      failures: record.failures,
      ...(record.appliedBy ? { appliedBy: record.appliedBy.name } : {}),
      ...(record.startedAt ? { startedAt: record.startedAt } : {}),
      ...(record.finishedAt ? { finishedAt: record.finishedAt } : {}),
      ...(record.error ? { error: record.error } : {}),
      ...(record.status === 'applying' && !this.leaseValid(record) ? { stalled: true } : {}),
    };
  }

  /** Deletes the enterprise's old imports in the background, at most once an hour per enterprise. */
  private purgeOld(enterpriseId: string): void {
    const now = this.now().getTime();
    if ((this.lastPurge.get(enterpriseId) ?? 0) > now - 3_600_000) return;
    this.lastPurge.set(enterpriseId, now);
    const key = `purge:${enterpriseId}`;
    const purge = this.deps.repository
      .purgeCreatedBefore(enterpriseId, new Date(now - this.retentionMs))
      .then(() => undefined)
      .catch((error: unknown) => this.options.onError?.(error, { enterpriseId }))
      .finally(() => this.running.delete(key));
    this.running.set(key, purge);
  }
}

/** Users named in the import's activity entry (the feed's entry must stay small); the counts are complete. */
const CHANGED_USERS_RECORDED = 100;

function toBulkRow(row: ValidatedImportRow): BulkRow {
  // Only rows without errors are applied: the user was found and Enable SMS was read.
  return { userId: row.userId!, desired: { enabled: row.enabled === true, numbers: row.numbers, ...(row.tags ? { tags: row.tags } : {}) } };
}

function pick(record: SmsImportRecord) {
  return { processed: record.processed, changed: record.changed, unchanged: record.unchanged, failed: record.failed };
}

// ---------------------------------------------------------------- API schemas

export const SMS_IMPORT_LIMITS = { maxBytes: IMPORT_MAX_BYTES, maxRows: IMPORT_MAX_ROWS };

export const smsImportBodySchema = z
  .object({
    csv: z.string().min(1, 'Send the CSV file as text.').describe(`The CSV file's text (UTF-8; at most ${IMPORT_MAX_BYTES / 1024 / 1024} MiB and ${IMPORT_MAX_ROWS} rows).`),
    fileName: z.string().max(255).optional().describe('The file name, for the report and the activity feed.'),
  })
  .strict()
  .meta({ id: 'SmsImportFile' });

export const smsImportReportSchema = z
  .object({
    importId: z.string().describe('Apply the validated file by this id.'),
    fileName: z.string(),
    fileSha256: z.string().describe('SHA-256 of the file as uploaded.'),
    rows: z.array(importRowSchema),
    summary: importSummarySchema,
    canApply: z.boolean().describe('True when no row has an error.'),
    ignoredColumns: z.array(z.string()).describe('Header cells that are not import columns; ignored.'),
  })
  .meta({ id: 'SmsImportReport' });

export const smsImportStatusSchema = z
  .object({
    importId: z.string(),
    fileName: z.string(),
    fileSha256: z.string(),
    createdAt: z.string(),
    createdBy: z.string().describe('Who validated the file.'),
    status: z.enum(['validated', 'applying', 'applied', 'failed']).describe('failed: the run stopped as a whole (see error); rows that failed on their own are in failures.'),
    canApply: z.boolean(),
    validation: importSummarySchema,
    processed: z.number().int().describe('Rows done by the current or last apply.'),
    total: z.number().int().describe('Rows to apply.'),
    summary: z.object({
      changed: z.number().int().describe('Users whose configuration changed.'),
      unchanged: z.number().int().describe('Users already configured so.'),
      failed: z.number().int().describe('Rows refused at apply time (e.g. a number taken since validation).'),
    }),
    failures: z.array(z.object({ line: z.number().int(), username: z.string(), message: z.string() })).describe(`The first failed rows (at most 1000).`),
    appliedBy: z.string().optional(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    error: z.string().optional().describe('Why the run stopped, when status is failed.'),
    stalled: z.boolean().optional().describe('An apply stopped midway (the server restarted): apply again to resume.'),
  })
  .meta({ id: 'SmsImportStatus' });
