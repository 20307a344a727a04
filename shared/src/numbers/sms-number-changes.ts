import type { Stored } from '../store/repository';
import type { NumberHolder, PhoneNumberEntry } from './number';
import type { NumberCache } from './number-cache';
import type { NumberRepository } from './number-repository';

/**
 * The rules of giving a user exactly a set of numbers, shared by the one-user save
 * (SmsAssignments.applyUserConfig) and the bulk import's batches (BulkSmsApply), so
 * the two can never disagree on what may be assigned and what a save changes.
 */

export type NumberChange = { current: Stored<PhoneNumberEntry>; next: PhoneNumberEntry };

/** The same numbers, in any order (a user's mirror is compared with what they should hold). */
export const sameNumbers = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && new Set([...a, ...b]).size === a.length;

export const isHeldBy = (entry: PhoneNumberEntry | undefined, userId: string): boolean => entry?.holder?.type === 'user' && entry.holder.id === userId;

/** Why `entry` cannot become the user's: not in the inventory, no SMS (and not theirs already), or someone else's. */
export function wantedProblem(entry: PhoneNumberEntry | undefined, userId: string): 'missing' | 'no-sms' | 'taken' | undefined {
  if (!entry) return 'missing';
  if (!entry.holder && !entry.capabilities.sms) return 'no-sms';
  if (entry.holder && !isHeldBy(entry, userId)) return 'taken';
  return undefined;
}

/**
 * What holding exactly `wanted` changes, from fresh reads of every number involved: the
 * numbers to take and to release, each as a change conditional on the ETag read.
 */
export function numberChangesFor(user: NumberHolder & { type: 'user' }, wanted: readonly string[], read: ReadonlyMap<string, Stored<PhoneNumberEntry>>, updatedAt: string): { added: string[]; released: string[]; changes: NumberChange[] } {
  const held = [...read.values()].filter((stored) => isHeldBy(stored.value, user.id)).map((stored) => stored.value.number as string);
  const added = wanted.filter((number) => !held.includes(number));
  const released = held.filter((number) => !wanted.includes(number));
  const changed = (number: string, holder: NumberHolder | null): NumberChange => ({ current: read.get(number)!, next: { ...read.get(number)!.value, holder, updatedAt } });
  return { added, released, changes: [...added.map((number) => changed(number, user)), ...released.map((number) => changed(number, null))] };
}

/**
 * Puts numbers back as they were before a save whose second step (the user's mirror)
 * failed. Best effort: if they moved on meanwhile, the numbers table stays the truth and
 * the next save of the user sets the mirror right.
 */
export async function restoreNumbers(deps: { numbers: Pick<NumberRepository, 'transact'>; cache: Pick<NumberCache, 'apply' | 'invalidate'> }, enterpriseId: string, saved: readonly Stored<PhoneNumberEntry>[], previous: readonly PhoneNumberEntry[], updatedAt: string): Promise<void> {
  try {
    const restored = await deps.numbers.transact(saved.map((current, i) => ({ current, next: { ...previous[i]!, updatedAt } })));
    deps.cache.apply(enterpriseId, restored);
  } catch {
    deps.cache.invalidate(enterpriseId);
  }
}
