import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { systemActor, actorOf, type Actor, type Principal } from '../../access/principal';
import type { ActivityLog } from '../../audit/activity';
import type { EnterpriseRepository } from '../../enterprises/repository';
import type { Enterprise } from '../../enterprises/schema';
import { ConflictError } from '../../errors';
import type { Stored } from '../../store/repository';
import { DeltaExpiredError, GraphUnavailableError, type DirectorySource, type GraphPage, type GraphUser } from '../graph/source';
import type { DirectoryUser } from '../user';
import type { UserRepository } from '../user-repository';
import { SyncStateRepository, zeroCounts, type SyncCounts, type SyncResult, type SyncState } from './sync-state';
import { markRemoved, mergeGraphUser } from './user-mapping';

/** Told about every user the sync writes, so caches (the Users page's snapshot) stay current. */
export interface UsersChangedListener {
  applyUsers(enterpriseId: string, upserted: readonly Stored<DirectoryUser>[]): void;
}

/**
 * Releases the numbers removed users hold in the numbers table (the truth of who holds
 * a number; the user's own `sms.numbers` is only its mirror). Answers, per user id,
 * the numbers it released.
 */
export interface NumberRelease {
  releaseHeldBy(enterpriseId: string, userIds: readonly string[]): Promise<ReadonlyMap<string, readonly string[]>>;
}

export interface DirectorySyncOptions {
  /** How long a run may go without renewing its lease before another process may take over. */
  leaseMs?: number;
  /** Attempts per Graph page when Graph throttles or fails. */
  pageAttempts?: number;
  /** Longest wait between attempts (a Retry-After above it is cut to it). */
  maxBackoffMs?: number;
  /** Parallel writes per page. */
  writeConcurrency?: number;
  now?: () => Date;
}

export interface DirectorySyncDependencies {
  source: DirectorySource | undefined;
  enterprises: EnterpriseRepository;
  users: UserRepository;
  states: SyncStateRepository;
  activity: ActivityLog;
  listener?: UsersChangedListener;
  /** Without it, removed users' numbers are cleared on the user only. */
  numberRelease?: NumberRelease;
}

export class DirectorySyncNotConfiguredError extends ConflictError {}

const selectionKeyOf = (groupIds: readonly string[]) => [...groupIds].map((id) => id.toLowerCase()).sort().join(',');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `task` over `items` with at most `limit` in flight. */
async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++]!);
  }));
}

/** Lost the lease to another process (ours expired): stop quietly, that process carries on. */
class LeaseLostError extends Error {}

/**
 * Keeps each enterprise's users in step with its Microsoft 365 directory:
 * `/users/delta` (a full read first, then only changes), optionally limited to the
 * transitive members of selected groups. One run at a time per enterprise (a lease
 * on the sync state), resumable page by page after a crash, throttling-tolerant.
 */
export class DirectorySync {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly running = new Map<string, Promise<void>>();
  private readonly leaseMs: number;
  private readonly pageAttempts: number;
  private readonly maxBackoffMs: number;
  private readonly writeConcurrency: number;
  private readonly now: () => Date;

  constructor(
    private readonly deps: DirectorySyncDependencies,
    options: DirectorySyncOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 120_000;
    this.pageAttempts = options.pageAttempts ?? 6;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
    this.writeConcurrency = options.writeConcurrency ?? 16;
    this.now = options.now ?? (() => new Date());
  }

  get configured(): boolean {
    return this.deps.source !== undefined;
  }

  /** The Graph connection, for reads outside a sync (the group picker). */
  get source(): DirectorySource | undefined {
    return this.deps.source;
  }

  requireSource(): DirectorySource {
    if (!this.deps.source) throw this.notConfigured();
    return this.deps.source;
  }

  private notConfigured(): DirectorySyncNotConfiguredError {
    return new DirectorySyncNotConfiguredError('Directory sync is not configured on this server: set GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET.');
  }

  async state(enterpriseId: string): Promise<SyncState> {
    return (await this.deps.states.of(enterpriseId))?.value ?? { enterpriseId, status: 'idle', processed: 0, counts: zeroCounts() };
  }

