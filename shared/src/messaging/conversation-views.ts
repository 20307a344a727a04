import { z } from 'zod';
import { CONVERSATION_ID_PATTERN } from './conversation-keys';
import type { Conversation } from './conversation-store';
import type { SmsMessage } from './messages';

/** How the API shows conversations and their messages, and what its queries accept. */

export const conversationScopes = ['all', 'mine'] as const;
export type ConversationScope = (typeof conversationScopes)[number];

const scopeSchema = z
  .enum(conversationScopes, { error: 'Use "all" (every conversation you may see) or "mine" (only numbers you hold, directly or through an SMS group).' })
  .default('all')
  .describe('"all" (default): every conversation you may see (administrators: the whole enterprise). "mine": only numbers you hold, directly or through an SMS group.');

const pageSizeSchema = (fallback: number, max: number) =>
  z.coerce.number().int('pageSize is a whole number.').min(1, 'pageSize is at least 1.').max(max, `pageSize is at most ${max}.`).default(fallback).describe(`Items per page (1 to ${max}, default ${fallback}).`);

const tokenSchema = z.string().min(1).max(2000, 'That continuation token is too long to be one of ours; omit it to start again.').optional().describe('From the previous page; omit for the first page.');

const enterpriseNumberFilter = z
  .string()
  .trim()
  .min(1, 'Give an enterprise number in E.164 form, e.g. +14155550123, or leave number out.')
  .max(40, 'A phone number has at most 40 characters.')
  .optional()
  .describe('Only this enterprise number (E.164, e.g. +14155550123).');

export const conversationListQuerySchema = z.object({
  number: enterpriseNumberFilter,
  scope: scopeSchema,
  pageSize: pageSizeSchema(25, 100),
  continuationToken: tokenSchema,
});
export type ConversationListQuery = z.input<typeof conversationListQuerySchema>;

export const historyQuerySchema = z.object({ pageSize: pageSizeSchema(50, 200), continuationToken: tokenSchema });
export type HistoryQuery = z.input<typeof historyQuerySchema>;

export const unreadQuerySchema = z.object({ scope: scopeSchema });

export const MIN_SEARCH_LENGTH = 2;
export const searchQuerySchema = z.object({
  q: z
    .string()
    .trim()
    .min(MIN_SEARCH_LENGTH, `Search for at least ${MIN_SEARCH_LENGTH} characters (q).`)
    .max(100, 'Search for at most 100 characters (q).')
    .describe('Text to find in message bodies, or a contact name, or digits of the other party\'s number (case-insensitive).'),
  number: enterpriseNumberFilter,
  scope: scopeSchema,
  pageSize: pageSizeSchema(20, 50),
  continuationToken: tokenSchema,
});
export type SearchQuery = z.input<typeof searchQuerySchema>;

export const conversationIdSchema = z
  .string()
  .regex(CONVERSATION_ID_PATTERN, 'A conversation id is the enterprise number and the other party, e.g. 14155550100_14155550123.')
  .describe('The conversation: enterprise number digits, "_", the other party (digits or sender id).');

export const messageViewSchema = z
  .object({
    id: z.string(),
    direction: z.enum(['inbound', 'outbound']),
    from: z.string(),
    to: z.string(),
    body: z.string(),
    media: z.array(z.object({ url: z.string(), contentType: z.string() })),
    status: z.string().describe('Inbound: received, routed or unrouted. Outbound: queued, sending, sent, delivered, undelivered or failed.'),
    statusHistory: z.array(z.object({ status: z.string(), at: z.string(), errorCode: z.string().optional() })).describe('Every status, oldest first.'),
    errorCode: z.string().nullable(),
    failureReason: z.string().nullable().describe('Why it failed, in words for the sender.'),
    segments: z.number().int(),
    encoding: z.enum(['GSM-7', 'UCS-2']),
    sentBy: z.string().nullable().describe('Outbound: the user id of the sender (null: an automatic reply).'),
    sentByName: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'SmsMessageView' });
