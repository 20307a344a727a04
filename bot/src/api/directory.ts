import { z } from 'zod';
import { requireAdminOf, syncCountsSchema, syncResultSchema, ValidationError, type Principal, type Services, type SyncState } from '@switchboard/shared';
import { defineOperation, type Operation } from '../http/operation';

const params = z.object({ enterpriseId: z.string().min(1) });

const syncStatusSchema = z
  .object({
    configured: z.boolean().describe('False when the server has no Microsoft Graph credentials.'),
    status: z.enum(['idle', 'running', 'failed']),
    phase: z.enum(['groups', 'users', 'finishing']).optional().describe('What a running sync is doing.'),
    mode: z.enum(['full', 'delta']).optional(),
    processed: z.number().int().describe('Directory entries read so far in the current run.'),
    counts: syncCountsSchema,
    startedAt: z.iso.datetime().optional(),
    lastResult: syncResultSchema.optional(),
    intervalMinutes: z.number().int(),
    nextRunAt: z.iso.datetime().optional().describe('When the schedule starts the next sync.'),
    groupIds: z.array(z.string()).describe('The selected sync groups; empty means everyone.'),
  })
  .meta({ id: 'DirectorySyncStatus' });

const groupSchema = z.object({ id: z.string(), displayName: z.string(), description: z.string().nullable().optional() });
const groupListSchema = z
  .object({ items: z.array(groupSchema), truncated: z.boolean().describe('More groups match: narrow the search.') })
  .meta({ id: 'DirectoryGroupList' });

const selectionBodySchema = z
  .object({ groupIds: z.array(z.string().regex(/^[0-9a-fA-F-]{36}$/, 'Must be a group id (a GUID) from the group list.')).max(50, 'Select at most 50 groups.') })
  .strict()
  .meta({ id: 'DirectorySelection' });
const selectionResultSchema = z
  .object({
    groupIds: z.array(z.string()),
    groups: z.array(groupSchema),
    etag: z.string().describe("The enterprise's new ETag."),
    notice: z.string().describe('What the change means, in plain words.'),
    syncStarted: z.boolean(),
  })
  .meta({ id: 'DirectorySelectionResult' });

const MAX_GROUP_PAGES = 5;