  /**
   * Starts a run (or resumes an interrupted one) in the background and returns
   * the state. If a run is already going, returns its state: two requests, one run.
   */
  async start(enterpriseId: string, trigger: 'manual' | 'schedule', by?: Principal): Promise<{ state: SyncState; started: boolean }> {
    if (!this.deps.source) throw this.notConfigured();
    const lease = await this.acquire(enterpriseId, trigger);
    if (!lease.acquired) return { state: lease.state.value, started: false };
    const actor = by ? actorOf(by) : systemActor;
    const run = this.run(lease.state, actor)
      .catch(() => undefined) // recorded in the state; nothing to throw to
      .finally(() => this.running.delete(enterpriseId));
    this.running.set(enterpriseId, run);
    return { state: lease.state.value, started: true };
  }

  /** Resolves when every run of this process has ended (for shutdown). */
  async settleAll(): Promise<void> {
    await Promise.all(this.running.values());
  }

  /** Resolves when this process's run for the enterprise (if any) has ended. */
  async settled(enterpriseId: string): Promise<void> {
    await this.running.get(enterpriseId);
  }

  private leaseValid(state: SyncState): boolean {
    return state.status === 'running' && state.leaseUntil !== undefined && Date.parse(state.leaseUntil) > this.now().getTime();
  }

  private async acquire(enterpriseId: string, trigger: 'manual' | 'schedule'): Promise<{ acquired: boolean; state: Stored<SyncState> }> {
    for (;;) {
      const current = await this.deps.states.of(enterpriseId);
      if (current && this.leaseValid(current.value)) return { acquired: false, state: current };
      const previous = current?.value;
      const resuming = previous?.cursor !== undefined && previous.runId !== undefined;
      const next: SyncState = {
        enterpriseId,
        ...(previous ?? {}),
        status: 'running',
        trigger: resuming ? (previous.trigger ?? trigger) : trigger,
        runId: resuming ? previous.runId : randomUUID(),
        processed: resuming ? previous.processed : 0,
        counts: resuming ? previous.counts : zeroCounts(),
        startedAt: resuming ? previous.startedAt : this.now().toISOString(),
        phase: resuming ? previous.phase : 'users',
        leaseOwner: this.owner,
        leaseUntil: new Date(this.now().getTime() + this.leaseMs).toISOString(),
      };
      try {
        return { acquired: true, state: current ? await this.deps.states.update(current, next) : await this.deps.states.create(next) };
      } catch (error) {
        if (error instanceof ConflictError) continue; // someone else moved first: look again
        throw error;
      }
    }
  }

  /** Saves progress and renews the lease, unless another process has taken it over. */
  private async save(state: Stored<SyncState>, changes: Partial<SyncState>): Promise<Stored<SyncState>> {
    const next = { ...state.value, ...changes, leaseUntil: new Date(this.now().getTime() + this.leaseMs).toISOString() };
    try {
      return await this.deps.states.update(state, next);
    } catch (error) {
      if (error instanceof ConflictError) {
        const latest = await this.deps.states.of(state.value.enterpriseId);
        if (latest && latest.value.leaseOwner !== this.owner) throw new LeaseLostError('another process took over the sync');
        if (latest) return this.deps.states.update(latest, { ...latest.value, ...changes, leaseUntil: next.leaseUntil });
      }
      throw error;
    }
  }

  private async run(initial: Stored<SyncState>, actor: Actor): Promise<void> {
    const enterpriseId = initial.value.enterpriseId;
    let state = initial;
    try {
      const enterprise = (await this.deps.enterprises.byId(enterpriseId))?.value;
      if (!enterprise) throw new Error(`The enterprise ${enterpriseId} no longer exists.`);
      state = await this.syncUsers(enterprise, state);
      await this.finish(state, 'succeeded', actor);
    } catch (error) {
      if (error instanceof LeaseLostError) return;
      const latest = (await this.deps.states.of(enterpriseId)) ?? state;
      await this.finish(latest, 'failed', actor, error instanceof Error ? error.message : String(error)).catch(() => undefined);
      throw error;
    }
  }

