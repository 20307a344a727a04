import { randomUUID } from 'node:crypto';
import { conversationIdOf } from '../src/messaging/conversation-id';
import type { SmsMessage } from '../src/messaging/message';

/**
 * A stored-looking SMS between an enterprise number and an outside party, as the
 * inbound router or the outbound worker leaves it (routed / sent). `extra` wins.
 */
export function makeMessage(
  enterpriseId: string,
  direction: 'inbound' | 'outbound',
  enterpriseNumber: string,
  external: string,
  body: string,
  createdAt: string,
  extra: Partial<SmsMessage> = {},
): SmsMessage {
  const carrierMessageId = `m-${randomUUID()}`;
  const [from, to] = direction === 'inbound' ? [external, enterpriseNumber] : [enterpriseNumber, external];
  const status = direction === 'inbound' ? 'routed' : 'sent';
  return {
    enterpriseId,
    id: `conn1:${carrierMessageId}`,
    direction,
    connectionId: 'conn1',
    carrierType: 'simulator',
    carrierMessageId,
    from,
    to,
    body,
    media: [],
    status,
    holder: null,
    recipients: [],
    errorCode: null,
    conversationId: conversationIdOf(enterpriseNumber, external),
    sentBy: direction === 'outbound' ? 'uma' : null,
    sentByName: direction === 'outbound' ? 'Uma User' : null,
    teamsConfirmation: false,
    segments: 1,
    encoding: 'GSM-7',
    statusHistory: [{ status, at: createdAt }],
    attempts: direction === 'outbound' ? 1 : 0,
    failureReason: null,
    claimedBy: null,
    claimUntil: null,
    nextAttemptAt: null,
    deadLetteredAt: null,
    receivedAt: createdAt,
    createdAt,
    updatedAt: createdAt,
    ...extra,
  };
}
