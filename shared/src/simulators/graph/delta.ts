import { GraphRequestError, project } from './odata';
import type { TenantState } from './tenant';

/**
 * `users/delta` paging. A round is pinned to the tenant sequence at its first request:
 *
 * - full enumeration: users that existed at that snapshot (positions below `end` in the
 *   creation-ordered array), skipping any removed since; state is current, which is
 *   safe because anything changed after the snapshot comes again in the next round;
 * - change round from a delta link: change-log entries in (from, to], each user once
 *   (at its first entry in the window; `previousSeq` tells that in O(1)).
 *
 * Either way the round ends with a delta link at its snapshot, so nothing that happens
 * while a client pages is lost or repeated within a round, and each page costs
 * O(page size) (plus tombstones skipped).
 */

interface CursorBase {
  /** Tenant id, so a token cannot be replayed against another tenant. */
  t: string;
  /** Tenant epoch; expireDeltaTokens() moves it on. */
  e: number;
  /** Properties to return, fixed by the round's first request. */
  sel: string[];
}
export interface FullCursor extends CursorBase {
  k: 'full';
  s: number;
  end: number;
  p: number;
}
export interface ChangesCursor extends CursorBase {
  k: 'changes';
  from: number;
  to: number;
  p: number;
}
export interface LinkCursor extends CursorBase {
  k: 'link';
  s: number;
}
export type PageCursor = FullCursor | ChangesCursor;

export interface DeltaPage {
  value: Record<string, unknown>[];
  /** Where the next page starts, or null on the last page. */
  next: PageCursor | null;
  /** The delta link for the next round, on the last page only. */
  link: LinkCursor | null;
}

export function startFullRound(tenant: TenantState, sel: string[]): FullCursor {
  return { k: 'full', t: tenant.id, e: tenant.epoch, sel, s: tenant.sequence, end: tenant.records.length, p: 0 };
}

export function latestLink(tenant: TenantState, sel: string[]): LinkCursor {
  return { k: 'link', t: tenant.id, e: tenant.epoch, sel, s: tenant.sequence };
}

export function startChangeRound(tenant: TenantState, link: LinkCursor): ChangesCursor {
  return { k: 'changes', t: link.t, e: link.e, sel: link.sel, from: link.s, to: tenant.sequence, p: tenant.firstChangeAfter(link.s) };
}

export function readDeltaPage(tenant: TenantState, cursor: PageCursor, pageSize: number): DeltaPage {
  return cursor.k === 'full' ? readFullPage(tenant, cursor, pageSize) : readChangePage(tenant, cursor, pageSize);
}

function readFullPage(tenant: TenantState, cursor: FullCursor, pageSize: number): DeltaPage {
  const value: Record<string, unknown>[] = [];
  const end = Math.min(cursor.end, tenant.records.length);
  let p = cursor.p;
  const skipRemoved = () => {
    while (p < end && tenant.records[p]!.removed) p++;
  };
  skipRemoved();
  while (p < end && value.length < pageSize) {
    value.push(project(tenant.records[p]!.user, cursor.sel));
    p++;
    skipRemoved(); // look ahead, so the last page carries the delta link instead of an empty page after it
  }
  if (p < end) return { value, next: { ...cursor, p }, link: null };
  return { value, next: null, link: { k: 'link', t: cursor.t, e: cursor.e, sel: cursor.sel, s: cursor.s } };
}

function readChangePage(tenant: TenantState, cursor: ChangesCursor, pageSize: number): DeltaPage {
  const value: Record<string, unknown>[] = [];
  const { changes } = tenant;
  let p = cursor.p;
  const inWindow = () => p < changes.length && changes[p]!.seq <= cursor.to;
  const skipRepeats = () => {
    while (inWindow() && changes[p]!.previousSeq > cursor.from) p++; // this user already had an entry in the window
  };
  skipRepeats();
  while (inWindow() && value.length < pageSize) {
    const record = tenant.record(changes[p]!.userId)!;
    value.push(record.removed ? { id: record.user.id, '@removed': { reason: record.removed.reason } } : project(record.user, cursor.sel));
    p++;
    skipRepeats();
  }
  if (inWindow()) return { value, next: { ...cursor, p }, link: null };
  return { value, next: null, link: { k: 'link', t: cursor.t, e: cursor.e, sel: cursor.sel, s: cursor.to } };
}

const malformed = (what: string) => new GraphRequestError(400, 'Request_BadRequest', `The ${what} is not valid for this request. Use the nextLink or deltaLink exactly as Graph returned it.`);

/** Checks a decoded token: ours, this tenant's, the expected kind, and not expired. */
export function checkCursor<K extends 'full' | 'changes' | 'link'>(raw: Record<string, unknown> | undefined, tenant: TenantState, kinds: readonly K[], what: string): Extract<FullCursor | ChangesCursor | LinkCursor, { k: K }> {
  if (!raw || !kinds.includes(raw.k as K) || raw.t !== tenant.id || !Array.isArray(raw.sel) || typeof raw.e !== 'number') throw malformed(what);
  if (raw.e !== tenant.epoch) {
    throw tenant.expiry === 'syncStateNotFound'
      ? new GraphRequestError(400, 'syncStateNotFound', 'The sync state generation is not found. The delta token is expired and data must be synchronized again.')
      : new GraphRequestError(410, 'resyncRequired', 'Resync required. The delta token is no longer valid: start again with a full enumeration (GET /users/delta without a token).');
  }
  return raw as unknown as Extract<FullCursor | ChangesCursor | LinkCursor, { k: K }>;
}
