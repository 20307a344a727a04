import { z } from 'zod';
import { createEnterpriseSchema, enterpriseSchema, updateEnterpriseSchema, type Services } from '@switchboard/shared';
import { defineOperation, type Operation } from '../http/operation';

const enterpriseParams = z.object({ enterpriseId: z.string().min(1).describe('The enterprise id.') });
const enterpriseList = z.object({ items: z.array(enterpriseSchema) }).meta({ id: 'EnterpriseList' });

export function enterpriseOperations(services: Services): Operation[] {
  return [
    defineOperation({
      id: 'listEnterprises',
      method: 'GET',
      path: '/api/admin/enterprises',
      tag: 'Enterprises',
      summary: "Enterprises the caller may see: a provider admin's provider's enterprises, or the caller's own.",
      response: { status: 200, description: 'The enterprises, by name.', schema: enterpriseList },
      handle: async ({ principal }) => ({ items: await services.enterprises.list(principal) }),
    }),
    defineOperation({
      id: 'createEnterprise',
      method: 'POST',
      path: '/api/admin/enterprises',
      tag: 'Enterprises',
      summary: 'Add an enterprise (a Microsoft 365 tenant) to the provider. Provider admins only.',
      body: createEnterpriseSchema,
      response: { status: 201, description: 'The new enterprise.', schema: enterpriseSchema },
      handle: ({ principal, body }) => services.enterprises.create(principal, body),
    }),
    defineOperation({
      id: 'getEnterprise',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}',
      tag: 'Enterprises',
      summary: 'One enterprise with its settings and ETag.',
      params: enterpriseParams,
      response: { status: 200, description: 'The enterprise.', schema: enterpriseSchema },
      handle: ({ principal, params }) => services.enterprises.get(principal, params.enterpriseId),
    }),
    defineOperation({
      id: 'updateEnterprise',
      method: 'PATCH',
      path: '/api/admin/enterprises/{enterpriseId}',
      tag: 'Enterprises',
      summary: "Change the enterprise's name or settings. Only its global admin may change the provider-management consent.",
      params: enterpriseParams,
      body: updateEnterpriseSchema,
      requiresIfMatch: true,
      response: { status: 200, description: 'The enterprise as saved, with its new ETag.', schema: enterpriseSchema },
      handle: ({ principal, params, body, ifMatch }) => services.enterprises.update(principal, params.enterpriseId, ifMatch, body),
    }),
  ];
}
