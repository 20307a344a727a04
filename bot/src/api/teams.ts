import { z } from 'zod';
import { unreachableUsersSchema, type Services } from '@switchboard/shared';
import { defineOperation, type Operation } from '../http/operation';

const enterpriseParams = z.object({ enterpriseId: z.string().min(1).describe('The enterprise id.') });

/** Teams chat reachability, for admins. */
export function teamsOperations(services: Services): Operation[] {
  return [
    defineOperation({
      id: 'listTeamsUnreachableUsers',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/teams/unreachable',
      tag: 'Teams',
      summary: 'Users Teams refused messages for (they blocked or removed the app). Their messages wait and are delivered when they install the app again.',
      params: enterpriseParams,
      response: { status: 200, description: 'The unreachable users.', schema: unreachableUsersSchema },
      handle: ({ principal, params }) => services.teams.installations.unreachableUsers(principal, params.enterpriseId),
    }),
  ];
}
