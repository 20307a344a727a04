import type { ServerResponse } from 'node:http';
import { startLoopbackServer } from '../simulators/carriers/http';
import { startTwilioFake, startWebhookReceiver, type TwilioFake, type WebhookReceiver } from '../simulators/carriers';
import { CarrierError, WebhookAuthError } from './errors';
import { createCarrierAdapter, webhookAnswer } from './factory';
import { twilioSignature, validateTwilioSignature, type TwilioAdapter } from './twilio';
import type { WebhookRequest } from './types';

// Twilio's published example (docs "Webhooks security" and every Twilio library's tests).
const TOKEN = '12345';
const URL_EXAMPLE = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };

describe('X-Twilio-Signature', () => {
  it("reproduces Twilio's documented example", () => {
    expect(twilioSignature(TOKEN, URL_EXAMPLE, PARAMS)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(validateTwilioSignature(TOKEN, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', URL_EXAMPLE, new URLSearchParams(PARAMS))).toBe(true);
  });

  it('accepts the URL with or without its port, as Twilio libraries do (their test vectors)', () => {
    expect(validateTwilioSignature(TOKEN, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', 'https://mycompany.com:1234/myapp.php?foo=1&bar=2', PARAMS)).toBe(true);
    expect(validateTwilioSignature(TOKEN, 'kvajT1Ptam85bY51eRf/AJRuM3w=', URL_EXAMPLE, PARAMS)).toBe(true); // signed with :443
    expect(validateTwilioSignature(TOKEN, 'CYn1h0gLBdNxDGkKJg6hYohgeD8=', 'https://mycompany.com:1234/myapp.php?foo=1&bar=2', PARAMS)).toBe(true);
    expect(validateTwilioSignature(TOKEN, 'g9IN/x4Cft2g517EjYvEvM/W7LU=', 'https://MyCompany.com/myapp.php?foo=1&bar=2', PARAMS)).toBe(true);
  });

  it('signs repeated parameters value by value, sorted', () => {
    const repeated = new URLSearchParams([['Sid', 'CA123'], ['SidAccount', 'AC123'], ['Digits', '5678'], ['Digits', '1234'], ['Digits', '1234']]);
    expect(twilioSignature(TOKEN, URL_EXAMPLE, repeated)).toBe('IK+Dwps556ElfBT0I3Rgjkr1wJU=');
  });

  it('refuses any change of URL, parameter, token or signature', () => {
    const good = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';
    expect(validateTwilioSignature(TOKEN, good, `${URL_EXAMPLE}&x=1`, PARAMS)).toBe(false);
    expect(validateTwilioSignature(TOKEN, good, URL_EXAMPLE, { ...PARAMS, Digits: '9999' })).toBe(false);
    expect(validateTwilioSignature('54321', good, URL_EXAMPLE, PARAMS)).toBe(false);
    expect(validateTwilioSignature(TOKEN, 'NOT' + good, URL_EXAMPLE, PARAMS)).toBe(false);
  });
});

describe('Twilio adapter against the Twilio fake', () => {
  let fake: TwilioFake;
  let receiver: WebhookReceiver;
  let adapter: TwilioAdapter;
  const from = '+14155550100';
  const to = '+14155550123';

  beforeAll(async () => {
    [fake, receiver] = await Promise.all([startTwilioFake({ numbers: [from], apiKeys: { SK0123456789abcdef0123456789abcdef: 'key-secret-0123456789' } }), startWebhookReceiver()]);
    adapter = createCarrierAdapter('twilio', fake.credentials, { baseUrl: fake.baseUrl, timeoutMs: 3000 }) as TwilioAdapter;
  });
  afterAll(() => Promise.all([fake.stop(), receiver.stop()]));
  afterEach(() => fake.faults.reset());

  it('sends form-encoded with Basic auth; Twilio answers the sid', async () => {
    const result = await adapter.send({ from, to, body: 'Hello from Teams', mediaUrls: ['https://cdn.example.com/a.jpg', 'https://cdn.example.com/b.png'], statusCallbackUrl: `${receiver.baseUrl}/status` });
    expect(result).toEqual({ carrierMessageId: expect.stringMatching(/^MM[0-9a-f]{32}$/), status: 'queued' });
    const sent = fake.messages.at(-1)!;
    expect(sent).toMatchObject({ sid: result.carrierMessageId, from, to, body: 'Hello from Teams', mediaUrls: ['https://cdn.example.com/a.jpg', 'https://cdn.example.com/b.png'], authenticatedAs: 'auth_token' });
    expect(fake.requests.at(-1)!.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('uses the API key when one is configured', async () => {
    const withKey = createCarrierAdapter('twilio', { ...fake.credentials, apiKeySid: 'SK0123456789abcdef0123456789abcdef', apiKeySecret: 'key-secret-0123456789' }, { baseUrl: fake.baseUrl });
    await withKey.send({ from, to, body: 'via key' });
    expect(fake.messages.at(-1)!.authenticatedAs).toBe('api_key');
  });

  it('a wrong Auth Token is refused by the fake: final CarrierError 401 / 20003', async () => {
    const wrong = createCarrierAdapter('twilio', { accountSid: fake.accountSid, authToken: '0'.repeat(32) }, { baseUrl: fake.baseUrl });
    const error = await wrong.send({ from, to, body: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CarrierError);
    expect(error).toMatchObject({ retryable: false, status: 401, code: '20003', reason: 'unauthorized' });
  });

  it('429 with Retry-After is retryable after that delay; 503 is retryable', async () => {
    fake.faults.throttle(1, 7);
    await expect(adapter.send({ from, to, body: 'x' })).rejects.toMatchObject({ retryable: true, status: 429, code: '20429', retryAfterMs: 7000, reason: 'rate_limited' });
    fake.faults.fail(1, 503);
    await expect(adapter.send({ from, to, body: 'x' })).rejects.toMatchObject({ retryable: true, status: 503, reason: 'unavailable' });
    await expect(adapter.send({ from, to, body: 'back' })).resolves.toMatchObject({ status: 'queued' });
  });

  it("Twilio's refusals are final and classified: 21610 unsubscribed, 21606 not our number", async () => {
    fake.optOut('+14155550199');
    await expect(adapter.send({ from, to: '+14155550199', body: 'x' })).rejects.toMatchObject({ retryable: false, status: 400, code: '21610', reason: 'opted_out' });
    fake.optIn('+14155550199');
    await expect(adapter.send({ from: '+14155550111', to, body: 'x' })).rejects.toMatchObject({ retryable: false, code: '21606' });
  });

  it('refuses non-E.164 numbers and empty messages before calling Twilio', async () => {
    const before = fake.requests.length;
    await expect(adapter.send({ from, to: '415 555 0123', body: 'x' })).rejects.toMatchObject({ retryable: false, reason: 'invalid_number' });
    await expect(adapter.send({ from, to, body: '' })).rejects.toMatchObject({ retryable: false, reason: 'invalid_request' });
    expect(fake.requests.length).toBe(before);
  });

  it('an unreachable API is a retryable network error', async () => {
    const down = createCarrierAdapter('twilio', fake.credentials, { baseUrl: 'http://127.0.0.1:1', timeoutMs: 2000 });
    await expect(down.send({ from, to, body: 'x' })).rejects.toMatchObject({ retryable: true, reason: 'network' });
  });

  it('an API that does not answer in time is a retryable timeout', async () => {
    const held: ServerResponse[] = [];
    const stalled = await startLoopbackServer((_req, _body, res) => {
      held.push(res); // never answered
    });
    try {
      const adapter = createCarrierAdapter('twilio', fake.credentials, { baseUrl: stalled.baseUrl, timeoutMs: 200 });
      await expect(adapter.send({ from, to, body: 'x' })).rejects.toMatchObject({ retryable: true, reason: 'timeout', message: expect.stringContaining('did not answer within 200 ms') });
    } finally {
      for (const res of held) res.destroy();
      await stalled.stop();
    }
  });

  it('an inbound MMS delivered over HTTP verifies and parses (media, E.164)', async () => {
    const reply = await fake.deliver(fake.inboundWebhook(`${receiver.baseUrl}/webhooks/twilio/conn-1?tenant=contoso`, { from: to, to: from, body: 'Photo of the damage', media: [{ url: 'https://api.twilio.com/media/ME1', contentType: 'image/jpeg' }, { url: 'https://api.twilio.com/media/ME2', contentType: 'image/png' }] }));
    expect(reply.status).toBe(200);
    const received = receiver.received.at(-1)!;
    expect(() => adapter.verifyWebhook(received)).not.toThrow();
    const [event] = adapter.parseWebhook(received);
    expect(event).toEqual({
      kind: 'inbound',
      message: {
        carrierMessageId: expect.stringMatching(/^MM/),
        from: to,
        to: from,
        body: 'Photo of the damage',
        media: [{ url: 'https://api.twilio.com/media/ME1', contentType: 'image/jpeg' }, { url: 'https://api.twilio.com/media/ME2', contentType: 'image/png' }],
        receivedAt: expect.any(String),
      },
    });
    expect(webhookAnswer('twilio', [event!])).toMatchObject({ status: 200, contentType: 'text/xml', body: expect.stringContaining('<Response></Response>') });
  });

  it('status callbacks go to the StatusCallback and parse with their error code', async () => {
    const { carrierMessageId } = await adapter.send({ from, to, body: 'status me', statusCallbackUrl: `${receiver.baseUrl}/status` });
    await fake.sendStatus(carrierMessageId, 'undelivered', '30003');
    const received = receiver.received.at(-1)!;
    adapter.verifyWebhook(received);
    expect(adapter.parseWebhook(received)).toEqual([{ kind: 'status', update: { carrierMessageId, status: 'undelivered', errorCode: '30003', at: expect.any(String) } }]);
    const delivered = fake.statusWebhook('https://sb.example.com/status', { messageSid: carrierMessageId, status: 'delivered' });
    expect(adapter.parseWebhook(delivered)[0]).toMatchObject({ kind: 'status', update: { status: 'delivered' } });
  });

  describe('refuses', () => {
    const url = 'https://switchboard.example.com/api/webhooks/twilio/conn-1';
    let genuine: WebhookRequest;
    beforeAll(() => {
      genuine = fake.inboundWebhook(url, { from: to, to: from, body: 'hi' });
    });
    const expectRefused = (request: WebhookRequest, status: 401 | 403, reason: string) => {
      const error = (() => {
        try {
          adapter.verifyWebhook(request);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(WebhookAuthError);
      expect(error).toMatchObject({ status, reason });
    };

    it('nothing genuine', () => expect(() => adapter.verifyWebhook(genuine)).not.toThrow());
    it('a missing signature (401)', () => expectRefused({ ...genuine, headers: { ...genuine.headers, 'x-twilio-signature': undefined } }, 401, 'unsigned'));
    it('a forged signature (403)', () => expectRefused({ ...genuine, headers: { ...genuine.headers, 'x-twilio-signature': twilioSignature('f'.repeat(32), url, new URLSearchParams(genuine.rawBody.toString())) } }, 403, 'bad_signature'));
    it('a tampered body', () => expectRefused({ ...genuine, rawBody: Buffer.from(genuine.rawBody.toString().replace('Body=hi', 'Body=pay+now')) }, 403, 'bad_signature'));
    it('another URL (e.g. a wrong PUBLIC_BASE_URL)', () => expectRefused({ ...genuine, url: 'https://other.example.com/api/webhooks/twilio/conn-1' }, 403, 'bad_signature'));
    it('another account token', () => {
      const other = createCarrierAdapter('twilio', { accountSid: fake.accountSid, authToken: 'a'.repeat(32) }, { baseUrl: fake.baseUrl });
      expect(() => other.verifyWebhook(genuine)).toThrow(WebhookAuthError);
    });
  });
});
