import { z } from 'zod';

/** Service plan ids in Graph's `assignedPlans`. */
export const TEAMS_SERVICE_PLAN = '57ff2da0-773e-42df-b2af-ffb7a2317929'; // TEAMS1
export const TEAMS_PHONE_SERVICE_PLAN = '4828c8ec-dc2e-4779-b502-87ac9ce28ab7'; // MCOEV

export const chatAccessValues = ['inherit', 'allow', 'deny'] as const;
export type ChatAccess = (typeof chatAccessValues)[number];

/**
 * A member of the enterprise's Microsoft 365 directory, as synced from Graph, plus
 * what Switchboard adds to it (tags, SMS service, chat access). Graph owns the
 * identity fields; the sync never touches the Switchboard fields.
 */
export interface DirectoryUser {
  enterpriseId: string;
  /** Entra object id. */
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail: string | null;
  accountEnabled: boolean;
  userType: string;
  teamsLicensed: boolean;
  teamsPhoneLicensed: boolean;
  /** Deleted from the directory (Graph delta `@removed`): kept for the record. */
  removed: boolean;
  /** False when sync groups are selected and the user is in none of them. */
  inSelection: boolean;
  tags: string[];
  sms: { enabled: boolean; numbers: string[] };
  chatAccess: ChatAccess;
  syncedAt: string;
  updatedAt: string;
}

/** The fields Microsoft Graph owns on a directory user; everything else is Switchboard's. */
export type GraphOwnedFields = Pick<DirectoryUser, 'userPrincipalName' | 'displayName' | 'mail' | 'accountEnabled' | 'userType' | 'teamsLicensed' | 'teamsPhoneLicensed'>;

/** A user as first seen in the directory: Switchboard's fields at their defaults (no tags, SMS off, Chat inherited). */
export function newDirectoryUser(
  identity: Pick<DirectoryUser, 'enterpriseId' | 'id'> & GraphOwnedFields,
  at: string,
  overrides: Partial<Omit<DirectoryUser, 'enterpriseId' | 'id'>> = {},
): DirectoryUser {
  return {
    ...identity,
    removed: false,
    inSelection: true,
    tags: [],
    sms: { enabled: false, numbers: [] },
    chatAccess: 'inherit',
    syncedAt: at,
    updatedAt: at,
    ...overrides,
  };
}

/** The SMS chip: enabled, disabled, or not configured (no number yet: the gray chip). */
export type SmsState = 'enabled' | 'disabled' | 'not-configured';
export function smsState(user: Pick<DirectoryUser, 'sms'>): SmsState {
  if (user.sms.numbers.length === 0) return 'not-configured';
  return user.sms.enabled ? 'enabled' : 'disabled';
}

/** The CHT chip: chat on for the enterprise, unless the user is denied; or off, unless the user is allowed. */
export function chatEnabledFor(user: Pick<DirectoryUser, 'chatAccess'>, enterpriseChatEnabled: boolean): boolean {
  if (user.chatAccess === 'allow') return true;
  if (user.chatAccess === 'deny') return false;
  return enterpriseChatEnabled;
}

/** Graph's licence state from `assignedPlans`: a plan counts only while its capability is Enabled. */
export function licensesFrom(assignedPlans: ReadonlyArray<{ servicePlanId?: string; capabilityStatus?: string }> | undefined): { teamsLicensed: boolean; teamsPhoneLicensed: boolean } {
  const enabled = new Set((assignedPlans ?? []).filter((plan) => plan.capabilityStatus === 'Enabled').map((plan) => plan.servicePlanId?.toLowerCase()));
  return { teamsLicensed: enabled.has(TEAMS_SERVICE_PLAN), teamsPhoneLicensed: enabled.has(TEAMS_PHONE_SERVICE_PLAN) };
}

export const MAX_TAGS_PER_USER = 5;
export const MAX_TAG_LENGTH = 20;

/** One tag: trimmed, 1 to 20 characters. */
export const tagSchema = z
  .string()
  .trim()
  .min(1, 'A tag cannot be empty.')
  .max(MAX_TAG_LENGTH, `A tag can have at most ${MAX_TAG_LENGTH} characters.`)
  .regex(/^[^\p{Cc}]*$/u, 'A tag cannot contain line breaks, tabs or other control characters.');

/** A user's tags: at most 5, no duplicates ignoring case. */
export const tagListSchema = z
  .array(tagSchema)
  .max(MAX_TAGS_PER_USER, `A user can have at most ${MAX_TAGS_PER_USER} tags.`)
  .superRefine((tags, ctx) => {
    const seen = new Map<string, string>();
    tags.forEach((tag, index) => {
      const key = tag.toLocaleLowerCase();
      const first = seen.get(key);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [index], message: `"${tag}" repeats the tag "${first}" (tags ignore case).` });
      else seen.set(key, tag);
    });
  });
