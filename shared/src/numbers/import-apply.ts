import type { Actor } from '../access/principal';
import type { DirectoryUser } from '../directory/user';
import type { UserRepository } from '../directory/user-repository';
import { userLabel } from '../directory/user-view';
import { AppError } from '../errors';
import { escapeKey, odataString } from '../store/keys';
import type { Stored } from '../store/repository';
import type { PhoneNumberEntry } from './number';
import type { NumberCache, NumberSnapshot } from './number-cache';
import { MAX_NUMBERS_PER_TRANSACTION, NumbersChangedError, type NumberRepository } from './number-repository';
import type { DesiredSmsConfig } from './sms-config';
import { MAX_NUMBERS_PER_USER, type SmsAssignments, type UsersWrittenListener } from './sms-assignments';
import { numberChangesFor, restoreNumbers, sameNumbers, wantedProblem } from './sms-number-changes';

/**
 * Applies the rows of a bulk import in batches, with the guarantees of
 * `SmsAssignments.applyUserConfig` (all or nothing per user, idempotent, conflicts
 * checked at the moment of writing) at a fraction of its storage round trips.
 *
 * Why: one applyUserConfig is five or six requests (read the user, read its numbers,
 * the numbers transaction, the user, the activity entry). Azurite serves about 600
 * such requests a second, so 10,000 rows take over two minutes however many run at
 * once. Here a batch of rows (different users, different numbers: the import's waves
 * guarantee it) is read with a few queries, its number changes are written in
 * transactions of up to 100 numbers (the enterprise's numbers share one partition),
 * and the users in transactions per shard.
 *
 * The happy path only. A row this path would have to refuse or explain (unknown or
 * removed user, a number missing, without SMS or held by someone else, too many
 * changes), a numbers transaction that loses a race (nothing of it is written), and
 * a user whose record changed between read and write (its numbers are put back
 * first) all go through applyUserConfig itself, one by one, which then answers with
 * its own result or refusal. Per-user activity entries are left to the import's
 * summary entry, except for rows that went through applyUserConfig.
 */

export interface BulkApplyDependencies {
  numbers: Pick<NumberRepository, 'getMany' | 'listAll' | 'transact'>;
  cache: Pick<NumberCache, 'apply' | 'peek' | 'invalidate'>;
  users: Pick<UserRepository, 'getMany' | 'updateMany'>;
  /** The Users page, so the changes show there at once. */
  listener?: UsersWrittenListener;
  assignments: Pick<SmsAssignments, 'applyUserConfig'>;
  now?: () => Date;
}

export interface BulkRow {
  userId: string;
  /** Numbers in E.164 (as validated). */
  desired: DesiredSmsConfig;
}

export type BulkOutcome = { kind: 'changed' | 'unchanged'; via: 'batch' | 'single' } | { kind: 'failed'; message: string };

interface Plan {
  index: number;
  user: Stored<DirectoryUser>;
  next: DirectoryUser;
  numberChanges: Array<{ current: Stored<PhoneNumberEntry>; next: PhoneNumberEntry }>;
}

/** Candidates at most this many inventory positions apart are read with one range query. */
const RANGE_GAP = 8;
/** Fewer candidates than this in a cluster are read by key instead. */
const RANGE_MIN = 3;

