import { z } from 'zod';
import { createSmsGroupBodySchema, smsGroupListSchema, smsGroupQuerySchema, smsGroupViewSchema, updateSmsGroupBodySchema, type Services } from '@switchboard/shared';
import { defineOperation, type Operation } from '../http/operation';

const enterpriseParams = z.object({ enterpriseId: z.string().min(1).describe('The enterprise id.') });
const groupParams = enterpriseParams.extend({ groupId: z.string().min(1).describe('The SMS group id.') });

/** SMS groups: several Teams users sharing one number. */
export function smsGroupOperations(services: Services): Operation[] {
  const groups = services.smsGroups;
  return [
    defineOperation({
      id: 'listSmsGroups',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/sms-groups',
      tag: 'SMS groups',
      summary: "The enterprise's SMS groups by name, with members and number.",
      params: enterpriseParams,
      query: smsGroupQuerySchema,
      response: { status: 200, description: 'The groups.', schema: smsGroupListSchema },
      handle: ({ principal, params, query }) => groups.list(principal, params.enterpriseId, query),
    }),
    defineOperation({
      id: 'createSmsGroup',
      method: 'POST',
      path: '/api/admin/enterprises/{enterpriseId}/sms-groups',
      tag: 'SMS groups',
      summary: 'Create an SMS group: a name unique in the enterprise (ignoring case), at least one owner (owners are members too), members from the directory (not removed), optionally its number (in the inventory, SMS-capable, unassigned).',
      params: enterpriseParams,
      body: createSmsGroupBodySchema,
      response: { status: 201, description: 'The group, with its ETag.', schema: smsGroupViewSchema },
      handle: ({ principal, params, body }) => groups.create(principal, params.enterpriseId, body),
    }),
    defineOperation({
      id: 'getSmsGroup',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/sms-groups/{groupId}',
      tag: 'SMS groups',
      summary: 'One SMS group with its members, number and ETag.',
      params: groupParams,
      response: { status: 200, description: 'The group.', schema: smsGroupViewSchema },
      handle: ({ principal, params }) => groups.get(principal, params.enterpriseId, params.groupId),
    }),
    defineOperation({
      id: 'updateSmsGroup',
      method: 'PATCH',
      path: '/api/admin/enterprises/{enterpriseId}/sms-groups/{groupId}',
      tag: 'SMS groups',
      summary: 'Rename, change owners or members, set, change (number) or release (number: null) the number. Fields left out stay as they are.',
      params: groupParams,
      body: updateSmsGroupBodySchema,
      requiresIfMatch: true,
      response: { status: 200, description: 'The group as saved, with its new ETag.', schema: smsGroupViewSchema },
      handle: ({ principal, params, body, ifMatch }) => groups.update(principal, params.enterpriseId, params.groupId, ifMatch, body),
    }),
    defineOperation({
      id: 'deleteSmsGroup',
      method: 'DELETE',
      path: '/api/admin/enterprises/{enterpriseId}/sms-groups/{groupId}',
      tag: 'SMS groups',
      summary: 'Delete an SMS group; its number is released (back to unassigned).',
      params: groupParams,
      requiresIfMatch: true,
      response: { status: 204, description: 'Deleted.' },
      handle: async ({ principal, params, ifMatch }) => {
        await groups.delete(principal, params.enterpriseId, params.groupId, ifMatch);
      },
    }),
  ];
}