  private async syncUsers(enterprise: Enterprise, initial: Stored<SyncState>): Promise<Stored<SyncState>> {
    const source = this.deps.source!;
    const groupIds = enterprise.settings.syncGroupIds;
    const selectionKey = selectionKeyOf(groupIds);
    let state = initial;

    // Group-limited sync: who is in the selection right now (Graph has no delta for that).
    let members: Map<string, GraphUser> | undefined;
    if (groupIds.length > 0) {
      state = await this.save(state, { phase: 'groups' });
      members = new Map();
      for (const groupId of groupIds) {
        let link: string | undefined;
        do {
          const page: GraphPage<GraphUser> = await this.withRetries(() => source.groupMembers(enterprise.tenantId, groupId, link));
          for (const user of page.items) members.set(user.id, user);
          link = page.nextLink;
        } while (link);
      }
    }

    const canDelta = state.value.deltaLink !== undefined && state.value.selectionKey === selectionKey;
    let mode: 'full' | 'delta' = state.value.cursor ? (state.value.mode ?? 'full') : canDelta ? 'delta' : 'full';
    let link: string | undefined = state.value.cursor ?? (mode === 'delta' ? state.value.deltaLink : undefined);
    const runStartedAt = state.value.startedAt ?? this.now().toISOString();
    state = await this.save(state, { phase: 'users', mode });

    // A full read compares against everyone we have; a delta reads only what changed.
    let known = mode === 'full' || members ? await this.loadAll(enterprise.id) : undefined;
    for (;;) {
      let page: GraphPage<GraphUser>;
      try {
        page = await this.withRetries(() => source.usersDelta(enterprise.tenantId, link));
      } catch (error) {
        if (!(error instanceof DeltaExpiredError) || mode === 'full' && link === undefined) throw error;
        // Graph forgot our place: read everything again (users missing from it are removed at the end).
        mode = 'full';
        link = undefined;
        known ??= await this.loadAll(enterprise.id);
        state = await this.save(state, { mode, cursor: undefined, deltaLink: undefined });
        continue;
      }
      const counts = await this.applyPage(enterprise.id, page.items, { known, members, touch: mode === 'full' });
      state = await this.save(state, {
        processed: state.value.processed + page.items.length,
        counts: add(state.value.counts, counts),
        cursor: page.nextLink,
        mode,
        ...(page.deltaLink ? { deltaLink: page.deltaLink, selectionKey } : {}),
      });
      if (!page.nextLink) break;
      link = page.nextLink;
    }

    state = await this.save(state, { phase: 'finishing' });
    const finishing = zeroCounts();
    if (members) {
      // Members the delta did not mention (they joined a group but did not change).
      const missing = [...members.values()].filter((user) => !known!.get(user.id) || known!.get(user.id)!.value.removed || !known!.get(user.id)!.value.inSelection);
      add(finishing, await this.applyPage(enterprise.id, missing, { known, members, touch: false }));
      // Users who fell out of the selection stay, marked "outside selection".
      const leaving = [...known!.values()].filter((stored) => !stored.value.removed && stored.value.inSelection && !members!.has(stored.value.id));
      add(finishing, await this.writeAll(enterprise.id, leaving.map((stored) => ({ stored, next: { ...stored.value, inSelection: false, updatedAt: this.now().toISOString() } })), 'updated'));
    }
    if (mode === 'full' && known) {
      // After a full read, whoever Graph no longer lists has left the directory.
      const gone = [...known.values()].filter((stored) => !stored.value.removed && stored.value.syncedAt < runStartedAt);
      add(finishing, await this.removeAll(enterprise.id, gone));
    }
    return this.save(state, { counts: add({ ...state.value.counts }, finishing) });
  }

  private async loadAll(enterpriseId: string): Promise<Map<string, Stored<DirectoryUser>>> {
    const known = new Map<string, Stored<DirectoryUser>>();
    for await (const stored of this.deps.users.listAll(enterpriseId)) known.set(stored.value.id, stored);
    return known;
  }

