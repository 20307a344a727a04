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
  })
  .strict();
export type EnterpriseSettings = z.infer<typeof enterpriseSettingsSchema>;

export const defaultEnterpriseSettings: EnterpriseSettings = {
  allowProviderManagement: false,
  chatEnabled: true,
  syncIntervalMinutes: 15,
  timeZone: 'UTC',
  syncGroupIds: [],
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
