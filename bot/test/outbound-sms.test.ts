import { randomBytes } from 'node:crypto';
import { startCarrierSimulator, type CarrierSimulator } from '@switchboard/shared/simulators';
import type { Runtime } from '../src/runtime';
import { devTokens } from './support/dev-sign-in';
import { call, expectError } from './support/http';
import { startTestRuntime, stopAll } from './support/runtime';

/**
 * Sending through the API on a real server with its own worker, the simulator carrier
 * calling our webhooks back: the status lifecycle, opt-out keywords end to end, the
 * automatic confirmations, and who may send and read what.
 */
const IDENTITIES = ['provider-admin', 'contoso-global-admin', 'contoso-user', 'fabrikam-global-admin'] as const;
const UMA = 'cccccccc-0000-4000-8000-000000000003'; // the dev sign-in's contoso-user
const N1 = '+14255550701';
const N2 = '+14255550702';
const PHONE = '+12065550142';
const QUIET_PHONE = '+12065550143';

describe('sending SMS through the API', () => {
  let runtime: Runtime;
  let url: string;
  let simulator: CarrierSimulator;
  let tokens: Record<(typeof IDENTITIES)[number], string>;
  const credentials = { apiKey: `sim-${randomBytes(8).toString('hex')}`, signingSecret: randomBytes(16).toString('hex') };

  beforeAll(async () => {
    simulator = await startCarrierSimulator({ stepDelayMs: 5 });
    simulator.addAccount(credentials);
    runtime = await startTestRuntime({ SIMULATOR_CARRIER_URL: simulator.baseUrl });
    url = runtime.url;
    tokens = await devTokens(url, IDENTITIES);
    const connection = await call(`${url}/api/admin/enterprises/contoso/carrier-connections`, { token: tokens['contoso-global-admin'], body: { type: 'simulator', name: 'Simulator', credentials } });
    expect(connection.status).toBe(201);
    for (const number of [N1, N2]) {
      const added = await call(`${url}/api/admin/enterprises/contoso/numbers`, { token: tokens['contoso-global-admin'], body: { number, carrierConnectionId: connection.body.id } });
      expect(added.status).toBe(201);
      const stored = (await runtime.services.numberRepository.get('contoso', number))!;
      await runtime.services.numberRepository.update(stored, { ...stored.value, holder: { type: 'user', id: UMA, name: 'Uma User' }, segmentsPerSecond: 50 });
      simulator.assignNumber(number, credentials.apiKey, connection.body.webhookUrl);
    }
    runtime.services.numberCache.invalidate('contoso');
  });
  afterAll(async () => {
    await stopAll(runtime);
    await simulator?.stop();
  });

  const messagesUrl = (enterprise = 'contoso') => `${url}/api/admin/enterprises/${enterprise}/messages`;
  const send = (body: Record<string, unknown>, token = tokens['contoso-user']) => call(messagesUrl(), { token, body });
  async function until<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  }
  const statusOf = async (id: string, wanted: string) => {
    const answer = await call(`${messagesUrl()}/${encodeURIComponent(id)}`, { token: tokens['contoso-user'] });
    return answer.body.status === wanted ? answer.body : undefined;
  };
  const phoneReceived = (text: string) => async () => (simulator.messagesFor(PHONE).some((m) => m.direction === 'outbound' && m.text === text) ? true : undefined);

  it('lists the numbers the user may send from', async () => {
    const answer = await call(`${messagesUrl()}/sending-numbers`, { token: tokens['contoso-user'] });
    expect(answer.status).toBe(200);
    expect(answer.body.numbers).toEqual([
      { number: N1, display: '+1 425 555 0701', via: 'user' },
      { number: N2, display: '+1 425 555 0702', via: 'user' },
    ]);
  });

  it('accepts a send (202, queued), and carrier callbacks move it to delivered', async () => {
    const accepted = await send({ from: N1, to: '+1 206 555 0142', body: 'We are on our way' });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ status: 'queued', from: N1, to: PHONE, segments: 1, encoding: 'GSM-7', sentBy: UMA, sentByName: 'Uma User' });
    const delivered = await until(() => statusOf(accepted.body.id, 'delivered'), 'delivery');
    expect(delivered.statusHistory.map((s: { status: string }) => s.status)).toEqual(['queued', 'sending', 'sent', 'delivered']);
    expect(simulator.messagesFor(PHONE).filter((m) => m.client_reference === accepted.body.id)).toHaveLength(1);
  });

  it('records undelivered with the carrier error code', async () => {
    simulator.markUndeliverable(QUIET_PHONE, { status: 'undelivered', errorCode: '30006', errorMessage: 'Landline or unreachable carrier' });
    const accepted = await send({ from: N1, to: QUIET_PHONE, body: 'Are you there?' });
    const undelivered = await until(() => statusOf(accepted.body.id, 'undelivered'), 'the undelivered report');
    expect(undelivered.errorCode).toBe('30006');
  });

  it('STOP blocks the pair with a confirmation, HELP answers, START lifts it', async () => {
    await simulator.sendFromPhone({ from: PHONE, to: N1, text: 'Stop' });
    await until(phoneReceived('You have been unsubscribed and will receive no more messages from this number. Reply START to resubscribe.'), 'the STOP confirmation');

    const refused = await send({ from: N1, to: PHONE, body: 'One more thing' });
    const error = expectError(refused, 409, 'opted_out');
    expect(error.message).toContain('+1 206 555 0142 replied STOP to +1 425 555 0701');
    // Number scope (the default): the other number may still text them.
    expect((await send({ from: N2, to: PHONE, body: 'From the other line' })).status).toBe(202);

    await simulator.sendFromPhone({ from: PHONE, to: N1, text: 'help' });
    await until(phoneReceived('Reply STOP to unsubscribe. Msg&data rates may apply.'), 'the HELP answer');

    await simulator.sendFromPhone({ from: PHONE, to: N1, text: 'START' });
    await until(phoneReceived('You have been resubscribed. Reply STOP to unsubscribe.'), 'the START confirmation');
    expect((await send({ from: N1, to: PHONE, body: 'Welcome back' })).status).toBe(202);
  });

  it('with the enterprise scope, one STOP blocks every number of the enterprise', async () => {
    const enterprise = await call(`${url}/api/admin/enterprises/contoso`, { token: tokens['contoso-global-admin'] });
    const changed = await call(`${url}/api/admin/enterprises/contoso`, {
      method: 'PATCH',
      token: tokens['contoso-global-admin'],
      headers: { 'if-match': enterprise.body.etag },
      body: { settings: { optOutScope: 'enterprise', optOutReply: 'Unsubscribed from Contoso.' } },
    });
    expect(changed.status).toBe(200);
    await simulator.sendFromPhone({ from: PHONE, to: N1, text: 'UNSUBSCRIBE' });
    await until(phoneReceived('Unsubscribed from Contoso.'), 'the custom STOP confirmation');
    expectError(await send({ from: N2, to: PHONE, body: 'other line' }), 409, 'opted_out');
    await simulator.sendFromPhone({ from: PHONE, to: N2, text: 'unstop' });
    await until(async () => ((await send({ from: N2, to: PHONE, body: 'back again' })).status === 202 ? true : undefined), 'the block to lift');
  });

  it('names the field of a bad send', async () => {
    const error = expectError(await send({ from: N1, to: 'tomorrow', body: 'hi' }), 400, 'validation_failed');
    expect(error.details?.map((d) => d.path)).toContain('to');
    expect(expectError(await send({ from: N1, to: PHONE, body: 'hi', media: [{ url: 'https://example.com/a.tiff', contentType: 'image/tiff', sizeBytes: 10 }] }), 400, 'validation_failed').details?.[0]?.path).toBe('media.0.contentType');
  });

  it('lets only users of the enterprise send, and only those who may see a message read it', async () => {
    const provider = await send({ from: N1, to: PHONE, body: 'hi' }, tokens['provider-admin']);
    expectError(provider, 403, 'forbidden');
    expectError(await send({ from: N1, to: PHONE, body: 'hi' }, tokens['fabrikam-global-admin']), 404, 'not_found');
    expectError(await call(`${url}/api/admin/enterprises/nope/messages`, { token: tokens['contoso-user'], body: { from: N1, to: PHONE, body: 'hi' } }), 404, 'not_found');
    const accepted = await send({ from: N1, to: PHONE, body: 'for your eyes' });
    expect((await call(`${messagesUrl()}/${accepted.body.id}`, { token: tokens['contoso-global-admin'] })).status).toBe(200);
    expectError(await call(`${messagesUrl('fabrikam')}/${accepted.body.id}`, { token: tokens['fabrikam-global-admin'] }), 404, 'not_found');
    expectError(await call(`${messagesUrl()}/dead-letters`, { token: tokens['contoso-user'] }), 403, 'forbidden');
    expect((await call(`${messagesUrl()}/dead-letters`, { token: tokens['contoso-global-admin'] })).status).toBe(200);
  });
});
