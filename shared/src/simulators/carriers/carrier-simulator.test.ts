import { createCarrierAdapter, WebhookAuthError, type CarrierAdapter, type SimulatorEvent, type WebhookRequest } from '../../carriers';
import { signSimulatorWebhook, startCarrierSimulator, type CarrierSimulator } from './carrier-simulator';
import { startWebhookReceiver, type WebhookReceiver } from './http';

const account = { apiKey: 'sim-key-contoso', signingSecret: 'sim-signing-secret-contoso' };
const enterprise = '+14155550100';
const customer = '+14155550123';

function refusal(adapter: CarrierAdapter, request: WebhookRequest, now?: Date): unknown {
  try {
    adapter.verifyWebhook(request, now);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('carrier simulator', () => {
  let sim: CarrierSimulator;
  let receiver: WebhookReceiver;
  let adapter: CarrierAdapter;
  let failNext = 0;

  beforeAll(async () => {
    receiver = await startWebhookReceiver(() => (failNext-- > 0 ? { status: 500 } : { status: 200 }));
    sim = await startCarrierSimulator({
      stepDelayMs: 5,
      webhookRetryDelayMs: 20,
      accounts: [{ ...account, inboundWebhookUrl: `${receiver.baseUrl}/inbound`, statusWebhookUrl: `${receiver.baseUrl}/status`, numbers: [enterprise] }],
    });
    adapter = createCarrierAdapter('simulator', account, { baseUrl: sim.baseUrl, timeoutMs: 3000 });
  });
  afterAll(async () => {
    await sim.stop();
    await receiver.stop();
  });
  afterEach(() => {
    sim.faults.reset();
    receiver.received.length = 0;
  });

  it('accepts a send and calls back queued → sent → delivered, signed', async () => {
    const { carrierMessageId } = await adapter.send({ from: enterprise, to: customer, body: 'Your order shipped', clientReference: 'msg-1' });
    await sim.settled();
    const statuses = receiver.received.map((r) => {
      adapter.verifyWebhook(r);
      const [event] = adapter.parseWebhook(r);
      return event?.kind === 'status' && event.update.carrierMessageId === carrierMessageId ? event.update.status : undefined;
    });
    expect(statuses).toEqual(['queued', 'sent', 'delivered']);
    expect(receiver.received.every((r) => r.path === '/status')).toBe(true);
  });

  it('fails sends to numbers marked undeliverable, with the error', async () => {
    sim.markUndeliverable('+14155550666', { errorCode: '30005', errorMessage: 'Unknown destination handset' });
    const { carrierMessageId } = await adapter.send({ from: enterprise, to: '+14155550666', body: 'x', statusCallbackUrl: `${receiver.baseUrl}/per-message` });
    await sim.settled();
    const events = receiver.received.flatMap((r) => adapter.parseWebhook(r));
    expect(events.map((e) => (e.kind === 'status' ? e.update.status : e.kind))).toEqual(['queued', 'failed']);
    expect(events[1]).toMatchObject({ update: { carrierMessageId, errorCode: '30005', errorMessage: 'Unknown destination handset' } });
    expect(receiver.received[0]!.path).toBe('/per-message');
    sim.clearUndeliverable('+14155550666');
  });

  it('a wrong API key is final; throttling and outages are retryable', async () => {
    const wrong = createCarrierAdapter('simulator', { apiKey: 'nope', signingSecret: 'x' }, { baseUrl: sim.baseUrl });
    await expect(wrong.send({ from: enterprise, to: customer, body: 'x' })).rejects.toMatchObject({ retryable: false, status: 401, reason: 'unauthorized' });
    sim.faults.throttle(1, 4);
    sim.faults.fail(1, 503);
    await expect(adapter.send({ from: enterprise, to: customer, body: 'x' })).rejects.toMatchObject({ retryable: true, status: 429, retryAfterMs: 4000 });
    await expect(adapter.send({ from: enterprise, to: customer, body: 'x' })).rejects.toMatchObject({ retryable: true, status: 503 });
    await sim.settled();
  });

  it("a customer's phone texts an enterprise number: an inbound MMS webhook, retried until taken", async () => {
    failNext = 1;
    const response = await fetch(`${sim.baseUrl}/phone/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: customer, to: enterprise, text: 'Is this open?', media: [{ url: 'https://example.com/door.png', content_type: 'image/png' }] }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ delivered: true, webhook_status: 200 });
    expect(receiver.received).toHaveLength(2); // 500, then 200
    expect(sim.deliveries.filter((d) => d.eventType === 'message.received').map((d) => [d.attempt, d.httpStatus])).toEqual([[1, 500], [2, 200]]);
    const last = receiver.received[1]!;
    expect(last.path).toBe('/inbound');
    adapter.verifyWebhook(last);
    expect(adapter.parseWebhook(last)).toEqual([
      { kind: 'inbound', message: { carrierMessageId: expect.stringMatching(/^sim_/), from: customer, to: enterprise, body: 'Is this open?', media: [{ url: 'https://example.com/door.png', contentType: 'image/png' }], receivedAt: expect.any(String) } },
    ]);
  });

  it("shows a phone's conversation, both ways", async () => {
    await adapter.send({ from: enterprise, to: '+14155550777', body: 'Reply to you' });
    await sim.sendFromPhone({ from: '+14155550777', to: enterprise, text: 'Thanks' });
    await sim.settled();
    const body = (await (await fetch(`${sim.baseUrl}/phone/${encodeURIComponent('+14155550777')}/messages`)).json()) as { messages: Array<{ direction: string; text: string; status: string }> };
    expect(body.messages.map((m) => [m.direction, m.text, m.status])).toEqual([['outbound', 'Reply to you', 'delivered'], ['inbound', 'Thanks', 'delivered']]);
  });

  it('routes numbers per account; unknown numbers and foreign numbers are refused', async () => {
    const put = (number: string, key: string, url?: string) =>
      fetch(`${sim.baseUrl}/numbers/${encodeURIComponent(number)}`, { method: 'PUT', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(url ? { inbound_webhook_url: url } : {}) });
    expect((await put('+14155550200', account.apiKey, `${receiver.baseUrl}/number-200`)).status).toBe(200);
    sim.addAccount({ apiKey: 'sim-key-fabrikam', signingSecret: 'sim-signing-secret-fabrikam' });
    expect((await put('+14155550200', 'sim-key-fabrikam')).status).toBe(409);
    const fabrikam = createCarrierAdapter('simulator', { apiKey: 'sim-key-fabrikam', signingSecret: 'x' }, { baseUrl: sim.baseUrl });
    await expect(fabrikam.send({ from: enterprise, to: customer, body: 'x' })).rejects.toMatchObject({ status: 403, code: 'number_not_owned', retryable: false });
    await sim.sendFromPhone({ from: customer, to: '+14155550200', text: 'routed' });
    expect(receiver.received.at(-1)!.path).toBe('/number-200');
    await expect(sim.sendFromPhone({ from: customer, to: '+14155550300', text: 'nobody' })).rejects.toMatchObject({ status: 404 });
  });

  describe('webhook signatures', () => {
    const event: SimulatorEvent = { id: 'evt_1', type: 'message.received', occurred_at: new Date().toISOString(), data: { id: 'sim_1', from: customer, to: enterprise, text: 'hi', media: [] } };
    const url = 'https://switchboard.example.com/api/webhooks/simulator';

    it('genuine is accepted; missing (401), tampered, wrong secret or stale (403) are refused', () => {
      const genuine = signSimulatorWebhook(url, event, account.signingSecret);
      expect(refusal(adapter, genuine)).toBeUndefined();
      const missing = refusal(adapter, { ...genuine, headers: { 'content-type': 'application/json' } });
      expect(missing).toBeInstanceOf(WebhookAuthError);
      expect(missing).toMatchObject({ status: 401, reason: 'unsigned' });
      expect(refusal(adapter, { ...genuine, rawBody: Buffer.from(genuine.rawBody.toString().replace('"hi"', '"ho"')) })).toMatchObject({ status: 403, reason: 'bad_signature' });
      expect(refusal(adapter, signSimulatorWebhook(url, event, 'another-secret'))).toMatchObject({ reason: 'bad_signature' });
      expect(refusal(adapter, signSimulatorWebhook(url, event, account.signingSecret, new Date(Date.now() - 301_000)))).toMatchObject({ status: 403, reason: 'stale_timestamp' });
    });
  });
});
