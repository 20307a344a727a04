import { describe, expect, it } from '@jest/globals';
import type { Conversation, SmsMessage } from '../../api/types';
import { displayNumber } from '../../format/phone';
import { conversationTitle, filterConversations, isWebUrl, mediaKind, mergeConversations, mergeMessages, statusOf } from './thread';

const message = (id: string, createdAt: string, over: Partial<SmsMessage> = {}): SmsMessage => ({
  id,
  direction: 'outbound',
  from: '+14255550100',
  to: '+12065550100',
  body: id,
  media: [],
  status: 'queued',
  statusHistory: [{ status: 'queued', at: createdAt }],
  errorCode: null,
  failureReason: null,
  segments: 1,
  encoding: 'GSM-7',
  sentBy: 'u1',
  sentByName: 'Uma User',
  createdAt,
  ...over,
});

const conversation = (over: Partial<Conversation>): Conversation => ({
  id: '14255550100_12065550100',
  enterpriseNumber: '+14255550100',
  externalNumber: '+12065550100',
  contactName: null,
  lastMessageAt: '2026-05-01T10:00:00Z',
  lastPreview: 'Is my order ready?',
  lastDirection: 'inbound',
  lastStatus: 'routed',
  messageCount: 1,
  unreadCount: 1,
  ...over,
});

describe('thread helpers', () => {
  it('merges pages and polls by id, oldest first, the latest copy winning', () => {
    const older = [message('a', '2026-05-01T10:00:00Z'), message('b', '2026-05-01T10:01:00Z')];
    const poll = [message('c', '2026-05-01T10:02:00Z'), message('b', '2026-05-01T10:01:00Z', { status: 'delivered' })];
    const merged = mergeMessages(older, poll);
    expect(merged.map((m) => `${m.id}:${m.status}`)).toEqual(['a:queued', 'b:delivered', 'c:queued']);
  });

  it('merges the polled page with older pages newest first, a conversation that moved up shown once as polled', () => {
    const latest = [conversation({ id: 'c3', lastMessageAt: '2026-05-03T10:00:00Z' }), conversation({ id: 'c1', lastMessageAt: '2026-05-04T09:00:00Z', lastPreview: 'new' })];
    const older = [conversation({ id: 'c1', lastMessageAt: '2026-04-01T10:00:00Z', lastPreview: 'old' }), conversation({ id: 'c0', lastMessageAt: '2026-03-01T10:00:00Z' })];
    expect(mergeConversations(latest, older).map((c) => `${c.id}:${c.lastMessageAt.slice(5, 10)}`)).toEqual(['c1:05-04', 'c3:05-03', 'c0:03-01']);
    expect(mergeConversations(latest, older).find((c) => c.id === 'c1')?.lastPreview).toBe('new');
  });

  it('says how a message fared, with the reason of a failure', () => {
    expect(statusOf(message('a', '2026-05-01T10:00:00Z', { status: 'delivered' }))).toMatchObject({ label: 'Delivered', tone: 'success' });
    expect(statusOf(message('a', '2026-05-01T10:00:00Z', { status: 'sending' }))).toMatchObject({ label: 'Sending', tone: 'pending' });
    const failed = statusOf(
      message('a', '2026-05-01T10:00:00Z', {
        status: 'failed',
        failureReason: 'The carrier says the number is not valid.',
        statusHistory: [
          { status: 'queued', at: '2026-05-01T10:00:00Z' },
          { status: 'failed', at: '2026-05-01T10:00:02Z', errorCode: '21211' },
        ],
      }),
    );
    expect(failed).toMatchObject({ label: 'Failed', tone: 'danger', reason: 'The carrier says the number is not valid.' });
    expect(failed.detail).toMatch(/^The carrier says the number is not valid\. · Queued .+ → Failed .+ \(error 21211\)$/);
    expect(statusOf(message('a', '2026-05-01T10:00:00Z', { status: 'undelivered', errorCode: '30003' })).reason).toBe('Carrier error 30003.');
  });

  it('names conversations and numbers for people', () => {
    expect(displayNumber('+14255550100')).toBe('+1 425 555 0100');
    expect(displayNumber('+442079460958')).toBe('+44 20 7946 0958');
    expect(conversationTitle(conversation({}))).toBe('+1 206 555 0100');
    expect(conversationTitle(conversation({ contactName: 'Jane Doe' }))).toBe('Jane Doe');
  });

  it('filters conversations by name, text or digits of either number', () => {
    const list = [conversation({ id: '1', contactName: 'Jane Doe' }), conversation({ id: '2', externalNumber: '+13125550199', lastPreview: 'Thanks!' })];
    expect(filterConversations(list, 'jane').map((c) => c.id)).toEqual(['1']);
    expect(filterConversations(list, 'thanks').map((c) => c.id)).toEqual(['2']);
    expect(filterConversations(list, '312 555').map((c) => c.id)).toEqual(['2']);
    expect(filterConversations(list, '').map((c) => c.id)).toEqual(['1', '2']);
  });

  it('shows images inline and only web links as media', () => {
    expect(mediaKind('image/png')).toBe('image');
    expect(mediaKind('application/pdf')).toBe('file');
    expect(isWebUrl('https://example.com/a.png')).toBe(true);
    expect(isWebUrl('javascript:alert(1)')).toBe(false);
  });
});
