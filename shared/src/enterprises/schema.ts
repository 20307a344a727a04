import { z } from 'zod';

/** Microsoft Entra tenant ids are GUIDs. */
export const tenantIdSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'Must be a Microsoft tenant id: a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47.');

const timeZoneSchema = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'Must be an IANA time zone such as Europe/London or America/New_York.' },
);

/** Carriers' limit for compliance replies we honour: 320 characters (two GSM-7 segments, or five UCS-2). */
export const MAX_COMPLIANCE_REPLY_LENGTH = 320;

/** A compliance auto-reply; `what` names it in messages ("The reply to STOP"). */
const complianceReplySchema = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `${what} cannot be empty: write the text people receive, e.g. the default.`)
    .max(MAX_COMPLIANCE_REPLY_LENGTH, `${what} is too long: shorten it to at most ${MAX_COMPLIANCE_REPLY_LENGTH} characters.`);

export const optOutScopes = ['number', 'enterprise'] as const;
export type OptOutScope = (typeof optOutScopes)[number];

export const enterpriseSettingsSchema = z
  .object({
    allowProviderManagement: z.boolean().describe('Allow management by service provider: the provider may configure this enterprise.'),
    chatEnabled: z.boolean().describe('Chat with external platforms for the whole enterprise (the CHT service).'),
    syncIntervalMinutes: z.number().int('Must be a whole number of minutes.').min(5, 'Sync at most every 5 minutes.').max(1440, 'Sync at least once a day (1440 minutes).'),
    timeZone: timeZoneSchema,
    syncGroupIds: z
      .array(z.string().regex(/^[0-9a-fA-F-]{36}$/, 'Must be a Microsoft 365 group id (a GUID).'))
      .max(50, 'Select at most 50 groups.')
      .describe('Sync only the transitive members of these groups; empty means everyone.'),
    optOutScope: z
      .enum(optOutScopes, { error: 'Use "number" (a STOP blocks only the number it was sent to) or "enterprise" (it blocks all the enterprise\'s numbers).' })
      .describe('What a STOP blocks: "number" = only that enterprise number to that person; "enterprise" = every number of the enterprise to that person.'),
    optOutReply: complianceReplySchema('The reply to STOP (optOutReply)').describe('Sent once when someone texts STOP (or another opt-out word). At most 320 characters.'),
    optInReply: complianceReplySchema('The reply to START (optInReply)').describe('Sent when someone texts START or UNSTOP. At most 320 characters.'),
    helpReply: complianceReplySchema('The reply to HELP (helpReply)').describe('Sent when someone texts HELP or INFO. At most 320 characters.'),
  })
  .strict();
export type EnterpriseSettings = z.infer<typeof enterpriseSettingsSchema>;

export const defaultEnterpriseSettings: EnterpriseSettings = {
  allowProviderManagement: false,
  chatEnabled: true,
  syncIntervalMinutes: 15,
  timeZone: 'UTC',
  syncGroupIds: [],
  optOutScope: 'number',
  optOutReply: 'You have been unsubscribed and will receive no more messages from this number. Reply START to resubscribe.',
  optInReply: 'You have been resubscribed. Reply STOP to unsubscribe.',
  helpReply: 'Reply STOP to unsubscribe. Msg&data rates may apply.',
};

const nameSchema = z.string().regex(/\S/, 'Give the enterprise a name.').trim().max(120, 'Use at most 120 characters.');

export const createEnterpriseSchema = z
  .object({
    name: nameSchema,
    tenantId: tenantIdSchema,
    settings: enterpriseSettingsSchema.partial().optional(),
  })
  .strict()
  .meta({ id: 'CreateEnterprise' });
export type CreateEnterprise = z.infer<typeof createEnterpriseSchema>;

export const updateEnterpriseSchema = z
  .object({
    name: nameSchema.optional(),
    settings: enterpriseSettingsSchema.partial().optional(),
  })
  .strict()
  .meta({ id: 'UpdateEnterprise' });
export type UpdateEnterprise = z.infer<typeof updateEnterpriseSchema>;

export const enterpriseSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    tenantId: z.string(),
    providerId: z.string().describe('Tenant id of the service provider that serves this enterprise.'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    etag: z.string().describe('Send it back in If-Match to change the enterprise.'),
    settings: enterpriseSettingsSchema,
  })
  .meta({ id: 'Enterprise' });

export interface Enterprise {
  id: string;
  name: string;
  tenantId: string;
  providerId: string;
  createdAt: string;
  updatedAt: string;
  settings: EnterpriseSettings;
}