export function directoryOperations(services: Services): Operation[] {
  const admin = async (principal: Principal, enterpriseId: string, action: string) => {
    const stored = await services.enterpriseRepository.byId(enterpriseId);
    return requireAdminOf(principal, stored?.value, enterpriseId, action);
  };

  const view = (state: SyncState, intervalMinutes: number, groupIds: string[]) => {
    const { status, phase, mode, processed, counts, startedAt, lastResult } = state;
    const nextRunAt = lastResult && status !== 'running' ? new Date(Date.parse(lastResult.finishedAt) + intervalMinutes * 60_000).toISOString() : undefined;
    return {
      configured: services.directorySync.configured,
      status,
      ...(phase ? { phase } : {}),
      ...(mode ? { mode } : {}),
      processed,
      counts,
      ...(startedAt && status === 'running' ? { startedAt } : {}),
      ...(lastResult ? { lastResult } : {}),
      intervalMinutes,
      ...(nextRunAt ? { nextRunAt } : {}),
      groupIds,
    };
  };

  /** Names of the selected groups, from the tenant's group list. */
  const namesOf = async (tenantId: string, ids: readonly string[]) => {
    const wanted = new Set(ids.map((id) => id.toLowerCase()));
    const found: Array<z.infer<typeof groupSchema>> = [];
    const source = services.directorySync.source;
    if (!source || wanted.size === 0) return found;
    let link: string | undefined;
    for (let page = 0; page < 20 && found.length < wanted.size; page++) {
      const answer = await source.groups(tenantId, link ? { link } : {});
      found.push(...answer.items.filter((group) => wanted.has(group.id.toLowerCase())));
      link = answer.nextLink;
      if (!link) break;
    }
    return found;
  };

  return [
    defineOperation({
      id: 'getDirectorySync',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/directory/sync',
      tag: 'Directory',
      summary: 'Where the Teams users sync stands: live progress while it runs, the last result, the next scheduled run.',
      params,
      response: { status: 200, description: 'The sync status.', schema: syncStatusSchema },
      handle: async ({ principal, params: { enterpriseId } }) => {
        const enterprise = await admin(principal, enterpriseId, 'see the directory sync');
        return view(await services.directorySync.state(enterpriseId), enterprise.settings.syncIntervalMinutes, enterprise.settings.syncGroupIds);
      },
    }),
    defineOperation({
      id: 'startDirectorySync',
      method: 'POST',
      path: '/api/admin/enterprises/{enterpriseId}/directory/sync',
      tag: 'Directory',
      summary: '"Sync Teams users" now. If a sync is already running, nothing new starts and its status is returned.',
      params,
      response: { status: 202, description: 'The sync is running; poll GET .../directory/sync for progress.', schema: syncStatusSchema },
      handle: async ({ principal, params: { enterpriseId } }) => {
        const enterprise = await admin(principal, enterpriseId, 'sync Teams users');
        const { state } = await services.directorySync.start(enterpriseId, 'manual', principal);
        return view(state, enterprise.settings.syncIntervalMinutes, enterprise.settings.syncGroupIds);
      },
    }),
    defineOperation({
      id: 'listDirectoryGroups',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/directory/groups',
      tag: 'Directory',
      summary: "The enterprise's Microsoft 365 groups, for choosing sync groups; `search` matches the start of the name.",
      params,
      query: z.object({ search: z.string().trim().max(100).optional().describe('Start of the group name.') }),
      response: { status: 200, description: 'Matching groups, by name.', schema: groupListSchema },
      handle: async ({ principal, params: { enterpriseId }, query }) => {
        const enterprise = await admin(principal, enterpriseId, 'list directory groups');
        const source = services.directorySync.requireSource();
        const items: Array<z.infer<typeof groupSchema>> = [];
        let link: string | undefined;
        let pages = 0;
        do {
          const page = await source.groups(enterprise.tenantId, link ? { link } : query.search ? { search: query.search } : {});
          items.push(...page.items.map(({ id, displayName, description }) => ({ id, displayName, description: description ?? null })));
          link = page.nextLink;
        } while (link && ++pages < MAX_GROUP_PAGES);
        return { items: items.sort((a, b) => a.displayName.localeCompare(b.displayName)), truncated: link !== undefined };
      },
    }),
    defineOperation({
      id: 'setDirectorySelection',
      method: 'PUT',
      path: '/api/admin/enterprises/{enterpriseId}/directory/selection',
      tag: 'Directory',
      summary: 'Choose the sync groups (none: everyone). Starts a sync, and answers with what the change means.',
      params,
      body: selectionBodySchema,
      requiresIfMatch: true,
      response: { status: 200, description: 'The new selection and a plain-words notice.', schema: selectionResultSchema },
      handle: async ({ principal, params: { enterpriseId }, body, ifMatch }) => {
        const groupIds = [...new Set(body.groupIds.map((id) => id.toLowerCase()))];
        const enterprise = await admin(principal, enterpriseId, 'choose sync groups');
        const groups = await namesOf(enterprise.tenantId, groupIds);
        const unknown = groupIds.filter((id) => !groups.some((group) => group.id.toLowerCase() === id));
        if (unknown.length > 0) {
          throw new ValidationError(`These groups are not in the enterprise's directory: ${unknown.join(', ')}.`, unknown.map((id) => ({ path: `groupIds.${groupIds.indexOf(id)}`, message: 'not a group of this enterprise' })));
        }
        const saved = await services.enterprises.update(principal, enterpriseId, ifMatch, { settings: { syncGroupIds: groupIds } });
        const { started } = await services.directorySync.start(enterpriseId, 'manual', principal);
        return { groupIds, groups, etag: saved.etag, notice: selectionNotice(groups.map((group) => group.displayName)), syncStarted: started };
      },
    }),
  ];
}

/** The behaviour notes of the "Manage user groups" dialog, for the selection just made. */
export function selectionNotice(groupNames: readonly string[]): string {
  const after = ' The list updates as soon as the sync that starts now has finished.';
  if (groupNames.length === 0) {
    return 'Everyone in your Microsoft 365 directory will be synced. People marked "Outside selection" become regular users again.' + after;
  }
  const named = groupNames.length === 1 ? `the group ${groupNames[0]}` : `the groups ${groupNames.slice(0, -1).join(', ')} and ${groupNames[groupNames.length - 1]}`;
  return (
    `Only members of ${named} (including members of groups nested in them) will be synced. ` +
    'People synced before who are not members stay in the list, marked "Outside selection", with their numbers and tags; filter on them to review or purge them.' +
    after
  );
}
