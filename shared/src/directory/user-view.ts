import { z } from 'zod';
import type { Stored } from '../store/repository';
import { chatAccessValues, chatEnabledFor, smsState, type ChatAccess, type DirectoryUser, type SmsState } from './user';

/**
 * A user as the Users page shows it: one row per directory user, with the SMS
 * numbers, licence, service chips and tags of the page's columns, the state the
 * filters need, and the ETag a change to the user must carry.
 */

/** A number of an SMS group (several Teams users sharing one number) that a user owns. */
export interface GroupOwnedNumber {
  number: string;
  groupId: string;
}

/**
 * Where the group-owner numbers come from. SMS groups are a capability of their own
 * (not built yet); it will implement this and call `UserDirectory.invalidate` when
 * group ownership or group numbers change. Until then the directory runs without a
 * source and rows carry the users' own numbers only.
 */
export interface GroupNumberSource {
  /** For one enterprise: the numbers of the SMS groups each user owns, by user id. Users who own none may be missing. */
  groupOwnerNumbers(enterpriseId: string): Promise<ReadonlyMap<string, readonly GroupOwnedNumber[]>>;
}

export type SmsNumberRef = { number: string; role: 'own' } | { number: string; role: 'group-owner'; groupId: string };

export type ChatChip = 'on' | 'off';
export type LicenseState = 'with' | 'without';

export interface UserRow {
  id: string;
  /** The Teams username: the user principal name. */
  username: string;
  displayName: string;
  mail: string | null;
  /** Own numbers first (as assigned), then the numbers of SMS groups the user owns. */
  smsNumbers: SmsNumberRef[];
  /** Teams licence (the page's green or red icon). */
  license: LicenseState;
  teamsPhoneLicensed: boolean;
  services: {
    /** The SMS chip. */
    sms: SmsState;
    /** The CHT chip: the enterprise's Chat switch, unless this user is allowed or denied. */
    chat: ChatChip;
    /** This user's own chat setting. */
    chatAccess: ChatAccess;
  };
  tags: string[];
  /** Deleted from the directory; kept for the record. */
  removed: boolean;
  /** False when sync groups are selected and the user is in none of them. */
  inSelection: boolean;
  accountEnabled: boolean;
  userType: string;
  syncedAt: string;
  updatedAt: string;
  /** Send it back in If-Match to change the user. */
  etag: string;
}

/** Own numbers first, in the order assigned, then the numbers of the groups the user owns. */
export function smsNumbersOf(user: Pick<DirectoryUser, 'sms'>, groupNumbers: readonly GroupOwnedNumber[] = []): SmsNumberRef[] {
  return [
    ...user.sms.numbers.map((number): SmsNumberRef => ({ number, role: 'own' })),
    ...groupNumbers.map(({ number, groupId }): SmsNumberRef => ({ number, role: 'group-owner', groupId })),
  ];
}

export function toUserRow(
  stored: Stored<DirectoryUser>,
  context: { enterpriseChatEnabled: boolean; groupNumbers?: readonly GroupOwnedNumber[] },
): UserRow {
  const user = stored.value;
  return {
    id: user.id,
    username: user.userPrincipalName,
    displayName: user.displayName,
    mail: user.mail,
    smsNumbers: smsNumbersOf(user, context.groupNumbers),
    license: user.teamsLicensed ? 'with' : 'without',
    teamsPhoneLicensed: user.teamsPhoneLicensed,
    services: {
      sms: smsState(user),
      chat: chatEnabledFor(user, context.enterpriseChatEnabled) ? 'on' : 'off',
      chatAccess: user.chatAccess,
    },
    tags: [...user.tags],
    removed: user.removed,
    inSelection: user.inSelection,
    accountEnabled: user.accountEnabled,
    userType: user.userType,
    syncedAt: user.syncedAt,
    updatedAt: user.updatedAt,
    etag: stored.etag,
  };
}

/** The name the activity feed and messages use for a user. */
export const userLabel = (user: Pick<DirectoryUser, 'displayName' | 'userPrincipalName'>) => user.displayName || user.userPrincipalName;

const smsNumberRefSchema = z.union([
  z.object({ number: z.string(), role: z.literal('own') }),
  z.object({ number: z.string(), role: z.literal('group-owner'), groupId: z.string().describe('The SMS group the user owns.') }),
]);

export const userRowSchema = z
  .object({
    id: z.string().describe('Entra object id.'),
    username: z.string().describe('Teams username (user principal name).'),
    displayName: z.string(),
    mail: z.string().nullable(),
    smsNumbers: z.array(smsNumberRefSchema).describe('Own numbers, then numbers of SMS groups the user owns.'),
    license: z.enum(['with', 'without']).describe('Teams licence.'),
    teamsPhoneLicensed: z.boolean(),
    services: z.object({
      sms: z.enum(['enabled', 'disabled', 'not-configured']).describe('The SMS chip; not-configured means no number yet.'),
      chat: z.enum(['on', 'off']).describe("The CHT chip: the enterprise's Chat setting unless this user is allowed or denied."),
      chatAccess: z.enum(chatAccessValues),
    }),
    tags: z.array(z.string()),
    removed: z.boolean().describe('Deleted from the directory; kept for the record.'),
    inSelection: z.boolean().describe('False when sync groups are selected and the user is in none of them.'),
    accountEnabled: z.boolean(),
    userType: z.string(),
    syncedAt: z.string(),
    updatedAt: z.string(),
    etag: z.string().describe('Send it back in If-Match to change the user.'),
  })
  .meta({ id: 'UserRow' });

export const userPageSchema = z
  .object({
    items: z.array(userRowSchema),
    total: z.number().int().describe('Users matching the filters, across all pages.'),
    offset: z.number().int(),
    limit: z.number().int(),
  })
  .meta({ id: 'UserPage' });

export interface UserPage {
  items: UserRow[];
  total: number;
  offset: number;
  limit: number;
}
