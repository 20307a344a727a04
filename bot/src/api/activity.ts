import { z } from 'zod';
import { activityEntrySchema, providerScope, requireAdminOf, requireRole, type Services } from '@switchboard/shared';
import { defineOperation, type Operation } from '../http/operation';

const pageQuery = z.object({
  pageSize: z.coerce.number().int().min(1).max(200).default(50).describe('Entries per page, 1 to 200.'),
  continuationToken: z.string().optional().describe('From the previous page, to read on.'),
});
const activityPage = z
  .object({ items: z.array(activityEntrySchema), continuationToken: z.string().optional() })
  .meta({ id: 'ActivityPage' });

const view = ({ scope: _scope, ...entry }: { scope: string } & z.output<typeof activityEntrySchema>) => entry;

export function activityOperations(services: Services): Operation[] {
  return [
    defineOperation({
      id: 'listEnterpriseActivity',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/activity',
      tag: 'Activity',
      summary: "The enterprise's activity feed, newest first: who changed what, with before and after.",
      params: z.object({ enterpriseId: z.string().min(1) }),
      query: pageQuery,
      response: { status: 200, description: 'One page of entries.', schema: activityPage },
      handle: async ({ principal, params, query }) => {
        const stored = await services.enterpriseRepository.byId(params.enterpriseId);
        requireAdminOf(principal, stored?.value, params.enterpriseId, 'read the activity feed');
        const page = await services.activity.page(params.enterpriseId, query);
        return { ...page, items: page.items.map(view) };
      },
    }),
    defineOperation({
      id: 'listProviderActivity',
      method: 'GET',
      path: '/api/admin/activity',
      tag: 'Activity',
      summary: "The provider's own feed (enterprises added), newest first. Provider admins only.",
      query: pageQuery,
      response: { status: 200, description: 'One page of entries.', schema: activityPage },
      handle: async ({ principal, query }) => {
        requireRole(principal, ['provider-admin'], "read the provider's activity feed");
        const page = await services.activity.page(providerScope(principal.providerId!), query);
        return { ...page, items: page.items.map(view) };
      },
    }),
  ];
}
