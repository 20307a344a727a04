import { z } from 'zod';
import { actorOf, type Principal } from '../access/principal';
import { requireAdminOf } from '../access/policy';
import type { ActivityLog } from '../audit/activity';
import type { DirectoryUser } from '../directory/user';
import type { UserDirectory } from '../directory/user-directory';
import { FLAG } from '../directory/user-query';
import type { UserRepository } from '../directory/user-repository';
import { userLabel } from '../directory/user-view';
import type { EnterpriseRepository } from '../enterprises/repository';
import { AppError, ConflictError } from '../errors';
import { formatInternational } from '../rules/phone';
import type { NumberCache } from './number-cache';
import type { SmsAssignments } from './sms-assignments';

/**
 * The Connect SMS view: every directory user with their full name, SMS numbers and
 * the extensions of those numbers (from the number inventory), whether SMS is on,
 * searchable by name, number or extension; and turning SMS on or off for several
 * chosen users at once. SMS can only be turned on for a user who holds a number;
 * the others are named in the answer. Each change goes through
 * `SmsAssignments.applyUserConfig` (numbers and tags kept, only `enabled` flips).
 */

export interface ConnectSmsDependencies {
  enterprises: EnterpriseRepository;
  users: Pick<UserDirectory, 'snapshot'>;
  userRepository: Pick<UserRepository, 'getMany'>;
  numbers: Pick<NumberCache, 'snapshot'>;
  assignments: Pick<SmsAssignments, 'applyUserConfig'>;
  activity: ActivityLog;
}

export const MAX_CONNECT_SMS_PAGE = 500;
/** Users changed by one enable or disable request. */
export const MAX_CONNECT_SMS_SELECTION = 500;
const CONCURRENCY = 8;
/** Attempts per user when a concurrent writer changed them between the read and the save. */
const ATTEMPTS = 3;

export const connectSmsQuerySchema = z.object({
  search: z
    .string()
    .trim()
    .max(200, 'Use at most 200 characters.')
    .optional()
    .describe('Name or username (words must all match), or digits of a number or extension ("555 01", "2104"), formatting ignored.'),
  enabled: z
    .enum(['true', 'false'], { error: 'Use true or false.' })
    .transform((value) => value === 'true')
    .optional()
    .describe('true: users with SMS on; false: users with SMS off (including users without a number).'),
  offset: z.coerce.number().int('Must be a whole number.').min(0, 'Must be 0 or more.').default(0),
  limit: z.coerce
    .number()
    .int('Must be a whole number.')
    .min(1, 'Must be at least 1.')
    .max(MAX_CONNECT_SMS_PAGE, `At most ${MAX_CONNECT_SMS_PAGE} rows per page.`)
    .default(100),
});
export type ConnectSmsQuery = z.output<typeof connectSmsQuerySchema>;

export interface ConnectSmsNumber {
  number: string;
  display: string;
  /** The PBX extension of the number in the inventory, if any. */
  extension: string | null;
}

export interface ConnectSmsRow {
  id: string;
  /** Full name (display name; the username when there is none). */
  name: string;
  username: string;
  numbers: ConnectSmsNumber[];
  /** SMS is on (and the user has a number to use it with). */
  enabled: boolean;
  sms: 'enabled' | 'disabled' | 'not-configured';
  licensed: boolean;
}

export interface ConnectSmsPage {
  items: ConnectSmsRow[];
  total: number;
  offset: number;
  limit: number;
  /** Across all users (not only the page): how many have SMS on, off, or no number. */
  counts: { enabled: number; disabled: number; withoutNumber: number };
}

export interface ConnectSmsChangeResult {
  /** Users who now have SMS on (or off, for disable), including those who already had. */
  changed: string[];
  skipped: Array<{ id: string; name: string; reason: string }>;
  failed: Array<{ id: string; name: string; reason: string }>;
}

export const NO_NUMBER_REASON = 'No SMS number assigned';

const fold = (value: string) => value.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();

export class ConnectSms {
  constructor(private readonly deps: ConnectSmsDependencies) {}

  private async adminOf(principal: Principal, enterpriseId: string, action: string) {
    const stored = await this.deps.enterprises.byId(enterpriseId);
    return requireAdminOf(principal, stored?.value, enterpriseId, action);
  }

