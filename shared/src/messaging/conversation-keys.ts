import { createHash } from 'node:crypto';
import type { InboundMedia } from '../carriers/types';
import { ValidationError } from '../errors';
import { invertedTime } from '../store/keys';
import { shardKey, shardOf } from '../store/repository';
import { conversationIdOf } from './conversation-id';

/**
 * The keys of the conversation tables. Newest first is ascending RowKey order, so
 * every time-ordered key starts with an inverted millisecond timestamp (13 digits).
 */

/** A message's place in its conversation (and in the search timelines): same message, same key. */
export function messageKey(createdAt: string, messageId: string): string {
  return `${invertedTime(createdAt)}_${createHash('sha256').update(messageId).digest('hex').slice(0, 16)}`;
}

/** A conversation's place in the newest-first lists: where its last message puts it. */
export function recentKey(lastMessageAt: string, conversationId: string): string {
  return `${invertedTime(lastMessageAt)}_${conversationId}`;
}

/** The enterprise half of a conversation id (the number's digits), which names the per-number partitions. */
export function numberKeyOf(enterpriseNumber: string): string {
  return conversationIdOf(enterpriseNumber, '-').split('_')[0]!;
}

/** Partitions of the per-number indexes. */
export const numberPartition = (enterpriseId: string, enterpriseNumber: string) => `${enterpriseId}~${numberKeyOf(enterpriseNumber)}`;

/**
 * The enterprise-wide index admins read takes three writes of every message of the
 * enterprise: it is spread over shards `{enterprise}~*~00` … `~*~15` (`*` is never in a
 * number key: those are letters and digits, and nothing in it needs escaping), so one busy enterprise is not one hot
 * partition. By conversation: a message's timeline row, its conversation's new list
 * position and the old one it replaces share a shard, and so a transaction.
 */
export const ENTERPRISE_INDEX_SHARDS = 16;
const enterpriseShard = (enterpriseId: string, shard: number) => shardKey(`${enterpriseId}~*`, shard);
export const enterprisePartition = (enterpriseId: string, conversationId: string) => enterpriseShard(enterpriseId, shardOf(conversationId, ENTERPRISE_INDEX_SHARDS));
/** Every shard of the enterprise-wide index, for readers to merge. */
export const enterprisePartitions = (enterpriseId: string) => Array.from({ length: ENTERPRISE_INDEX_SHARDS }, (_, shard) => enterpriseShard(enterpriseId, shard));
/** A conversation's history lives in its enterprise number's partition (the id starts with the number's key). */
export const historyPartition = (enterpriseId: string, conversationId: string) => `${enterpriseId}~${conversationId.split('_')[0]}`;
export const readsPartition = (enterpriseId: string, userId: string) => `${enterpriseId}~${userId}`;

export const CONVERSATION_ID_PATTERN = /^[a-z0-9]{1,64}_[a-z0-9]{1,128}$/;
const MESSAGE_KEY = /^\d{13}_[0-9a-f]{16}$/;
const RECENT_KEY = /^\d{13}_[a-z0-9]{1,64}_[a-z0-9]{1,128}$/;

/**
 * Our continuation tokens: base64url JSON naming the last key handed out. A position,
 * not a capability: the caller's access is checked again on every page.
 */
export function encodeCursor(key: string): string {
  return Buffer.from(JSON.stringify({ v: 1, k: key }), 'utf8').toString('base64url');
}

export function decodeCursor(token: string | undefined, kind: 'message' | 'conversation'): string | undefined {
  if (token === undefined) return undefined;
  let key: unknown;
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; k?: unknown };
    key = decoded.v === 1 ? decoded.k : undefined;
  } catch {
    key = undefined;
  }
  const pattern = kind === 'message' ? MESSAGE_KEY : RECENT_KEY;
  if (typeof key !== 'string' || !pattern.test(key)) {
    throw new ValidationError('The continuation token is not one this server issued for this list. Start again from the first page.', [
      { path: 'continuationToken', message: 'not a token from a previous page of this list; omit it to start from the first page' },
    ]);
  }
  return key;
}

export const PREVIEW_LENGTH = 120;

const MEDIA_KINDS: Array<[RegExp, string, string]> = [
  [/^image\//i, 'photo', 'photos'],
  [/^video\//i, 'video', 'videos'],
  [/^audio\//i, 'audio clip', 'audio clips'],
];

/** What a conversation list shows of a message: its first 120 characters, or "[photo]" style for media alone. */
export function previewOf(body: string, media: readonly InboundMedia[]): string {
  const text = body.replace(/\s+/g, ' ').trim();
  if (text !== '') {
    // By code points, so an emoji is never cut in half.
    const chars = Array.from(text);
    return chars.length <= PREVIEW_LENGTH ? text : `${chars.slice(0, PREVIEW_LENGTH - 1).join('')}…`;
  }
  if (media.length === 0) return '';
  const kinds = media.map((item) => MEDIA_KINDS.find(([pattern]) => pattern.test(item.contentType)) ?? [/./, 'file', 'files']);
  const same = kinds.every((kind) => kind[1] === kinds[0]![1]);
  if (media.length === 1) return `[${kinds[0]![1]}]`;
  return same ? `[${media.length} ${kinds[0]![2]}]` : `[${media.length} attachments]`;
}
