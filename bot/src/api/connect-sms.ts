import { z } from 'zod';
import {
  connectSmsDisableResultSchema,
  connectSmsEnableResultSchema,
  connectSmsPageSchema,
  connectSmsQuerySchema,
  connectSmsSelectionSchema,
  type Services,
} from '@switchboard/shared';
import { defineOperation, type Operation } from '../http/operation';

const enterpriseParams = z.object({ enterpriseId: z.string().min(1).describe('The enterprise id.') });

/** The Connect SMS view: users with their numbers and extensions; SMS on or off for several users at once. */
export function connectSmsOperations(services: Services): Operation[] {
  const connect = services.connectSms;
  return [
    defineOperation({
      id: 'listConnectSms',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/connect-sms',
      tag: 'Connect SMS',
      summary: 'Users by name with their SMS numbers, the extensions of those numbers and whether SMS is on; search by name, number or extension; filter by enabled.',
      params: enterpriseParams,
      query: connectSmsQuerySchema,
      response: { status: 200, description: 'One page of users, the total and the counts.', schema: connectSmsPageSchema },
      handle: ({ principal, params, query }) => connect.list(principal, params.enterpriseId, query),
    }),
    defineOperation({
      id: 'enableConnectSms',
      method: 'POST',
      path: '/api/admin/enterprises/{enterpriseId}/connect-sms/enable',
      tag: 'Connect SMS',
      summary: 'Turn SMS on for the chosen users. Only users who hold a number are enabled; the others are named in skipped, with the reason.',
      params: enterpriseParams,
      body: connectSmsSelectionSchema,
      response: { status: 200, description: 'Who has SMS on now, who was skipped and why.', schema: connectSmsEnableResultSchema },
      handle: async ({ principal, params, body }) => {
        const { changed, skipped, failed } = await connect.enable(principal, params.enterpriseId, body.userIds);
        return { enabled: changed, skipped, failed };
      },
    }),
    defineOperation({
      id: 'disableConnectSms',
      method: 'POST',
      path: '/api/admin/enterprises/{enterpriseId}/connect-sms/disable',
      tag: 'Connect SMS',
      summary: 'Turn SMS off for the chosen users; their numbers stay assigned.',
      params: enterpriseParams,
      body: connectSmsSelectionSchema,
      response: { status: 200, description: 'Who has SMS off now, who was skipped and why.', schema: connectSmsDisableResultSchema },
      handle: async ({ principal, params, body }) => {
        const { changed, skipped, failed } = await connect.disable(principal, params.enterpriseId, body.userIds);
        return { disabled: changed, skipped, failed };
      },
    }),
  ];
}