  /** Applies one page of Graph users: adds, updates, removals; returns what it did. */
  private async applyPage(
    enterpriseId: string,
    graphUsers: readonly GraphUser[],
    context: { known?: Map<string, Stored<DirectoryUser>>; members?: Map<string, GraphUser>; touch: boolean },
  ): Promise<SyncCounts> {
    const counts = zeroCounts();
    const now = this.now().toISOString();
    const existing = await this.lookUp(enterpriseId, graphUsers.map((user) => user.id), context.known);
    const creates: DirectoryUser[] = [];
    const updates: Array<{ stored: Stored<DirectoryUser>; next: DirectoryUser }> = [];
    const removals: Array<Stored<DirectoryUser>> = [];
    for (const graphUser of graphUsers) {
      const stored = existing.get(graphUser.id);
      if (graphUser['@removed']) {
        if (stored && !stored.value.removed) removals.push(stored);
        continue;
      }
      const inSelection = !context.members || context.members.has(graphUser.id);
      if (!stored && !inSelection) continue; // outside the selected groups: not ours to add
      const source = context.members?.get(graphUser.id) ?? graphUser;
      const next = mergeGraphUser(stored?.value, { ...source, ...graphUser }, { enterpriseId, now, inSelection, touch: context.touch });
      if (!next) continue;
      if (stored) updates.push({ stored, next });
      else creates.push(next);
    }
    if (creates.length > 0) add(counts, await this.createAll(enterpriseId, creates, context.known));
    add(counts, await this.writeAll(enterpriseId, updates, 'updated', context.known));
    add(counts, await this.removeAll(enterpriseId, removals, context.known));
    return counts;
  }

  private async lookUp(enterpriseId: string, ids: readonly string[], known?: Map<string, Stored<DirectoryUser>>): Promise<Map<string, Stored<DirectoryUser>>> {
    return known ?? this.deps.users.getMany(enterpriseId, ids);
  }

  private async createAll(enterpriseId: string, users: DirectoryUser[], known?: Map<string, Stored<DirectoryUser>>): Promise<SyncCounts> {
    const counts = zeroCounts();
    try {
      const created = await this.deps.users.createMany(users);
      counts.added += created.length;
      this.deps.listener?.applyUsers(enterpriseId, created);
      for (const stored of created) known?.set(stored.value.id, stored);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Some already exist (a resumed page): fall back to one by one, merging.
      for (const user of users) {
        const stored = await this.deps.users.get(enterpriseId, user.id);
        const result = stored ? await this.writeAll(enterpriseId, [{ stored, next: { ...stored.value, ...graphFieldsOf(user) } }], 'updated', known) : await this.createOne(user, known);
        add(counts, result);
      }
    }
    return counts;
  }

  private async createOne(user: DirectoryUser, known?: Map<string, Stored<DirectoryUser>>): Promise<SyncCounts> {
    const counts = zeroCounts();
    try {
      const stored = await this.deps.users.create(user);
      known?.set(user.id, stored);
      this.deps.listener?.applyUsers(user.enterpriseId, [stored]);
      counts.added++;
    } catch {
      counts.failed++;
    }
    return counts;
  }

