import { simulatorEnterprise } from '../../test/simulator-enterprise';
import type { E164 } from '../rules/phone';
import type { SmsMessage } from './message';

/**
 * Routing runs in two stages: the decision and the urgent listeners (delivery to Teams)
 * first, then the bookkeeping (conversation lists, keywords, counts), which never holds
 * the urgent part up. The message stays in flight until the bookkeeping is done.
 */
const NUMBER = '+14255550950' as E164;

it('runs urgent listeners without waiting for the bookkeeping, and keeps the message in flight until that is done', async () => {
  const { services, enterpriseId, connection, addNumber, receive } = await simulatorEnterprise();
  await addNumber(NUMBER, { type: 'user', id: 'uma', name: 'Uma' });
  const at = new Date().toISOString();

  const urgent: SmsMessage[] = [];
  let urgentSaw: SmsMessage | undefined;
  services.inboundSms.onRouted(async (message) => {
    urgent.push(message);
  }, { urgent: true });
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let bookkeepingStarted!: () => void;
  const started = new Promise<void>((resolve) => (bookkeepingStarted = resolve));
  services.inboundSms.onRouted(async (message) => {
    urgentSaw = urgent.find((m) => m.id === message.id);
    bookkeepingStarted();
    await released;
  });

  const event = { id: 'evt-1', type: 'message.received' as const, occurred_at: at, data: { id: 'sim-stage-1', from: '+12065550123', to: NUMBER, text: 'On my way?' } };
  await receive(event);
  await started;

  // The urgent listener ran first, with the routing decision, while the bookkeeping is still held.
  expect(urgentSaw).toMatchObject({ status: 'routed', recipients: ['uma'] });
  const id = `${connection.id}:sim-stage-1`;
  expect((await services.messages.get(enterpriseId, id))!.value.status).toBe('received');
  let settled = false;
  const settling = services.inboundSms.settleAll().then(() => (settled = true));
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(settled).toBe(false); // settleAll waits for the bookkeeping too

  // More messages than any lane runs at once: their Teams side still goes out while every
  // bookkeeping slot is held.
  for (let i = 2; i <= 21; i++) {
    const more = { id: `evt-${i}`, type: 'message.received' as const, occurred_at: at, data: { id: `sim-stage-${i}`, from: '+12065550123', to: NUMBER, text: `Message ${i}` } };
    await receive(more);
  }
  const deadline = Date.now() + 10_000;
  while (urgent.length < 21 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(urgent.length).toBe(21);
  expect(settled).toBe(false);

  release();
  await settling;
  expect((await services.messages.get(enterpriseId, id))!.value).toMatchObject({ status: 'routed', recipients: ['uma'] });
  expect(urgent.filter((m) => m.id === id)).toHaveLength(1);
});
