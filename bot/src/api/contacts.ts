import { z } from 'zod';
import { contactListQuerySchema, contactListSchema, contactParamsSchema, contactViewSchema, createContactBodySchema, updateContactBodySchema, type Services } from '@switchboard/shared';
import { defineOperation, type Operation } from '../http/operation';

const enterpriseParams = z.object({ enterpriseId: z.string().min(1).describe('The enterprise id.') });
const contactParams = enterpriseParams.extend(contactParamsSchema.shape);

/** Contacts: personal ones (each user's own) and enterprise ones (kept by administrators, seen by everyone). */
export function contactOperations(services: Services): Operation[] {
  const contacts = services.contacts;
  return [
    defineOperation({
      id: 'listContacts',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/contacts',
      tag: 'Contacts',
      summary: "Your personal contacts and the enterprise's contacts, by name. Filter by scope, or by q (name or digits of the number).",
      params: enterpriseParams,
      query: contactListQuerySchema,
      response: { status: 200, description: 'The contacts.', schema: contactListSchema },
      handle: ({ principal, params, query }) => contacts.list(principal, params.enterpriseId, query),
    }),
    defineOperation({
      id: 'createContact',
      method: 'POST',
      path: '/api/admin/enterprises/{enterpriseId}/contacts',
      tag: 'Contacts',
      summary: 'Add a contact: personal (yours only) or, for administrators, enterprise-wide. One per number and scope: an existing one is a 409 (rename it with PUT and If-Match).',
      params: enterpriseParams,
      body: createContactBodySchema,
      response: { status: 201, description: 'The contact and its ETag.', schema: contactViewSchema },
      handle: ({ principal, params, body }) => contacts.save(principal, params.enterpriseId, body),
    }),
    defineOperation({
      id: 'renameContact',
      method: 'PUT',
      path: '/api/admin/enterprises/{enterpriseId}/contacts/{scope}/{number}',
      tag: 'Contacts',
      summary: 'Rename a contact (the number is its identity). Enterprise contacts: administrators only.',
      params: contactParams,
      body: updateContactBodySchema,
      requiresIfMatch: true,
      response: { status: 200, description: 'The contact as saved, with its new ETag.', schema: contactViewSchema },
      handle: ({ principal, params, body, ifMatch }) => contacts.save(principal, params.enterpriseId, { scope: params.scope, number: params.number, name: body.name }, ifMatch),
    }),
    defineOperation({
      id: 'deleteContact',
      method: 'DELETE',
      path: '/api/admin/enterprises/{enterpriseId}/contacts/{scope}/{number}',
      tag: 'Contacts',
      summary: 'Delete a contact. Enterprise contacts: administrators only.',
      params: contactParams,
      requiresIfMatch: true,
      response: { status: 204, description: 'Deleted.' },
      handle: async ({ principal, params, ifMatch }) => {
        await contacts.delete(principal, params.enterpriseId, params.scope, params.number, ifMatch);
      },
    }),
  ];
}
