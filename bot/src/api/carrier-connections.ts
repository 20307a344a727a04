import { z } from 'zod';
import {
  carrierConnectionListSchema,
  carrierConnectionViewSchema,
  createCarrierConnectionBodySchema,
  unroutedMessagePageSchema,
  unroutedQuerySchema,
  updateCarrierConnectionBodySchema,
  type Services,
} from '@switchboard/shared';
import { defineOperation, type Operation } from '../http/operation';

const enterpriseParams = z.object({ enterpriseId: z.string().min(1).describe('The enterprise id.') });
const connectionParams = enterpriseParams.extend({ connectionId: z.string().min(1).describe('The carrier connection id.') });

/** Carrier connections (credentials write-only) and the unrouted inbound messages. */
export function carrierConnectionOperations(services: Services): Operation[] {
  const connections = services.carrierConnections;
  return [
    defineOperation({
      id: 'listCarrierConnections',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/carrier-connections',
      tag: 'Carrier connections',
      summary: "The enterprise's carrier connections, by name. Secrets are never returned (shown as ••••••••).",
      params: enterpriseParams,
      response: { status: 200, description: 'Every connection, with the webhook URL to configure at the carrier.', schema: carrierConnectionListSchema },
      handle: ({ principal, params }) => connections.list(principal, params.enterpriseId),
    }),
    defineOperation({
      id: 'createCarrierConnection',
      method: 'POST',
      path: '/api/admin/enterprises/{enterpriseId}/carrier-connections',
      tag: 'Carrier connections',
      summary: 'Add a carrier connection (Twilio, Telnyx, Azure Communication Services or the simulator). Credentials are validated for the carrier and stored encrypted.',
      params: enterpriseParams,
      body: createCarrierConnectionBodySchema,
      response: { status: 201, description: 'The connection (secrets redacted), its webhook URL and ETag.', schema: carrierConnectionViewSchema },
      handle: ({ principal, params, body }) => connections.create(principal, params.enterpriseId, body),
    }),
    defineOperation({
      id: 'getCarrierConnection',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/carrier-connections/{connectionId}',
      tag: 'Carrier connections',
      summary: 'One carrier connection (secrets redacted), with its webhook URL and ETag.',
      params: connectionParams,
      response: { status: 200, description: 'The connection.', schema: carrierConnectionViewSchema },
      handle: ({ principal, params }) => connections.get(principal, params.enterpriseId, params.connectionId),
    }),
    defineOperation({
      id: 'updateCarrierConnection',
      method: 'PATCH',
      path: '/api/admin/enterprises/{enterpriseId}/carrier-connections/{connectionId}',
      tag: 'Carrier connections',
      summary: 'Rename a connection or replace its credentials (complete; omitted = unchanged). The type cannot change.',
      params: connectionParams,
      body: updateCarrierConnectionBodySchema,
      requiresIfMatch: true,
      response: { status: 200, description: 'The connection as saved, with its new ETag.', schema: carrierConnectionViewSchema },
      handle: ({ principal, params, body, ifMatch }) => connections.update(principal, params.enterpriseId, params.connectionId, ifMatch, body),
    }),
    defineOperation({
      id: 'deleteCarrierConnection',
      method: 'DELETE',
      path: '/api/admin/enterprises/{enterpriseId}/carrier-connections/{connectionId}',
      tag: 'Carrier connections',
      summary: 'Delete a carrier connection. Refused (409, naming them) while numbers still use it.',
      params: connectionParams,
      requiresIfMatch: true,
      response: { status: 204, description: 'Deleted.' },
      handle: async ({ principal, params, ifMatch }) => {
        await connections.delete(principal, params.enterpriseId, params.connectionId, ifMatch);
      },
    }),
    defineOperation({
      id: 'listUnroutedMessages',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/messages/unrouted',
      tag: 'Messages',
      summary: 'Inbound messages to numbers nobody holds (not assigned to a user or an SMS group), newest first. They are kept, never dropped.',
      params: enterpriseParams,
      query: unroutedQuerySchema,
      response: { status: 200, description: 'One page of unrouted messages.', schema: unroutedMessagePageSchema },
      handle: ({ principal, params, query }) => services.inboundSms.unroutedPage(principal, params.enterpriseId, query),
    }),
  ];
}