  /** The users, by name, with their numbers and extensions; removed users are left out. */
  async list(principal: Principal, enterpriseId: string, query: Partial<ConnectSmsQuery> = {}): Promise<ConnectSmsPage> {
    await this.adminOf(principal, enterpriseId, 'see Connect SMS');
    const [users, numbers] = await Promise.all([this.deps.users.snapshot(enterpriseId), this.deps.numbers.snapshot(enterpriseId)]);
    const extensionOf = (number: string) => numbers.get(number)?.stored.value.extension ?? null;

    const search = query.search?.trim() ?? '';
    const digits = /\d/.test(search) && /^[+\d\s().\-/]*$/.test(search) ? search.replace(/\D/g, '') : '';
    const words = digits ? [] : fold(search).split(/\s+/).filter(Boolean);
    const offset = query.offset ?? 0;
    const limit = Math.min(query.limit ?? 100, MAX_CONNECT_SMS_PAGE);

    const counts = { enabled: 0, disabled: 0, withoutNumber: 0 };
    const items: ConnectSmsRow[] = [];
    let total = 0;
    const sorted = users.sorted('displayName', 'asc', { enterpriseChatEnabled: true });
    for (let i = 0; i < sorted.users.length; i++) {
      const flags = sorted.flags[i]!;
      if (flags & FLAG.removed) continue;
      const enabled = (flags & FLAG.smsEnabled) !== 0;
      if (enabled) counts.enabled++;
      else if (flags & FLAG.smsNotConfigured) counts.withoutNumber++;
      else counts.disabled++;
      if (query.enabled !== undefined && query.enabled !== enabled) continue;
      const entry = sorted.users[i]!;
      const user = entry.user;
      if (words.length > 0) {
        const name = fold(`${user.displayName}\n${user.userPrincipalName}`);
        if (!words.every((word) => name.includes(word))) continue;
      }
      if (digits && !entry.digits.includes(digits) && !user.sms.numbers.some((number) => (extensionOf(number) ?? '').includes(digits))) continue;
      total++;
      if (total > offset && items.length < limit) items.push(this.row(user, flags, extensionOf));
    }
    return { items, total, offset, limit, counts };
  }

  private row(user: DirectoryUser, flags: number, extensionOf: (number: string) => string | null): ConnectSmsRow {
    return {
      id: user.id,
      name: userLabel(user),
      username: user.userPrincipalName,
      numbers: user.sms.numbers.map((number) => ({ number, display: formatInternational(number), extension: extensionOf(number) })),
      enabled: (flags & FLAG.smsEnabled) !== 0,
      sms: flags & FLAG.smsEnabled ? 'enabled' : flags & FLAG.smsNotConfigured ? 'not-configured' : 'disabled',
      licensed: user.teamsLicensed,
    };
  }

  /** Turns SMS on for the chosen users who hold a number; names the others and why. */
  enable(principal: Principal, enterpriseId: string, userIds: readonly string[]): Promise<ConnectSmsChangeResult> {
    return this.setEnabled(principal, enterpriseId, userIds, true);
  }

  /** Turns SMS off for the chosen users (their numbers stay assigned). */
  disable(principal: Principal, enterpriseId: string, userIds: readonly string[]): Promise<ConnectSmsChangeResult> {
    return this.setEnabled(principal, enterpriseId, userIds, false);
  }