export type MessageView = z.infer<typeof messageViewSchema>;

export const conversationViewSchema = z
  .object({
    id: z.string(),
    enterpriseNumber: z.string().describe('E.164.'),
    externalNumber: z.string().describe('The other party: E.164, or a short code / sender id as sent.'),
    contactName: z.string().nullable().describe('Your personal contact, else the enterprise contact, for the other party; null when unknown.'),
    lastMessageAt: z.string(),
    lastPreview: z.string().describe('The first 120 characters of the last message, or e.g. "[photo]" for media only.'),
    lastDirection: z.enum(['inbound', 'outbound']),
    lastStatus: z.string(),
    messageCount: z.number().int(),
    unreadCount: z.number().int().describe('Inbound messages you have not read yet.'),
  })
  .meta({ id: 'Conversation' });
export type ConversationView = z.infer<typeof conversationViewSchema>;

const nextToken = z.string().optional().describe('Pass back to get the next page; absent on the last page.');

export const conversationPageSchema = z.object({ items: z.array(conversationViewSchema), continuationToken: nextToken }).meta({ id: 'ConversationPage' });
export type ConversationPage = z.infer<typeof conversationPageSchema>;

export const messagePageSchema = z
  .object({ conversation: conversationViewSchema, items: z.array(messageViewSchema).describe('Newest first.'), continuationToken: nextToken })
  .meta({ id: 'SmsMessagePage' });
export type MessagePage = z.infer<typeof messagePageSchema>;

export const unreadTotalSchema = z
  .object({ unread: z.number().int().describe('Unread inbound messages.'), conversations: z.number().int().describe('Conversations with unread messages.') })
  .meta({ id: 'UnreadTotal' });
export type UnreadTotal = z.infer<typeof unreadTotalSchema>;

export const searchHitSchema = z.object({
  conversationId: z.string(),
  enterpriseNumber: z.string(),
  externalNumber: z.string(),
  contactName: z.string().nullable(),
  matchedOn: z.enum(['body', 'contact', 'number']).describe('What matched: the message text, the contact name, or the other party\'s number.'),
  message: messageViewSchema,
});
export type SearchHit = z.infer<typeof searchHitSchema>;

export const searchPageSchema = z
  .object({
    items: z.array(searchHitSchema).describe('Newest first. A page can be short, even empty, while continuationToken is present: each request reads a bounded number of messages.'),
    continuationToken: nextToken,
    searchedThrough: z.string().optional().describe('The time of the oldest message examined so far; absent when nothing was examined.'),
  })
  .meta({ id: 'SmsSearchPage' });
export type SearchPage = z.infer<typeof searchPageSchema>;

export function toMessageView(m: SmsMessage): MessageView {
  return {
    id: m.id,
    direction: m.direction,
    from: m.from,
    to: m.to,
    body: m.body,
    media: m.media.map(({ url, contentType }) => ({ url, contentType })),
    status: m.status,
    statusHistory: m.statusHistory.map((change) => ({ status: change.status, at: change.at, ...(change.errorCode ? { errorCode: change.errorCode } : {}) })),
    errorCode: m.errorCode,
    failureReason: m.failureReason,
    segments: m.segments,
    encoding: m.encoding,
    sentBy: m.sentBy,
    sentByName: m.sentByName,
    createdAt: m.createdAt,
  };
}

export function toConversationView(c: Conversation, unreadCount: number, contactName: string | null): ConversationView {
  return {
    id: c.id,
    enterpriseNumber: c.enterpriseNumber,
    externalNumber: c.externalNumber,
    contactName,
    lastMessageAt: c.lastMessageAt,
    lastPreview: c.lastPreview,
    lastDirection: c.lastDirection,
    lastStatus: c.lastStatus,
    messageCount: c.messageCount,
    unreadCount,
  };
}
