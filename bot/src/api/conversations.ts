import { z } from 'zod';
import {
  conversationIdSchema,
  conversationListQuerySchema,
  conversationPageSchema,
  conversationViewSchema,
  historyQuerySchema,
  messagePageSchema,
  searchPageSchema,
  searchQuerySchema,
  unreadQuerySchema,
  unreadTotalSchema,
  type Services,
} from '@switchboard/shared';
import { defineOperation, type Operation } from '../http/operation';

const enterpriseParams = z.object({ enterpriseId: z.string().min(1).describe('The enterprise id.') });
const conversationParams = enterpriseParams.extend({ conversationId: conversationIdSchema });

/**
 * Conversations for the people who text: their numbers' conversations (directly held
 * or through an SMS group), newest first; history; read marks; the unread badge; search.
 * Administrators of the enterprise may read every conversation.
 */
export function conversationOperations(services: Services): Operation[] {
  const conversations = services.conversations;
  return [
    defineOperation({
      id: 'listConversations',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/conversations',
      tag: 'Conversations',
      summary:
        'Your conversations, newest first: those of the numbers you hold, directly or through an SMS group (administrators: every conversation, unless scope=mine). Each with your unread count and the contact name when known.',
      params: enterpriseParams,
      query: conversationListQuerySchema,
      response: { status: 200, description: 'One page of conversations.', schema: conversationPageSchema },
      handle: ({ principal, params, query }) => conversations.list(principal, params.enterpriseId, query),
    }),
    defineOperation({
      id: 'getUnreadTotal',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/conversations/unread',
      tag: 'Conversations',
      summary: 'The unread badge: inbound messages you have not read, over your conversations (scope=mine: only numbers you hold).',
      params: enterpriseParams,
      query: unreadQuerySchema,
      response: { status: 200, description: 'Unread messages and conversations.', schema: unreadTotalSchema },
      handle: ({ principal, params, query }) => conversations.unreadTotal(principal, params.enterpriseId, query),
    }),
    defineOperation({
      id: 'listConversationMessages',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/conversations/{conversationId}/messages',
      tag: 'Conversations',
      summary: "A conversation's messages, newest first, with their delivery status history. 404 for conversations you may not read.",
      params: conversationParams,
      query: historyQuerySchema,
      response: { status: 200, description: 'The conversation and one page of its messages.', schema: messagePageSchema },
      handle: ({ principal, params, query }) => conversations.history(principal, params.enterpriseId, params.conversationId, query),
    }),
    defineOperation({
      id: 'markConversationRead',
      method: 'POST',
      path: '/api/admin/enterprises/{enterpriseId}/conversations/{conversationId}/read',
      tag: 'Conversations',
      summary: 'Marks every message of the conversation as read by you (other people keep their own read state).',
      params: conversationParams,
      response: { status: 200, description: 'The conversation, with your unread count.', schema: conversationViewSchema },
      handle: ({ principal, params }) => conversations.markRead(principal, params.enterpriseId, params.conversationId),
    }),
    defineOperation({
      id: 'searchMessages',
      method: 'GET',
      path: '/api/admin/enterprises/{enterpriseId}/messages/search',
      tag: 'Conversations',
      summary:
        "Messages of your conversations whose text, contact name or other party's number contains q (ignoring case and accents), newest first. Each request reads a bounded number of messages: pages can be short, even empty, while continuationToken is present.",
      params: enterpriseParams,
      query: searchQuerySchema,
      response: { status: 200, description: 'One page of matches.', schema: searchPageSchema },
      handle: ({ principal, params, query }) => conversations.search(principal, params.enterpriseId, query),
    }),
  ];
}