/** The inventory's numbers in key order, per snapshot (recomputed when its size changes: only the cost estimate depends on it). */
const keysBySnapshot = new WeakMap<NumberSnapshot, { size: number; keys: string[] }>();
function sortedKeys(snapshot: NumberSnapshot): string[] {
  const cached = keysBySnapshot.get(snapshot);
  if (cached && cached.size === snapshot.size) return cached.keys;
  const keys = [...snapshot.values()].map((entry) => entry.stored.value.number as string).sort();
  keysBySnapshot.set(snapshot, { size: snapshot.size, keys });
  return keys;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((value, i) => value === b[i]);

export class BulkSmsConfigApplier {
  private readonly now: () => Date;

  constructor(
    private readonly deps: BulkApplyDependencies,
    /** Rows sent through applyUserConfig at once when they leave the batch. */
    private readonly singleConcurrency = 4,
  ) {
    this.now = deps.now ?? (() => new Date());
  }

  /** One outcome per row, in order. Rows must be for different users and want different numbers. */
  async apply(enterpriseId: string, rows: readonly BulkRow[], actor: Actor): Promise<BulkOutcome[]> {
    const outcomes: Array<BulkOutcome | undefined> = new Array(rows.length);
    const single: number[] = [];
    const seen = new Set<string>();
    rows.forEach((row, index) => {
      if (seen.has(row.userId)) single.push(index);
      seen.add(row.userId);
    });

    // 1. Fresh reads: the users, and every number involved (wanted, or held as far as the user or the cache knows).
    const users = await this.deps.users.getMany(enterpriseId, [...seen]);
    const hint = this.deps.cache.peek(enterpriseId);
    const candidates = new Set<string>();
    for (const row of rows) {
      for (const number of row.desired.numbers) candidates.add(number);
      for (const number of users.get(row.userId)?.value.sms.numbers ?? []) candidates.add(number);
      for (const number of hint?.heldBy('user', row.userId) ?? []) candidates.add(number);
    }
    const numbers = await this.readNumbers(enterpriseId, candidates);

    // 2. What each row needs; anything unusual leaves the batch.
    const updatedAt = this.now().toISOString();
    const plans: Plan[] = [];
    rows.forEach((row, index) => {
      if (single.includes(index)) return;
      const plan = this.plan(row, index, users.get(row.userId), numbers, updatedAt);
      if (plan === 'single') single.push(index);
      else if (plan === 'unchanged') outcomes[index] = { kind: 'unchanged', via: 'batch' };
      else plans.push(plan);
    });

    // 3. Numbers: transactions of whole rows, up to 100 numbers each; a transaction that loses a race writes nothing.
    const committed: Array<{ plan: Plan; saved: Stored<PhoneNumberEntry>[] }> = [];
    const groups: Plan[][] = [];
    let size = MAX_NUMBERS_PER_TRANSACTION;
    for (const plan of plans) {
      if (plan.numberChanges.length === 0) {
        committed.push({ plan, saved: [] });
        continue;
      }
      if (size + plan.numberChanges.length > MAX_NUMBERS_PER_TRANSACTION) {
        groups.push([]);
        size = 0;
      }
      groups[groups.length - 1]!.push(plan);
      size += plan.numberChanges.length;
    }
    for (const group of groups) {
      try {
        const saved = await this.deps.numbers.transact(group.flatMap((plan) => plan.numberChanges));
        this.deps.cache.apply(enterpriseId, saved);
        let at = 0;
        for (const plan of group) {
          committed.push({ plan, saved: saved.slice(at, at + plan.numberChanges.length) });
          at += plan.numberChanges.length;
        }
      } catch (error) {
        if (!(error instanceof NumbersChangedError)) throw error;
        for (const plan of group) single.push(plan.index);
      }
    }

    // 4. The users (per shard, each conditional on its ETag); a user changed meanwhile gets its numbers back and leaves the batch.
    if (committed.length > 0) {
      const results = await this.deps.users.updateMany(committed.map(({ plan }) => ({ current: plan.user, next: plan.next })));
      const written: Stored<DirectoryUser>[] = [];
      for (let i = 0; i < committed.length; i++) {
        const result = results[i]!;
        const { plan, saved } = committed[i]!;
        if (!(result instanceof Error)) {
          written.push(result);
          outcomes[plan.index] = { kind: 'changed', via: 'batch' };
          continue;
        }
        if (saved.length > 0) await restoreNumbers(this.deps, enterpriseId, saved, plan.numberChanges.map((change) => change.current.value), this.now().toISOString());
        single.push(plan.index);
      }
      if (written.length > 0) this.deps.listener?.applyUsers(enterpriseId, written);
    }

    // 5. The rest, one by one, through applyUserConfig.
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(this.singleConcurrency, single.length) }, async () => {
        while (next < single.length) {
          const index = single[next++]!;
          const row = rows[index]!;
          try {
            const change = await this.deps.assignments.applyUserConfig(enterpriseId, row.userId, row.desired, actor);
            outcomes[index] = { kind: change.unchanged ? 'unchanged' : 'changed', via: 'single' };
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            outcomes[index] = { kind: 'failed', message: error.message };
          }
        }
      }),
    );
    return outcomes.map((outcome) => outcome ?? { kind: 'failed', message: 'Not applied.' });
  }

  /**
   * The numbers, read fresh. Candidates close together in the inventory (as the number
   * snapshot knows it) are read with one range query each; the scattered ones with
   * filtered queries of 15 (`getMany`). A range costs one request and the few numbers
   * between, where `getMany` makes the service match every number of the partition
   * against 15 keys per request.
   */
  private async readNumbers(enterpriseId: string, candidates: ReadonlySet<string>): Promise<Map<string, Stored<PhoneNumberEntry>>> {
    const wanted = [...candidates].sort();
    const snapshot = this.deps.cache.peek(enterpriseId);
    if (!snapshot || wanted.length < RANGE_MIN) return wanted.length > 0 ? this.deps.numbers.getMany(enterpriseId, wanted) : new Map();
    const keys = sortedKeys(snapshot);
    const position = (number: string) => {
      let low = 0;
      let high = keys.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (keys[middle]! < number) low = middle + 1;
        else high = middle;
      }
      return low;
    };
    const ranges: Array<[string, string]> = [];
    const scattered: string[] = [];
    let start = 0;
    for (let i = 1; i <= wanted.length; i++) {
      if (i < wanted.length && position(wanted[i]!) - position(wanted[i - 1]!) <= RANGE_GAP) continue;
      if (i - start >= RANGE_MIN) ranges.push([wanted[start]!, wanted[i - 1]!]);
      else scattered.push(...wanted.slice(start, i));
      start = i;
    }
    const found = new Map<string, Stored<PhoneNumberEntry>>();
    await Promise.all([
      ...ranges.map(async ([from, to]) => {
        for await (const stored of this.deps.numbers.listAll(enterpriseId, `RowKey ge ${odataString(escapeKey(from))} and RowKey le ${odataString(escapeKey(to))}`)) {
          if (candidates.has(stored.value.number)) found.set(stored.value.number, stored);
        }
      }),
      (async () => {
        if (scattered.length === 0) return;
        for (const [number, stored] of await this.deps.numbers.getMany(enterpriseId, scattered)) found.set(number, stored);
      })(),
    ]);
    return found;
  }

  /** The changes a row needs, 'unchanged', or 'single' when applyUserConfig must handle (or refuse) it. */
  private plan(row: BulkRow, index: number, user: Stored<DirectoryUser> | undefined, numbers: ReadonlyMap<string, Stored<PhoneNumberEntry>>, updatedAt: string): Plan | 'unchanged' | 'single' {
    if (!user || user.value.removed) return 'single';
    const { userId, desired } = row;
    const wanted = [...new Set(desired.numbers)];
    if (wanted.length > MAX_NUMBERS_PER_USER) return 'single';
    if (wanted.some((number) => wantedProblem(numbers.get(number)?.value, userId) !== undefined)) return 'single';
    const { added, released, changes } = numberChangesFor({ type: 'user', id: userId, name: userLabel(user.value) }, wanted, numbers, updatedAt);
    if (added.length + released.length > MAX_NUMBERS_PER_TRANSACTION) return 'single';
    const current = user.value;
    const nextTags = desired.tags ?? current.tags;
    const mirrorRight = sameNumbers(current.sms.numbers, wanted) && current.sms.enabled === desired.enabled && sameList(current.tags, nextTags);
    if (added.length === 0 && released.length === 0 && mirrorRight) return 'unchanged';
    return { index, user, next: { ...current, sms: { enabled: desired.enabled, numbers: wanted }, tags: [...nextTags], updatedAt }, numberChanges: changes };
  }
}
