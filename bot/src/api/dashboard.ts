import { z } from 'zod';
import { dashboardQuerySchema, dashboardSchema, type Services } from '@switchboard/shared';
import { defineOperation, type Operation } from '../http/operation';

const enterpriseParams = z.object({ enterpriseId: z.string().min(1).describe('The enterprise id.') });

/** The admin tab's Dashboard in one call. */
export function dashboardOperations(services: Services): Operation[] {
  return [
    defineOperation({
      id: 'getDashboard',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/dashboard',
      tag: 'Dashboard',
      summary:
        'What needs attention (failed directory sync, unlicensed users with SMS, unrouted and dead-lettered messages of the last 7 days, users who removed the Teams app) with counts and the page to fix it on; the directory sync with its progress; messages per day (UTC) for the last 14 or 30 days; carrier connections with their last traffic and failure; the outbound queue.',
      params: enterpriseParams,
      query: dashboardQuerySchema,
      response: { status: 200, description: 'The dashboard.', schema: dashboardSchema },
      handle: ({ principal, params, query }) =>
        services.dashboard.summary(principal, params.enterpriseId, query, {
          unreachableUsers: async (who, enterpriseId) => (await services.teams.installations.unreachableUsers(who, enterpriseId)).items.length,
        }),
    }),
  ];
}
