import { startAcsFake, startWebhookReceiver, type AcsFake, type WebhookReceiver } from '../simulators/carriers';
import { acsRequestHeaders, acsSignature, parseAcsConnectionString } from './acs';
import { CarrierError, WebhookAuthError } from './errors';
import { createCarrierAdapter, webhookAnswer } from './factory';
import type { CarrierAdapter, WebhookRequest } from './types';

function refusal(adapter: CarrierAdapter, request: WebhookRequest): unknown {
  try {
    adapter.verifyWebhook(request);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('ACS HMAC-SHA256 request signing', () => {
  // Vectors from the Azure SDK for Python's tests of its HMACCredentialsPolicy (key "pw==").
  it("matches the Azure SDK's test vectors", () => {
    expect(acsSignature('pw==', 'banana')).toBe('88EC05aAS9iXnaimtNO78JLjiPtfWryQB/5QYEzEsu8=');
    const date = new Date('Wed, 13 Apr 2022 18:09:12 GMT');
    const root = acsRequestHeaders('GET', 'https://contoso.communicationservices.azure.com/', '', 'pw==', date);
    expect(root).toEqual({
      'x-ms-date': 'Wed, 13 Apr 2022 18:09:12 GMT',
      'x-ms-content-sha256': '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
      authorization: 'HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=88MDmJhUR3m5QhFxb8ztShsSwlGrg7g/6XPnWf7QEO4=',
    });
    expect(acsRequestHeaders('GET', 'https://contoso.communicationservices.azure.com/testPath?testQuery=yes', '', 'pw==', date).authorization).toBe(
      'HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=il99+rd6V5O136roX/zVePCNle78HmvC4B7tu9zRH3I=',
    );
  });

  it('reads connection strings', () => {
    expect(parseAcsConnectionString('endpoint=https://contoso.communication.azure.com/;accesskey=cHc9PQ==')).toEqual({ endpoint: 'https://contoso.communication.azure.com', accessKey: 'cHc9PQ==' });
  });
});

describe('ACS adapter against the ACS fake', () => {
  let fake: AcsFake;
  let receiver: WebhookReceiver;
  let adapter: CarrierAdapter;
  const from = '+18445550001';
  const to = '+14255550123';

  beforeAll(async () => {
    [fake, receiver] = await Promise.all([startAcsFake({ numbers: [from] }), startWebhookReceiver((r) => {
      const events = adapter.parseWebhook(r);
      const answer = webhookAnswer('acs', events);
      return { status: answer.status, body: answer.body, contentType: answer.contentType };
    })]);
    adapter = createCarrierAdapter('acs', fake.credentials, { timeoutMs: 3000 });
  });
  afterAll(() => Promise.all([fake.stop(), receiver.stop()]));
  afterEach(() => fake.faults.reset());

  it('sends a signed request the fake verifies; ACS answers the messageId', async () => {
    const result = await adapter.send({ from, to, body: 'Hello from Teams', clientReference: 'msg-42' });
    expect(result).toEqual({ carrierMessageId: expect.stringMatching(/^Outgoing_/), status: 'accepted' });
    expect(fake.messages.at(-1)).toMatchObject({ messageId: result.carrierMessageId, from, to, message: 'Hello from Teams', enableDeliveryReport: true, tag: 'msg-42' });
    expect(fake.requests.at(-1)).toMatchObject({ path: '/sms', query: { 'api-version': '2021-03-07' }, status: 202 });
  });

  it('a wrong access key fails the HMAC check: final CarrierError 401', async () => {
    const wrong = createCarrierAdapter('acs', { ...fake.credentials, accessKey: Buffer.alloc(32, 1).toString('base64') });
    const error = await wrong.send({ from, to, body: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CarrierError);
    expect(error).toMatchObject({ retryable: false, status: 401, code: 'Denied', reason: 'unauthorized' });
  });

  it('a body changed after signing fails the content hash (the fake recomputes it)', async () => {
    const tampering: typeof fetch = (input, init) => fetch(input, { ...init, body: String(init?.body).replace('Hello', 'Pay now') });
    const tampered = createCarrierAdapter('acs', fake.credentials, { fetch: tampering });
    await expect(tampered.send({ from, to, body: 'Hello' })).rejects.toMatchObject({ status: 401, retryable: false });
  });

  it('429 with Retry-After and 503 are retryable', async () => {
    fake.faults.throttle(1, 3);
    await expect(adapter.send({ from, to, body: 'x' })).rejects.toMatchObject({ retryable: true, status: 429, retryAfterMs: 3000 });
    fake.faults.fail(1, 503);
    await expect(adapter.send({ from, to, body: 'x' })).rejects.toMatchObject({ retryable: true, status: 503 });
  });

  it("a recipient's own failure is read from the per-recipient result", async () => {
    fake.failRecipient('+14255550999', 400, 'Invalid To phone number format.');
    await expect(adapter.send({ from, to: '+14255550999', body: 'x' })).rejects.toMatchObject({ retryable: false, status: 400, reason: 'invalid_number' });
    fake.failRecipient('+14255550998', 503, 'Service busy.');
    await expect(adapter.send({ from, to: '+14255550998', body: 'x' })).rejects.toMatchObject({ retryable: true, status: 503 });
  });

  it('refuses MMS (ACS sends text only)', async () => {
    await expect(adapter.send({ from, to, body: 'x', mediaUrls: ['https://x.example/a.jpg'] })).rejects.toMatchObject({ retryable: false, reason: 'invalid_request' });
  });

  it('answers the Event Grid validation handshake', async () => {
    const request = fake.eventGridRequest(`${receiver.baseUrl}/webhooks/acs`, [fake.validationEvent('512d38b6-c7b8-40c8-89fe-f46f9e9622b6')]);
    adapter.verifyWebhook(request);
    expect(adapter.parseWebhook(request)).toEqual([{ kind: 'validation', response: { validationResponse: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' } }]);
    const reply = await fake.deliver(request);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ validationResponse: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' });
  });

  it('reads an Event Grid batch: inbound, delivery reports, unknown events', async () => {
    const { carrierMessageId } = await adapter.send({ from, to, body: 'report me' });
    const request = fake.eventGridRequest('https://sb.example.com/webhooks/acs', [
      fake.smsReceivedEvent({ from: to, to: from, message: 'Hi there' }),
      fake.deliveryReportEvent({ messageId: carrierMessageId, deliveryStatus: 'Delivered' }),
      fake.deliveryReportEvent({ messageId: carrierMessageId, deliveryStatus: 'Failed', deliveryStatusDetails: 'Handset unreachable' }),
      { ...fake.smsReceivedEvent({ from: to, to: from, message: '?' }), eventType: 'Microsoft.Communication.ChatMessageReceived' },
    ]);
    adapter.verifyWebhook(request);
    expect(adapter.parseWebhook(request)).toEqual([
      { kind: 'inbound', message: { carrierMessageId: expect.stringMatching(/^Incoming_/), from: to, to: from, body: 'Hi there', media: [], receivedAt: expect.any(String) } },
      { kind: 'status', update: { carrierMessageId, status: 'delivered', at: expect.any(String) } },
      { kind: 'status', update: { carrierMessageId, status: 'failed', errorCode: 'Failed', errorMessage: 'Handset unreachable', at: expect.any(String) } },
      { kind: 'ignored', reason: expect.stringContaining('ChatMessageReceived') },
    ]);
  });

  it("reads the PascalCase sample of Microsoft's docs, numbers without '+'", () => {
    const body = [{ id: 'x', topic: '/t', subject: '/phonenumber/15555555555', eventType: 'Microsoft.Communication.SMSReceived', dataVersion: '1.0', metadataVersion: '1', eventTime: '2020-09-18T00:27:47Z', data: { MessageId: 'Incoming_20200918002745d29ebbea-3341-4466-9690-0a03af35228e', From: '14255550123', To: '18445550001', Message: 'Great to connect with ACS events', ReceivedTimestamp: '2020-09-18T00:27:45.32Z' } }];
    const events = adapter.parseWebhook({ url: 'https://sb.example.com/x', headers: {}, rawBody: Buffer.from(JSON.stringify(body)) });
    expect(events).toEqual([{ kind: 'inbound', message: { carrierMessageId: 'Incoming_20200918002745d29ebbea-3341-4466-9690-0a03af35228e', from: '+14255550123', to: '+18445550001', body: 'Great to connect with ACS events', media: [], receivedAt: '2020-09-18T00:27:45.320Z' } }]);
  });

  describe('webhook secret', () => {
    const url = 'https://switchboard.example.com/api/webhooks/acs/conn-1';
    it('accepted in the x-switchboard-secret header or the secret query parameter', async () => {
      const viaHeader = fake.eventGridRequest(url, [fake.validationEvent()]);
      expect(refusal(adapter, viaHeader)).toBeUndefined();
      const queryFake = await startAcsFake({ secretIn: 'query', webhookSecret: fake.webhookSecret });
      await queryFake.stop();
      const viaQuery = queryFake.eventGridRequest(url, [queryFake.validationEvent()]);
      expect(new URL(viaQuery.url).searchParams.get('secret')).toBe(fake.webhookSecret);
      expect(refusal(adapter, viaQuery)).toBeUndefined();
    });
    it('missing → 401, wrong → 403', () => {
      const request = fake.eventGridRequest(url, [fake.validationEvent()]);
      const error = refusal(adapter, { ...request, headers: { ...request.headers, 'x-switchboard-secret': undefined } });
      expect(error).toBeInstanceOf(WebhookAuthError);
      expect(error).toMatchObject({ status: 401, reason: 'unsigned' });
      expect(refusal(adapter, { ...request, headers: { ...request.headers, 'x-switchboard-secret': 'guess' } })).toMatchObject({ status: 403, reason: 'bad_signature' });
      expect(refusal(adapter, { ...request, headers: {}, url: `${url}?secret=${fake.webhookSecret}x` })).toMatchObject({ status: 403 });
    });
  });
});
