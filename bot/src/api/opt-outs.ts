import { z } from 'zod';
import { addOptOutBodySchema, optOutPageSchema, optOutQuerySchema, optOutViewSchema, type Services } from '@switchboard/shared';
import { defineOperation, type Operation } from '../http/operation';

const enterpriseParams = z.object({ enterpriseId: z.string().min(1).describe('The enterprise id.') });

/**
 * The opt-out list (people who texted STOP, or were reported or recorded as opted out).
 * Admins may list and add, never remove: only the person lifts an opt-out, by texting START.
 */
export function optOutOperations(services: Services): Operation[] {
  const optOuts = services.optOuts;
  return [
    defineOperation({
      id: 'listOptOuts',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/opt-outs',
      tag: 'Opt-outs',
      summary: 'People who must not be messaged, by enterprise number (enterprise-wide first). Filter by externalNumber to check one person.',
      params: enterpriseParams,
      query: optOutQuerySchema,
      response: { status: 200, description: 'One page of opt-outs.', schema: optOutPageSchema },
      handle: ({ principal, params, query }) => optOuts.list(principal, params.enterpriseId, query),
    }),
    defineOperation({
      id: 'addOptOut',
      method: 'POST',
      path: '/api/admin/enterprises/{enterpriseId}/opt-outs',
      tag: 'Opt-outs',
      summary:
        "Record that a person asked not to be messaged (e.g. by phone), from one enterprise number or, without enterpriseNumber, from all of them. Already recorded: the existing opt-out is answered. There is no removal: only the person can lift it, by texting START.",
      params: enterpriseParams,
      body: addOptOutBodySchema,
      response: { status: 201, description: 'The opt-out as stored (the existing one when it was already recorded).', schema: optOutViewSchema },
      handle: ({ principal, params, body }) => optOuts.add(principal, params.enterpriseId, body),
    }),
  ];
}