  private async setEnabled(principal: Principal, enterpriseId: string, userIds: readonly string[], enabled: boolean): Promise<ConnectSmsChangeResult> {
    await this.adminOf(principal, enterpriseId, enabled ? 'turn SMS on for users' : 'turn SMS off for users');
    const actor = actorOf(principal);
    const ids = [...new Set(userIds)];
    const outcome = new Map<string, { kind: 'changed' | 'same' } | { kind: 'skipped' | 'failed'; name: string; reason: string }>();
    const names = new Map<string, string>();

    let pending = ids;
    for (let attempt = 1; attempt <= ATTEMPTS && pending.length > 0; attempt++) {
      const found = await this.deps.userRepository.getMany(enterpriseId, pending);
      const again: string[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(CONCURRENCY, pending.length) }, async () => {
          while (next < pending.length) {
            const id = pending[next++]!;
            const stored = found.get(id);
            if (!stored) {
              outcome.set(id, { kind: 'skipped', name: id, reason: 'Not in the directory' });
              continue;
            }
            const user = stored.value;
            names.set(id, userLabel(user));
            if (user.removed) {
              outcome.set(id, { kind: 'skipped', name: userLabel(user), reason: 'Removed from the Microsoft 365 directory' });
              continue;
            }
            if (enabled && user.sms.numbers.length === 0) {
              outcome.set(id, { kind: 'skipped', name: userLabel(user), reason: NO_NUMBER_REASON });
              continue;
            }
            if (user.sms.enabled === enabled) {
              outcome.set(id, { kind: 'same' });
              continue;
            }
            try {
              const change = await this.deps.assignments.applyUserConfig(enterpriseId, id, { enabled, numbers: [...user.sms.numbers] }, actor, { expectedUserEtag: stored.etag });
              outcome.set(id, { kind: change.unchanged ? 'same' : 'changed' });
            } catch (error) {
              if (error instanceof ConflictError && attempt < ATTEMPTS && /changed/.test(error.message)) {
                again.push(id); // changed between our read and the save: read again
                continue;
              }
              if (!(error instanceof AppError)) throw error;
              outcome.set(id, { kind: 'failed', name: userLabel(user), reason: error.message });
            }
          }
        }),
      );
      pending = again;
    }

    const result: ConnectSmsChangeResult = { changed: [], skipped: [], failed: [] };
    const actuallyChanged: string[] = [];
    for (const id of ids) {
      const entry = outcome.get(id);
      if (!entry) continue;
      if ('reason' in entry) {
        result[entry.kind].push({ id, name: entry.name, reason: entry.reason });
        continue;
      }
      result.changed.push(id);
      if (entry.kind === 'changed') actuallyChanged.push(id);
    }
    if (actuallyChanged.length > 0 || result.skipped.length > 0 || result.failed.length > 0) {
      const listNames = (list: readonly string[]) => (list.length <= 10 ? list.join(', ') : `${list.slice(0, 10).join(', ')} and ${list.length - 10} more`);
      const verb = enabled ? 'Turned SMS on' : 'Turned SMS off';
      const skippedText =
        result.skipped.length > 0
          ? ` Skipped ${result.skipped.length}: ${listNames(result.skipped.map((s) => `${s.name} (${s.reason[0]!.toLowerCase()}${s.reason.slice(1)})`))}.`
          : '';
      const failedText = result.failed.length > 0 ? ` ${result.failed.length} could not be changed: ${listNames(result.failed.map((f) => f.name))}.` : '';
      await this.deps.activity.record({
        scope: enterpriseId,
        actor,
        action: enabled ? 'sms.connect.enabled' : 'sms.connect.disabled',
        entity: { type: 'enterprise', id: enterpriseId },
        summary: `${verb} for ${actuallyChanged.length} user${actuallyChanged.length === 1 ? '' : 's'}${actuallyChanged.length > 0 ? `: ${listNames(actuallyChanged.map((id) => names.get(id) ?? id))}` : ''}.${skippedText}${failedText}`,
        after: { enabled, changed: actuallyChanged, skipped: result.skipped, failed: result.failed },
      });
    }
    return result;
  }
}

// ---------------------------------------------------------------- API schemas

export const connectSmsRowSchema = z.object({
  id: z.string().describe('The user id (Entra object id).'),
  name: z.string().describe('Full name.'),
  username: z.string().describe('Teams username (user principal name).'),
  numbers: z.array(
    z.object({
      number: z.string().describe('E.164.'),
      display: z.string().describe('International format, e.g. "+1 415 555 0123".'),
      extension: z.string().nullable().describe("The number's PBX extension in the inventory, if any."),
    }),
  ),
  enabled: z.boolean().describe('SMS is on for the user.'),
  sms: z.enum(['enabled', 'disabled', 'not-configured']).describe('not-configured: no number yet.'),
  licensed: z.boolean().describe('Has a Teams licence.'),
});

export const connectSmsPageSchema = z
  .object({
    items: z.array(connectSmsRowSchema),
    total: z.number().int().describe('Users matching the search and filter.'),
    offset: z.number().int(),
    limit: z.number().int(),
    counts: z
      .object({ enabled: z.number().int(), disabled: z.number().int(), withoutNumber: z.number().int() })
      .describe('Across all users of the enterprise: SMS on, SMS off with a number, no number.'),
  })
  .meta({ id: 'ConnectSmsPage' });

export const connectSmsSelectionSchema = z
  .object({
    userIds: z
      .array(z.string().trim().min(1, 'A user id cannot be empty.').max(200))
      .min(1, 'Choose at least one user.')
      .max(MAX_CONNECT_SMS_SELECTION, `Choose at most ${MAX_CONNECT_SMS_SELECTION} users at once.`)
      .describe('The users to change.'),
  })
  .strict()
  .meta({ id: 'ConnectSmsSelection' });

const namedReason = z.object({ id: z.string(), name: z.string(), reason: z.string() });

export const connectSmsEnableResultSchema = z
  .object({
    enabled: z.array(z.string()).describe('Users who now have SMS on (including any who already had).'),
    skipped: z.array(namedReason).describe(`Users left as they were, and why (e.g. "${NO_NUMBER_REASON}").`),
    failed: z.array(namedReason).describe('Users that could not be changed (e.g. changed by someone else meanwhile); try them again.'),
  })
  .meta({ id: 'ConnectSmsEnableResult' });

export const connectSmsDisableResultSchema = z
  .object({
    disabled: z.array(z.string()).describe('Users who now have SMS off (including any who already had); their numbers stay assigned.'),
    skipped: z.array(namedReason).describe('Users left as they were, and why.'),
    failed: z.array(namedReason).describe('Users that could not be changed; try them again.'),
  })
  .meta({ id: 'ConnectSmsDisableResult' });
