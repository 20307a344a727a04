import { z } from 'zod';
import type { E164 } from '../rules/phone';
import { Repository, type RepositoryDefinition, type Stored } from '../store/repository';
import type { TableStore } from '../store/table-store';
import { defaultCountrySchema, numberInputSchema } from './number';

/**
 * An SMS group: several Teams users sharing one number. Every member receives the
 * group's inbound messages; owners manage it and see its number on the Users page
 * ("group owner"). The number is held through the numbers table (holder type
 * 'group'), like a user's.
 */
export interface SmsGroup {
  enterpriseId: string;
  id: string;
  /** Unique per enterprise, ignoring case. */
  name: string;
  number: E164 | null;
  /** At least one; owners are members too. */
  ownerIds: string[];
  /** Every member, owners included. */
  memberIds: string[];
  createdAt: string;
  updatedAt: string;
}

export const SMS_GROUPS_TABLE = 'smsgroups';
export const SMS_GROUP_NAME_INDEX = 'name';
export const MAX_GROUP_NAME_LENGTH = 64;
export const MAX_GROUP_OWNERS = 20;
export const MAX_GROUP_MEMBERS = 200;

/** Names compare ignoring case (and surrounding spaces). */
export const groupNameKey = (name: string) => name.trim().toLocaleLowerCase();

const definition: RepositoryDefinition<SmsGroup> = {
  table: SMS_GROUPS_TABLE,
  entityName: 'SMS group',
  partitionOf: (g) => g.enterpriseId,
  idOf: (g) => g.id,
  toEntity: (g) => ({
    name: g.name,
    number: g.number,
    ownerIds: JSON.stringify(g.ownerIds),
    memberIds: JSON.stringify(g.memberIds),
    createdAt: g.createdAt,
    updatedAt: g.updatedAt,
  }),
  fromEntity: (p, keys) => ({
    enterpriseId: keys.partition,
    id: keys.id,
    name: String(p.name),
    number: typeof p.number === 'string' ? (p.number as E164) : null,
    ownerIds: JSON.parse(String(p.ownerIds ?? '[]')) as string[],
    memberIds: JSON.parse(String(p.memberIds ?? '[]')) as string[],
    createdAt: String(p.createdAt),
    updatedAt: String(p.updatedAt),
  }),
  indexes: [
    {
      name: SMS_GROUP_NAME_INDEX,
      field: 'name',
      keys: (g) => [groupNameKey(g.name)],
      conflictMessage: (key) => `Another SMS group is already named "${key}" (names ignore case). Choose another name.`,
    },
  ],
};

/** SMS groups, one partition per enterprise (there are few per enterprise). */
export class SmsGroupRepository extends Repository<SmsGroup> {
  constructor(store: TableStore) {
    super(store, definition);
  }

  all(enterpriseId: string): AsyncGenerator<Stored<SmsGroup>> {
    return this.listAll(enterpriseId);
  }

  byName(enterpriseId: string, name: string): Promise<Stored<SmsGroup> | undefined> {
    return this.findByIndex(enterpriseId, SMS_GROUP_NAME_INDEX, groupNameKey(name));
  }
}

// ---------------------------------------------------------------- API shapes

const groupNameSchema = z
  .string()
  .trim()
  .min(1, 'Give the group a name.')
  .max(MAX_GROUP_NAME_LENGTH, `A group name has at most ${MAX_GROUP_NAME_LENGTH} characters.`)
  .regex(/^[^\p{Cc}]*$/u, 'A group name cannot contain line breaks, tabs or other control characters.')
  .describe('Unique in the enterprise, ignoring case.');

const userIdSchema = z.string().trim().min(1, 'A user id cannot be empty.').max(200, 'A user id has at most 200 characters.');

const ownerIdsSchema = z
  .array(userIdSchema)
  .min(1, 'An SMS group needs at least one owner.')
  .max(MAX_GROUP_OWNERS, `An SMS group has at most ${MAX_GROUP_OWNERS} owners.`)
  .describe('User ids of the owners (at least one). Owners are members too.');

const memberIdsSchema = z
  .array(userIdSchema)
  .max(MAX_GROUP_MEMBERS, `An SMS group has at most ${MAX_GROUP_MEMBERS} members.`)
  .describe('User ids of the members; owners are added to them.');

export const createSmsGroupBodySchema = z
  .object({
    name: groupNameSchema,
    number: numberInputSchema.nullable().optional().describe('The number the group shares: in the inventory, SMS-capable and unassigned.'),
    defaultCountry: defaultCountrySchema.optional(),
    ownerIds: ownerIdsSchema,
    memberIds: memberIdsSchema.default([]),
  })
  .strict()
  .meta({ id: 'CreateSmsGroup' });
export type CreateSmsGroup = z.output<typeof createSmsGroupBodySchema>;

export const updateSmsGroupBodySchema = z
  .object({
    name: groupNameSchema.optional(),
    number: numberInputSchema.nullable().optional().describe('A new number for the group, or null to release its number.'),
    defaultCountry: defaultCountrySchema.optional(),
    ownerIds: ownerIdsSchema.optional().describe('The complete new list of owners. Owners removed from it stay members unless memberIds says otherwise.'),
    memberIds: memberIdsSchema.optional().describe('The complete new list of members; the owners are added to it.'),
  })
  .strict()
  .meta({ id: 'UpdateSmsGroup' });
export type UpdateSmsGroup = z.output<typeof updateSmsGroupBodySchema>;

export interface SmsGroupMember {
  id: string;
  displayName: string;
  username: string;
  owner: boolean;
  /** Teams licence: members without one cannot receive the group's messages. */
  licensed: boolean;
  /** Removed from the directory (or no longer found). */
  removed: boolean;
}

export interface SmsGroupView {
  id: string;
  name: string;
  number: string | null;
  display: string | null;
  /** Owners first, then the other members, each by display name. */
  members: SmsGroupMember[];
  ownerIds: string[];
  memberIds: string[];
  createdAt: string;
  updatedAt: string;
  etag: string;
}

const smsGroupMemberSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  username: z.string(),
  owner: z.boolean(),
  licensed: z.boolean().describe('Has a Teams licence (needed to receive the messages).'),
  removed: z.boolean().describe('Removed from the directory, or no longer found.'),
});

export const smsGroupViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    number: z.string().nullable().describe('E.164, or null when the group has no number yet.'),
    display: z.string().nullable().describe('The number in international format.'),
    members: z.array(smsGroupMemberSchema).describe('Owners first, then the other members.'),
    ownerIds: z.array(z.string()),
    memberIds: z.array(z.string()).describe('Every member, owners included.'),
    createdAt: z.string(),
    updatedAt: z.string(),
    etag: z.string().describe('Send it back in If-Match to change or delete the group.'),
  })
  .meta({ id: 'SmsGroup' });

export const smsGroupListSchema = z.object({ items: z.array(smsGroupViewSchema) }).meta({ id: 'SmsGroupList' });

export const smsGroupQuerySchema = z.object({
  search: z.string().trim().max(100, 'Use at most 100 characters.').optional().describe('Group name contains this, or the number contains these digits.'),
});
