import { useMemo } from 'react';
import type { ApiClient } from './client';
import { useApiClient } from './ApiContext';
import type {
  Contact,
  ContactList,
  Conversation,
  ConversationPage,
  CreateContactRequest,
  MessagePage,
  SearchPage,
  SendMessageRequest,
  SendingNumber,
  SmsMessage,
  UnreadTotal,
} from './types';

const segment = encodeURIComponent;

/**
 * The personal messaging API as typed functions: the signed-in user's conversations
 * (scope "mine": numbers they hold, directly or through an SMS group), sending, contacts.
 */
export function messagesApi(client: ApiClient, enterpriseId: string) {
  const base = `/api/admin/enterprises/${segment(enterpriseId)}`;
  return {
    listConversations: (options: { pageSize?: number; continuationToken?: string; signal?: AbortSignal } = {}) => {
      const query = new URLSearchParams({ scope: 'mine', pageSize: String(options.pageSize ?? 50) });
      if (options.continuationToken) query.set('continuationToken', options.continuationToken);
      return client.request<ConversationPage>(`${base}/conversations?${query}`, { signal: options.signal });
    },

    unreadTotal: (signal?: AbortSignal) => client.request<UnreadTotal>(`${base}/conversations/unread?scope=mine`, { signal }),

    history: (conversationId: string, options: { pageSize?: number; continuationToken?: string; signal?: AbortSignal } = {}) => {
      const query = new URLSearchParams({ pageSize: String(options.pageSize ?? 50) });
      if (options.continuationToken) query.set('continuationToken', options.continuationToken);
      return client.request<MessagePage>(`${base}/conversations/${segment(conversationId)}/messages?${query}`, { signal: options.signal });
    },

    markRead: (conversationId: string) => client.request<Conversation>(`${base}/conversations/${segment(conversationId)}/read`, { method: 'POST' }),

    search: (q: string, options: { continuationToken?: string; signal?: AbortSignal } = {}) => {
      const query = new URLSearchParams({ q, scope: 'mine' });
      if (options.continuationToken) query.set('continuationToken', options.continuationToken);
      return client.request<SearchPage>(`${base}/messages/search?${query}`, { signal: options.signal });
    },

    sendingNumbers: (signal?: AbortSignal) => client.request<{ numbers: SendingNumber[] }>(`${base}/messages/sending-numbers`, { signal }),

    send: (body: SendMessageRequest) => client.request<SmsMessage>(`${base}/messages`, { method: 'POST', body }),

    listContacts: (signal?: AbortSignal) => client.request<ContactList>(`${base}/contacts`, { signal }),

    createContact: (body: CreateContactRequest) => client.request<Contact>(`${base}/contacts`, { method: 'POST', body }),

    /** `etag` is the one the edit is based on; a stale one is a 409. */
    renameContact: (contact: Pick<Contact, 'scope' | 'number' | 'etag'>, name: string) =>
      client.request<Contact>(`${base}/contacts/${segment(contact.scope)}/${segment(contact.number)}`, { method: 'PUT', body: { name }, headers: { 'If-Match': contact.etag } }),

    deleteContact: (contact: Pick<Contact, 'scope' | 'number' | 'etag'>) =>
      client.request<void>(`${base}/contacts/${segment(contact.scope)}/${segment(contact.number)}`, { method: 'DELETE', headers: { 'If-Match': contact.etag } }),
  };
}

export type MessagesApi = ReturnType<typeof messagesApi>;

/** The messaging API of `enterpriseId`, bound to the signed-in session. */
export function useMessagesApi(enterpriseId: string): MessagesApi {
  const client = useApiClient();
  return useMemo(() => messagesApi(client, enterpriseId), [client, enterpriseId]);
}
