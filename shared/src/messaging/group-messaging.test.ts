import { simulatorEnterprise } from '../../test/simulator-enterprise';
import type { Principal } from '../access/principal';
import type { E164 } from '../rules/phone';

/**
 * An SMS group shares one number: a customer's text reaches every member, and what one
 * member sends is in the conversation every member reads (with who sent it).
 */
const GROUP_NUMBER = '+14255550900' as E164;
const CUSTOMER = '+12065550177';

it('delivers the group number\'s messages to every member and shows one member\'s reply to all', async () => {
  const { services, enterpriseId, connection, addNumber, receive } = await simulatorEnterprise();
  const at = new Date().toISOString();
  await addNumber(GROUP_NUMBER, { type: 'group', id: 'desk', name: 'Front desk' });
  await services.smsGroupRepository.create({ enterpriseId, id: 'desk', name: 'Front desk', number: GROUP_NUMBER, ownerIds: ['olga'], memberIds: ['olga', 'mike'], createdAt: at, updatedAt: at });
  const member = (userId: string, name: string): Principal => ({ userId, name, tenantId: 't', role: 'user', enterpriseId });
  const olga = member('olga', 'Olga Owner');
  const mike = member('mike', 'Mike Member');
  const stranger = member('sam', 'Sam Stranger');

  // The customer texts the group number (a signed simulator webhook).
  const event = { id: 'evt-1', type: 'message.received' as const, occurred_at: at, data: { id: 'sim-group-1', from: CUSTOMER, to: GROUP_NUMBER, text: 'Is the shop open today?' } };
  await receive(event);
  await services.inboundSms.settleAll();
  const inbound = (await services.messages.get(enterpriseId, `${connection.id}:sim-group-1`))!.value;
  expect(inbound).toMatchObject({ status: 'routed', holder: { type: 'group', id: 'desk' }, recipients: ['olga', 'mike'] });

  // Both members see it, unread; someone outside the group does not.
  for (const who of [olga, mike]) {
    const page = await services.conversations.list(who, enterpriseId, { pageSize: 10 });
    expect(page.items.map((c) => [c.externalNumber, c.unreadCount])).toEqual([[CUSTOMER, 1]]);
  }
  expect((await services.conversations.list(stranger, enterpriseId, { pageSize: 10 })).items).toEqual([]);

  // Mike answers from the group number; Olga reads his reply, with his name on it.
  const reply = await services.outboundSms.send({ enterpriseId, userId: 'mike', name: 'Mike Member' }, { to: CUSTOMER, body: 'Yes, until 6 pm!', media: [] });
  expect(reply.from).toBe(GROUP_NUMBER);
  await services.outboundSms.settleAll();
  const history = await services.conversations.history(olga, enterpriseId, reply.conversationId, { pageSize: 10 });
  expect(history.items.map((m) => [m.direction, m.body, m.sentByName])).toEqual([
    ['outbound', 'Yes, until 6 pm!', 'Mike Member'],
    ['inbound', 'Is the shop open today?', null],
  ]);
  await services.conversations.markRead(mike, enterpriseId, reply.conversationId);
  // Read state is per member: Mike read it, Olga has not yet.
  expect((await services.conversations.unreadTotal(mike, enterpriseId, {})).unread).toBe(0);
  expect((await services.conversations.unreadTotal(olga, enterpriseId, {})).unread).toBe(1);
});
