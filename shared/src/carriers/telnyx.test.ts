import { generateKeyPairSync, sign } from 'node:crypto';
import { startTelnyxFake, startWebhookReceiver, type TelnyxFake, type WebhookReceiver } from '../simulators/carriers';
import { CarrierError, WebhookAuthError } from './errors';
import { createCarrierAdapter } from './factory';
import { telnyxPublicKey, verifyTelnyxSignature } from './telnyx';
import type { CarrierAdapter, WebhookRequest } from './types';

function refusal(adapter: CarrierAdapter, request: WebhookRequest, now?: Date): unknown {
  try {
    adapter.verifyWebhook(request, now);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('Telnyx Ed25519 signatures', () => {
  it('verify with a key built from the raw 32-byte base64 public key', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(12).toString('base64');
    const body = Buffer.from('{"data":{}}');
    const signature = sign(null, Buffer.from(`1700000000|${body.toString()}`), privateKey).toString('base64');
    expect(verifyTelnyxSignature(telnyxPublicKey(raw), signature, '1700000000', body)).toBe(true);
    expect(verifyTelnyxSignature(telnyxPublicKey(raw), signature, '1700000001', body)).toBe(false);
    expect(verifyTelnyxSignature(telnyxPublicKey(raw), 'bm90IGEgc2lnbmF0dXJl', '1700000000', body)).toBe(false);
  });

  it('a public key that is not 32 bytes is refused when the adapter is made', () => {
    expect(() => createCarrierAdapter('telnyx', { apiKey: 'KEY1', publicKey: 'c2hvcnQ=' })).toThrow(/32 bytes/);
  });
});

describe('Telnyx adapter against the Telnyx fake', () => {
  let fake: TelnyxFake;
  let receiver: WebhookReceiver;
  let adapter: CarrierAdapter;
  const from = '+13125550001';
  const to = '+17735550002';

  beforeAll(async () => {
    [fake, receiver] = await Promise.all([startTelnyxFake({ numbers: [from] }), startWebhookReceiver()]);
    adapter = createCarrierAdapter('telnyx', { ...fake.credentials, messagingProfileId: 'profile-1' }, { baseUrl: fake.baseUrl, timeoutMs: 3000 });
  });
  afterAll(() => Promise.all([fake.stop(), receiver.stop()]));
  afterEach(() => fake.faults.reset());

  it('sends JSON with the Bearer key; Telnyx answers data.id', async () => {
    const result = await adapter.send({ from, to, body: 'Hello', mediaUrls: ['https://cdn.example.com/a.jpg'], statusCallbackUrl: `${receiver.baseUrl}/status` });
    expect(result).toEqual({ carrierMessageId: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'queued' });
    expect(fake.messages.at(-1)).toMatchObject({ id: result.carrierMessageId, from, to, text: 'Hello', mediaUrls: ['https://cdn.example.com/a.jpg'], webhookUrl: `${receiver.baseUrl}/status`, useProfileWebhooks: false, messagingProfileId: 'profile-1' });
  });

  it('a wrong API key is refused by the fake: final CarrierError 401 / 10009', async () => {
    const wrong = createCarrierAdapter('telnyx', { apiKey: 'KEYwrong', publicKey: fake.publicKey }, { baseUrl: fake.baseUrl });
    const error = await wrong.send({ from, to, body: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CarrierError);
    expect(error).toMatchObject({ retryable: false, status: 401, code: '10009', reason: 'unauthorized' });
  });

  it('429 with Retry-After is retryable after that delay; 500 is retryable', async () => {
    fake.faults.throttle(1, 2);
    await expect(adapter.send({ from, to, body: 'x' })).rejects.toMatchObject({ retryable: true, status: 429, code: '10011', retryAfterMs: 2000 });
    fake.faults.fail(1, 500);
    await expect(adapter.send({ from, to, body: 'x' })).rejects.toMatchObject({ retryable: true, status: 500, code: '10007' });
  });

  it("Telnyx's refusals are final: opted-out recipient, a from number not on the account", async () => {
    fake.optOut('+17735550099');
    await expect(adapter.send({ from, to: '+17735550099', body: 'x' })).rejects.toMatchObject({ retryable: false, code: '40300', reason: 'opted_out' });
    await expect(adapter.send({ from: '+13125550009', to, body: 'x' })).rejects.toMatchObject({ retryable: false, code: '40305' });
  });

  it('an inbound MMS delivered over HTTP verifies and parses', async () => {
    await fake.deliver(fake.inboundWebhook(`${receiver.baseUrl}/webhooks/telnyx`, { from: to, to: from, text: 'Here it is', media: [{ url: 'https://media.telnyx.com/1.jpg', contentType: 'image/jpeg' }] }));
    const received = receiver.received.at(-1)!;
    expect(() => adapter.verifyWebhook(received)).not.toThrow();
    expect(adapter.parseWebhook(received)).toEqual([
      { kind: 'inbound', message: { carrierMessageId: expect.any(String), from: to, to: from, body: 'Here it is', media: [{ url: 'https://media.telnyx.com/1.jpg', contentType: 'image/jpeg' }], receivedAt: expect.any(String) } },
    ]);
  });

  it('message.sent and message.finalized become status updates (with the error)', async () => {
    const { carrierMessageId } = await adapter.send({ from, to, body: 'x', statusCallbackUrl: `${receiver.baseUrl}/status` });
    await fake.sendStatus(carrierMessageId, 'message.sent', 'sent');
    await fake.sendStatus(carrierMessageId, 'message.finalized', 'delivery_failed', [{ code: '40008', title: 'Undeliverable', detail: 'Carrier did not accept the message' }]);
    const [sent, finalized] = receiver.received.slice(-2);
    for (const r of [sent!, finalized!]) adapter.verifyWebhook(r);
    expect(adapter.parseWebhook(sent!)).toEqual([{ kind: 'status', update: { carrierMessageId, status: 'sent', at: expect.any(String) } }]);
    expect(adapter.parseWebhook(finalized!)).toEqual([{ kind: 'status', update: { carrierMessageId, status: 'undelivered', errorCode: '40008', errorMessage: 'Undeliverable: Carrier did not accept the message', at: expect.any(String) } }]);
    const delivered = fake.statusWebhook('https://sb.example.com/x', { messageId: carrierMessageId, eventType: 'message.finalized', status: 'delivered' });
    expect(adapter.parseWebhook(delivered)[0]).toMatchObject({ update: { status: 'delivered' } });
  });

  describe('refuses', () => {
    const url = 'https://switchboard.example.com/api/webhooks/telnyx';
    let genuine: WebhookRequest;
    beforeAll(() => {
      genuine = fake.inboundWebhook(url, { from: to, to: from, text: 'hi' });
    });

    it('nothing genuine', () => expect(refusal(adapter, genuine)).toBeUndefined());
    it('a missing signature or timestamp (401)', () => {
      expect(refusal(adapter, { ...genuine, headers: { ...genuine.headers, 'telnyx-signature-ed25519': undefined } })).toMatchObject({ status: 401, reason: 'unsigned' });
      expect(refusal(adapter, { ...genuine, headers: { ...genuine.headers, 'telnyx-timestamp': undefined } })).toMatchObject({ status: 401, reason: 'unsigned' });
    });
    it('a tampered body (403)', () => {
      const error = refusal(adapter, { ...genuine, rawBody: Buffer.from(genuine.rawBody.toString().replace('"hi"', '"pay now"')) });
      expect(error).toBeInstanceOf(WebhookAuthError);
      expect(error).toMatchObject({ status: 403, reason: 'bad_signature' });
    });
    it('a forged signature, or a changed timestamp', () => {
      const forged = Buffer.alloc(64, 7).toString('base64');
      expect(refusal(adapter, { ...genuine, headers: { ...genuine.headers, 'telnyx-signature-ed25519': forged } })).toMatchObject({ reason: 'bad_signature' });
      const ts = Number(genuine.headers['telnyx-timestamp']);
      expect(refusal(adapter, { ...genuine, headers: { ...genuine.headers, 'telnyx-timestamp': String(ts + 1) } })).toMatchObject({ reason: 'bad_signature' });
    });
    it("another account's key", async () => {
      const other = await startTelnyxFake();
      await other.stop();
      const stranger = createCarrierAdapter('telnyx', { apiKey: 'KEY', publicKey: other.publicKey }, { baseUrl: fake.baseUrl });
      expect(refusal(stranger, genuine)).toMatchObject({ reason: 'bad_signature' });
    });
    it('a stale (replayed) or far-future timestamp, genuinely signed', () => {
      const old = fake.inboundWebhook(url, { from: to, to: from, text: 'hi', signedAt: new Date(Date.now() - 6 * 60_000) });
      expect(refusal(adapter, old)).toMatchObject({ status: 403, reason: 'stale_timestamp' });
      const future = fake.inboundWebhook(url, { from: to, to: from, text: 'hi', signedAt: new Date(Date.now() + 6 * 60_000) });
      expect(refusal(adapter, future)).toMatchObject({ reason: 'stale_timestamp' });
      // ...but within the window, and judged against the given clock
      const recent = fake.inboundWebhook(url, { from: to, to: from, text: 'hi', signedAt: new Date(Date.now() - 4 * 60_000) });
      expect(refusal(adapter, recent)).toBeUndefined();
      expect(refusal(adapter, recent, new Date(Date.now() + 2 * 60_000))).toMatchObject({ reason: 'stale_timestamp' });
    });
  });
});