  /**
   * Conditional updates; when an admin changed the user meanwhile (tags, SMS), the
   * Graph fields are re-applied on the fresh copy, keeping the admin's change.
   */
  private async writeAll(
    enterpriseId: string,
    changes: ReadonlyArray<{ stored: Stored<DirectoryUser>; next: DirectoryUser }>,
    kind: 'updated' | 'removed',
    known?: Map<string, Stored<DirectoryUser>>,
  ): Promise<SyncCounts> {
    const counts = zeroCounts();
    const written: Stored<DirectoryUser>[] = [];
    // First all at once (transactions per shard); whatever lost a race is merged one by one below.
    const first = await this.deps.users.updateMany(changes.map(({ stored, next }) => ({ current: stored, next })));
    const retry: Array<{ stored: Stored<DirectoryUser>; next: DirectoryUser }> = [];
    first.forEach((result, index) => {
      if (!(result instanceof Error)) {
        known?.set(result.value.id, result);
        written.push(result);
        counts[kind]++;
      } else if (result instanceof ConflictError) retry.push(changes[index]!);
      else counts.failed++;
    });
    // Someone (an admin saving tags, say) wrote the user meanwhile: re-apply our fields on the fresh copy.
    await forEachLimited(retry, this.writeConcurrency, async ({ next }) => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const fresh = await this.deps.users.get(enterpriseId, next.id);
        if (!fresh) break;
        const merged = kind === 'removed' ? markRemoved(fresh.value, next.updatedAt) : { ...fresh.value, ...graphFieldsOf(next) };
        try {
          const saved = await this.deps.users.update(fresh, merged);
          known?.set(next.id, saved);
          written.push(saved);
          counts[kind]++;
          return;
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
        }
      }
      counts.failed++;
    });
    if (written.length > 0) this.deps.listener?.applyUsers(enterpriseId, written);
    return counts;
  }

  private async removeAll(enterpriseId: string, removals: ReadonlyArray<Stored<DirectoryUser>>, known?: Map<string, Stored<DirectoryUser>>): Promise<SyncCounts> {
    const now = this.now().toISOString();
    const counts = await this.writeAll(enterpriseId, removals.map((stored) => ({ stored, next: markRemoved(stored.value, now) })), 'removed', known);
    const released = removals.length > 0 && this.deps.numberRelease ? await this.deps.numberRelease.releaseHeldBy(enterpriseId, removals.map((stored) => stored.value.id)) : new Map<string, readonly string[]>();
    for (const stored of removals) {
      // The numbers the user held: what the numbers table released, and what the user's mirror listed.
      const numbers = [...new Set([...stored.value.sms.numbers, ...(released.get(stored.value.id) ?? [])])];
      if (numbers.length === 0) continue;
      await this.deps.activity.record({
        scope: enterpriseId,
        actor: systemActor,
        action: 'user.removed',
        entity: { type: 'user', id: stored.value.id, name: stored.value.userPrincipalName },
        summary: `${stored.value.displayName || stored.value.userPrincipalName} left the Microsoft 365 directory; released ${numbers.join(', ')}.`,
        before: { smsNumbers: numbers },
        after: { smsNumbers: [] },
      });
    }
    return counts;
  }

  /** Runs a Graph call, waiting out throttling (Retry-After) and transient failures. */
  private async withRetries<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof GraphUnavailableError) || attempt >= this.pageAttempts) throw error;
        const backoff = Math.min(this.maxBackoffMs, 500 * 2 ** (attempt - 1));
        await sleep(Math.min(this.maxBackoffMs, error.retryAfterMs ?? backoff * (0.5 + Math.random() / 2)));
      }
    }
  }

  private async finish(state: Stored<SyncState>, outcome: 'succeeded' | 'failed', actor: Actor, error?: string): Promise<void> {
    const value = state.value;
    const finishedAt = this.now();
    const startedAt = value.startedAt ?? finishedAt.toISOString();
    const result: SyncResult = {
      runId: value.runId ?? 'unknown',
      mode: value.mode ?? 'full',
      trigger: value.trigger ?? 'manual',
      outcome,
      ...(error ? { error } : {}),
      ...value.counts,
      startedAt,
      finishedAt: finishedAt.toISOString(),
      // From the first start, so a resumed run reports its whole length.
      durationMs: finishedAt.getTime() - Date.parse(startedAt),
    };
    const next: SyncState = {
      ...value,
      status: outcome === 'succeeded' ? 'idle' : 'failed',
      phase: undefined,
      leaseOwner: undefined,
      leaseUntil: undefined,
      lastResult: result,
      // A failed run keeps its cursor so the next one resumes where it stopped.
      ...(outcome === 'succeeded' ? { cursor: undefined, runId: undefined } : {}),
    };
    await this.deps.states.update(state, next);
    const { added, updated, removed, failed } = value.counts;
    await this.deps.activity.record({
      scope: value.enterpriseId,
      actor,
      action: outcome === 'succeeded' ? 'directory.synced' : 'directory.sync.failed',
      entity: { type: 'directory', id: value.enterpriseId },
      summary:
        outcome === 'succeeded'
          ? `Synced Teams users (${value.mode ?? 'full'}): ${added} added, ${updated} updated, ${removed} removed${failed ? `, ${failed} failed` : ''}.`
          : `Syncing Teams users failed: ${error}. The next sync resumes where it stopped.`,
      after: { added, updated, removed, failed, durationMs: result.durationMs },
    });
  }
}

function graphFieldsOf(user: DirectoryUser): Partial<DirectoryUser> {
  const { userPrincipalName, displayName, mail, accountEnabled, userType, teamsLicensed, teamsPhoneLicensed, removed, inSelection, syncedAt, updatedAt } = user;
  return { userPrincipalName, displayName, mail, accountEnabled, userType, teamsLicensed, teamsPhoneLicensed, removed, inSelection, syncedAt, updatedAt, ...(removed ? { sms: { enabled: false, numbers: [] } } : {}) };
}

function add(target: SyncCounts, more: SyncCounts): SyncCounts {
  target.added += more.added;
  target.updated += more.updated;
  target.removed += more.removed;
  target.failed += more.failed;
  return target;
}
