import { z } from 'zod';
import { deadLetterPageSchema, deadLetterQuerySchema, messageViewSchema, sendingNumbersSchema, sendMessageBodySchema, type Services } from '@switchboard/shared';
import { defineOperation, type Operation } from '../http/operation';

const enterpriseParams = z.object({ enterpriseId: z.string().min(1).describe('The enterprise id.') });
const messageParams = enterpriseParams.extend({ messageId: z.string().min(1).max(200).describe('The message id.') });

/** Sending SMS/MMS as the signed-in user, following a message, and the dead letters. */
export function messageOperations(services: Services): Operation[] {
  const outbound = services.outboundSms;
  return [
    defineOperation({
      id: 'sendMessage',
      method: 'POST',
      path: '/api/admin/enterprises/{enterpriseId}/messages',
      tag: 'Messages',
      summary:
        'Send an SMS or MMS from one of your numbers. Checked (your number, a valid recipient, not opted out, at most 10 segments, media type and size), stored and queued before any carrier is called; follow it with GET .../messages/{messageId}.',
      params: enterpriseParams,
      body: sendMessageBodySchema,
      response: { status: 202, description: 'Accepted and queued (status "queued").', schema: messageViewSchema },
      handle: ({ principal, params, body }) => outbound.sendAs(principal, params.enterpriseId, body),
    }),
    defineOperation({
      id: 'listSendingNumbers',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/messages/sending-numbers',
      tag: 'Messages',
      summary: 'The numbers you may send from: yours, and those of the SMS groups you belong to.',
      params: enterpriseParams,
      response: { status: 200, description: 'Your sending numbers.', schema: sendingNumbersSchema },
      handle: ({ principal, params }) => outbound.sendingNumbers(principal, params.enterpriseId),
    }),
    defineOperation({
      id: 'listDeadLetters',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/messages/dead-letters',
      tag: 'Messages',
      summary: 'Outbound messages given up after their last attempt, newest first, each with the reason.',
      params: enterpriseParams,
      query: deadLetterQuerySchema,
      response: { status: 200, description: 'One page of dead letters.', schema: deadLetterPageSchema },
      handle: ({ principal, params, query }) => outbound.deadLetters(principal, params.enterpriseId, query),
    }),
    defineOperation({
      id: 'getMessage',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/messages/{messageId}',
      tag: 'Messages',
      summary: 'One message with its status history (its sender, the users of its number, and admins).',
      params: messageParams,
      response: { status: 200, description: 'The message.', schema: messageViewSchema },
      handle: ({ principal, params }) => outbound.view(principal, params.enterpriseId, params.messageId),
    }),
  ];
}
