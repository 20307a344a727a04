import type { Conversation, SmsMessage } from '../../api/types';
import { displayNumber } from '../../format/phone';


/** Who the conversation is with: the contact's name, else their number. */
export const conversationTitle = (c: Pick<Conversation, 'contactName' | 'externalNumber'>): string => c.contactName ?? displayNumber(c.externalNumber);

/** The API answers newest first; a thread reads oldest first. Pages and polls merge by id, the latest copy winning. */
export function mergeMessages(current: readonly SmsMessage[], incoming: readonly SmsMessage[]): SmsMessage[] {
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

export type StatusTone = 'pending' | 'success' | 'danger' | 'informative';

export interface StatusView {
  label: string;
  tone: StatusTone;
  /** Why it failed, in words for the sender (failed and undelivered only). */
  reason?: string;
  /** The whole story for the tooltip: each status and when, and the reason of a failure. */
  detail: string;
}

const LABELS: Record<string, { label: string; tone: StatusTone }> = {
  queued: { label: 'Queued', tone: 'pending' },
  sending: { label: 'Sending', tone: 'pending' },
  sent: { label: 'Sent', tone: 'informative' },
  delivered: { label: 'Delivered', tone: 'success' },
  undelivered: { label: 'Not delivered', tone: 'danger' },
  failed: { label: 'Failed', tone: 'danger' },
  received: { label: 'Received', tone: 'informative' },
  routed: { label: 'Received', tone: 'informative' },
  unrouted: { label: 'Received', tone: 'informative' },
};

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayTimeFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** A time of day today, with the date otherwise. */
export function shortTime(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toDateString() === now.toDateString() ? timeFormat.format(date) : dayTimeFormat.format(date);
}

/** A message's delivery status in words, with a failure's reason. */
export function statusOf(message: Pick<SmsMessage, 'status' | 'statusHistory' | 'failureReason' | 'errorCode'>): StatusView {
  const known = LABELS[message.status] ?? { label: message.status, tone: 'informative' as const };
  const failed = known.tone === 'danger';
  const reason = failed ? (message.failureReason ?? (message.errorCode ? `Carrier error ${message.errorCode}.` : 'The carrier gave no reason.')) : undefined;
  const steps = message.statusHistory.map((step) => `${LABELS[step.status]?.label ?? step.status} ${timeFormat.format(new Date(step.at))}${step.errorCode ? ` (error ${step.errorCode})` : ''}`);
  const detail = [reason, steps.join(' → ')].filter(Boolean).join(' · ');
  return { label: known.label, tone: known.tone, ...(reason ? { reason } : {}), detail };
}

export type MediaKind = 'image' | 'video' | 'audio' | 'file';

export function mediaKind(contentType: string): MediaKind {
  const type = contentType.split('/')[0]?.toLowerCase();
  return type === 'image' || type === 'video' || type === 'audio' ? type : 'file';
}

/** Only web links are shown as media: a stored URL is outside data, never a script. */
export const isWebUrl = (url: string): boolean => /^https?:\/\//i.test(url);

/**
 * The polled first page and the older pages loaded on demand, newest first: a
 * conversation in both (a new message moved it up) appears once, as the poll has it.
 */
export function mergeConversations(latest: readonly Conversation[], older: readonly Conversation[]): Conversation[] {
  const byId = new Map(older.map((c) => [c.id, c]));
  for (const c of latest) byId.set(c.id, c);
  return [...byId.values()].sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt) || a.id.localeCompare(b.id));
}

/** Conversations whose contact name, number (digits) or last message contains `query`. */
export function filterConversations(conversations: readonly Conversation[], query: string): Conversation[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...conversations];
  const digits = q.replace(/\D/g, '');
  return conversations.filter(
    (c) =>
      (c.contactName ?? '').toLowerCase().includes(q) ||
      c.lastPreview.toLowerCase().includes(q) ||
      (digits.length >= 3 && (c.externalNumber.replace(/\D/g, '').includes(digits) || c.enterpriseNumber.replace(/\D/g, '').includes(digits))),
  );
}
