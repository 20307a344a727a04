import { cardActionSchema } from './card-actions';
import { confirmationCard, confirmationHeadline, confirmationStatusText } from './confirmation-card';
import { groupReplyCard } from './group-reply-card';
import { inboundCard, inboundSummary } from './inbound-card';

const base = { from: '+12065550123', to: '+14255550100', body: 'Hello', media: [], receivedAt: '2026-03-01T10:15:30.123Z' };

describe('inbound card', () => {
  it('names the sender by number when there is no contact, and every button validates against the action schemas', () => {
    const card = inboundCard(base).content as Record<string, any>;
    expect(card.version).toBe('1.5');
    expect(JSON.stringify(card.body)).toContain('+1 206 555 0123');
    expect(JSON.stringify(card.body)).toContain('{{DATE(2026-03-01T10:15:30Z, SHORT)}} {{TIME(2026-03-01T10:15:30Z)}}');
    const datas = [card.actions[0].data, card.actions[1].data, card.actions[2].card.actions[0].data];
    for (const data of datas) expect(cardActionSchema.safeParse(data).success).toBe(true);
  });

  it('summarises media-only messages and shortens long ones', () => {
    expect(inboundSummary({ ...base, body: '', media: [{ url: 'https://x.example/a.png', contentType: 'image/png' }] })).toBe('SMS from +1 206 555 0123: 1 attachment');
    expect(inboundSummary({ ...base, body: 'x'.repeat(300) }).length).toBeLessThan(140);
  });
});

describe('confirmation card', () => {
  const to = { name: 'Jane Doe', number: '+14155550123' };

  it('says where the message went, and how it stands', () => {
    expect(confirmationHeadline({ to, status: 'sent' })).toBe('Sent to Jane Doe +1 415 555 0123');
    expect(confirmationHeadline({ to: { number: to.number }, status: 'queued' })).toBe('Sending to +1 415 555 0123');
    expect(confirmationStatusText({ status: 'delivered' })).toBe('Delivered');
    expect(confirmationStatusText({ status: 'failed', reason: 'Unknown destination' })).toBe('Failed: Unknown destination');
  });

  it('tells the Teams user clearly when the message was dead-lettered, with the reason', () => {
    const text = confirmationStatusText({ status: 'dead-lettered', reason: 'The carrier kept answering 503.', attempts: 6 });
    expect(text).toBe('Not sent: we gave up after 6 attempts. The carrier kept answering 503. Try again later, or ask your admin.');
    const card = confirmationCard({ to, from: '+14255550100', body: 'Hi', status: 'dead-lettered', reason: 'The carrier kept answering 503.', attempts: 6, at: base.receivedAt }).content as Record<string, any>;
    expect(card.body.map((b: { text: string }) => b.text)).toEqual(['Could not send to Jane Doe +1 415 555 0123', 'Hi', text, expect.stringContaining('From +1 425 555 0100')]);
    expect(card.body[2].color).toBe('Attention');
  });
});

describe('group reply card', () => {
  it('says who replied to whom, from which group number', () => {
    const card = groupReplyCard({ senderName: 'Mike Member', to: '+12065550123', contactName: 'Carla', from: '+14255550160', groupName: 'Front desk', body: 'On it', mediaCount: 0, sentAt: base.receivedAt }).content as Record<string, any>;
    expect(card.body[0].text).toBe('Mike Member replied to Carla +1 206 555 0123');
    expect(cardActionSchema.parse(card.actions[0].data)).toEqual({ switchboard: 'showConversation', enterpriseNumber: '+14255550160', externalNumber: '+12065550123' });
  });
});
