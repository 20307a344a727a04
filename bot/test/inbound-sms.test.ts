import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { CarrierReferences, type SmsMessage, type WebhookRequest } from '@switchboard/shared';
import { signSimulatorWebhook, startAcsFake, startTelnyxFake, startTwilioFake, type AcsFake, type TelnyxFake, type TwilioFake } from '@switchboard/shared/simulators';
import { makeUser } from '../../shared/test/users';
import { makeMessage } from '../../shared/test/messages';
import { testConnectionString, uniqueTablePrefix } from '../../shared/test/storage';
import { loadConfig } from '../src/config';
import { startRuntime, type Runtime } from '../src/runtime';
import { devTokens } from './support/dev-sign-in';
import { call, expectError } from './support/http';
import { stopAll } from './support/runtime';

/**
 * Carrier connections over the admin API (secrets write-only) and carrier webhooks
 * delivered by the carrier fakes to the running server: verified against the public
 * URL and the exact bytes, stored once, routed by the `to` number.
 */
const IDENTITIES = ['provider-admin', 'contoso-global-admin', 'contoso-admin', 'contoso-user', 'fabrikam-global-admin'] as const;
const PUBLIC = 'https://switchboard.example.test';

describe('carrier connections and inbound SMS', () => {
  let runtime: Runtime;
  let url: string;
  let tokens: Record<(typeof IDENTITIES)[number], string>;
  let twilio: TwilioFake;
  let telnyx: TelnyxFake;
  let acs: AcsFake;
  const simulatorCredentials = { apiKey: `sim-${randomBytes(12).toString('hex')}`, signingSecret: randomBytes(24).toString('hex') };
  const logLines: string[] = [];
  const connections: Record<string, { id: string; webhookUrl: string }> = {};

  beforeAll(async () => {
    [twilio, telnyx, acs] = await Promise.all([startTwilioFake(), startTelnyxFake(), startAcsFake()]);
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      STORAGE_CONNECTION_STRING: testConnectionString(),
      AUTH_MODE: 'dev',
      DIRECTORY_SYNC_SCHEDULE: 'off',
      PUBLIC_BASE_URL: PUBLIC,
      CREDENTIALS_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    });
    runtime = await startRuntime(config, { tablePrefix: uniqueTablePrefix(), logger: pino({ level: 'trace' }, logStream) });
    url = runtime.url;
    tokens = await devTokens(url, IDENTITIES);
    await runtime.services.userRepository.createMany([
      makeUser({ enterpriseId: 'contoso', id: 'jane', displayName: 'Jane Doe' }),
      makeUser({ enterpriseId: 'contoso', id: 'olga', displayName: 'Olga Owner' }),
      makeUser({ enterpriseId: 'contoso', id: 'mike', displayName: 'Mike Member' }),
    ]);
    const range = await call(`${url}/api/admin/enterprises/contoso/numbers/range`, { token: tokens['contoso-global-admin'], body: { from: '+14155550800', to: '+14155550809' } });
    expect(range.status).toBe(200);
  });
  afterAll(async () => {
    await stopAll(runtime);
    await Promise.all([twilio?.stop(), telnyx?.stop(), acs?.stop()]);
  });

  const admin = () => tokens['contoso-global-admin'];
  const connectionsUrl = (enterprise = 'contoso') => `${url}/api/admin/enterprises/${enterprise}/carrier-connections`;
  const secrets = () => [twilio.authToken, telnyx.apiKey, acs.accessKey, acs.webhookSecret, simulatorCredentials.apiKey, simulatorCredentials.signingSecret];
  const expectNoSecrets = (text: string) => {
    for (const secret of secrets()) expect(text).not.toContain(secret);
  };

  /** POSTs the request (signed for the public URL) to the local server: the Host header differs from the signed URL. */
  async function deliver(request: WebhookRequest): Promise<{ status: number; body: string; contentType: string | null }> {
    expect(request.url.startsWith(PUBLIC)).toBe(true);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const response = await fetch(url + request.url.slice(PUBLIC.length), { method: 'POST', headers, body: request.rawBody });
    return { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') };
  }

  const storedMessages = async (enterprise = 'contoso') => {
    const all: SmsMessage[] = [];
    for await (const stored of runtime.services.inboundSms.messages.listAll(enterprise)) all.push(stored.value);
    return all;
  };
  const messageOf = async (connectionId: string, carrierMessageId: string) => (await runtime.services.inboundSms.messages.get('contoso', `${connectionId}:${carrierMessageId}`))?.value;

  describe('connections API', () => {
    it('creates one connection per carrier; answers, activity and logs never contain a secret', async () => {
      const inputs = [
        { type: 'twilio', name: 'Twilio main', credentials: twilio.credentials },
        { type: 'telnyx', name: 'Telnyx', credentials: telnyx.credentials },
        { type: 'acs', name: 'ACS', credentials: acs.credentials },
        { type: 'simulator', name: 'Simulator', credentials: simulatorCredentials },
      ];
      for (const input of inputs) {
        const answer = await call(connectionsUrl(), { token: admin(), body: input });
        expect(answer.status).toBe(201);
        expect(answer.body).toMatchObject({ type: input.type, name: input.name, enterpriseId: 'contoso', etag: expect.stringMatching(/^W\//) });
        expect(answer.body.webhookUrl).toBe(`${PUBLIC}/api/sms/${input.type}/${answer.body.id}`);
        expectNoSecrets(answer.text);
        connections[input.type] = { id: answer.body.id, webhookUrl: answer.body.webhookUrl };
      }
      const twilioView = await call(`${connectionsUrl()}/${connections.twilio!.id}`, { token: admin() });
      expect(twilioView.body.credentials).toEqual({ accountSid: twilio.accountSid, authToken: '••••••••' });
      const list = await call(connectionsUrl(), { token: admin() });
      expect(list.body.items.map((c: { name: string }) => c.name)).toEqual(['ACS', 'Simulator', 'Telnyx', 'Twilio main']);
      expectNoSecrets(list.text);
      const feed = await call(`${url}/api/admin/enterprises/contoso/activity?pageSize=20`, { token: admin() });
      expect(feed.body.items.filter((e: { action: string }) => e.action === 'carrierConnection.created')).toHaveLength(4);
      expectNoSecrets(feed.text);
      // Stored sealed, not in clear.
      const stored = await runtime.services.carrierConnections.repository.get('contoso', connections.simulator!.id);
      expect(stored!.value.sealedCredentials).toMatch(/^v1:k1:/);
      expectNoSecrets(JSON.stringify(stored));
    });

    it('refuses bad credentials naming the fields', async () => {
      const error = expectError(await call(connectionsUrl(), { token: admin(), body: { type: 'twilio', name: 'Bad', credentials: { accountSid: 'nope' } } }), 400, 'validation_failed');
      expect(error.details!.map((d) => d.path)).toEqual(expect.arrayContaining(['credentials.accountSid', 'credentials.authToken']));
    });

    it('updates with If-Match: renames keeping credentials, replaces credentials when given', async () => {
      const current = await call(`${connectionsUrl()}/${connections.simulator!.id}`, { token: admin() });
      expectError(await call(`${connectionsUrl()}/${connections.simulator!.id}`, { method: 'PATCH', token: admin(), body: { name: 'x' } }), 428, 'precondition_required');
      const renamed = await call(`${connectionsUrl()}/${connections.simulator!.id}`, { method: 'PATCH', token: admin(), body: { name: 'Simulator (dev)' }, headers: { 'if-match': current.body.etag } });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ name: 'Simulator (dev)', credentials: { apiKey: '••••••••', signingSecret: '••••••••' } });
      expectError(await call(`${connectionsUrl()}/${connections.simulator!.id}`, { method: 'PATCH', token: admin(), body: { name: 'late' }, headers: { 'if-match': current.body.etag } }), 409, 'conflict');
      const replaced = await call(`${connectionsUrl()}/${connections.simulator!.id}`, { method: 'PATCH', token: admin(), body: { credentials: { ...simulatorCredentials } }, headers: { 'if-match': renamed.body.etag } });
      expect(replaced.status).toBe(200);
      expect(replaced.body.name).toBe('Simulator (dev)');
      const badReplace = expectError(await call(`${connectionsUrl()}/${connections.simulator!.id}`, { method: 'PATCH', token: admin(), body: { credentials: { apiKey: 'x' } }, headers: { 'if-match': replaced.body.etag } }), 400, 'validation_failed');
      expect(badReplace.details!.map((d) => d.path)).toContain('credentials.signingSecret');
      const resolved = await runtime.services.carrierConnections.resolve(connections.simulator!.id);
      expect(resolved!.credentials).toEqual(simulatorCredentials);
      const feed = await call(`${url}/api/admin/enterprises/contoso/activity?pageSize=5`, { token: admin() });
      expect(feed.body.items[0]).toMatchObject({ action: 'carrierConnection.updated', summary: 'Changed the carrier connection Simulator (dev) (new credentials).' });
      expectNoSecrets(renamed.text + replaced.text + feed.text);
    });

    it('refuses to delete a connection numbers still use, naming them; deletes an unused one', async () => {
      const added = await call(`${url}/api/admin/enterprises/contoso/numbers`, { token: admin(), body: { number: '+14155550899', carrierConnectionId: connections.twilio!.id } });
      expect(added.status).toBe(201);
      const twilioConn = await call(`${connectionsUrl()}/${connections.twilio!.id}`, { token: admin() });
      const refused = expectError(await call(`${connectionsUrl()}/${connections.twilio!.id}`, { method: 'DELETE', token: admin(), headers: { 'if-match': twilioConn.body.etag } }), 409, 'conflict');
      expect(refused.message).toContain('+14155550899');

      const spare = await call(connectionsUrl(), { token: admin(), body: { type: 'simulator', name: 'Spare', credentials: { apiKey: 'spare-api-key', signingSecret: randomBytes(16).toString('hex') } } });
      const deleted = await call(`${connectionsUrl()}/${spare.body.id}`, { method: 'DELETE', token: admin(), headers: { 'if-match': spare.body.etag } });
      expect(deleted.status).toBe(204);
      expectError(await call(`${connectionsUrl()}/${spare.body.id}`, { token: admin() }), 404, 'not_found');
      const event = { id: 'gone-1', type: 'message.received' as const, occurred_at: new Date().toISOString(), data: { id: 'gone-1', from: '+12065550100', to: '+14155550800', text: 'hi' } };
      expect((await deliver(signSimulatorWebhook(spare.body.webhookUrl, event, 'whatever-secret-value'))).status).toBe(404);
    });

    it('keeps other enterprises and roles out', async () => {
      expectError(await call(connectionsUrl(), { token: tokens['contoso-user'] }), 403, 'forbidden');
      expectError(await call(connectionsUrl(), { token: tokens['fabrikam-global-admin'] }), 404, 'not_found');
      expectError(await call(`${connectionsUrl()}/${connections.twilio!.id}`, { token: tokens['fabrikam-global-admin'] }), 404, 'not_found');
      expectError(await call(`${url}/api/admin/enterprises/contoso/messages/unrouted`, { token: tokens['fabrikam-global-admin'] }), 404, 'not_found');
      expectError(await call(`${url}/api/admin/enterprises/contoso/messages/unrouted`, { token: tokens['contoso-user'] }), 403, 'forbidden');
      expect((await call(connectionsUrl(), { token: tokens['contoso-admin'] })).status).toBe(200);
      expect((await call(connectionsUrl(), { token: tokens['provider-admin'] })).status).toBe(200);
      expectError(await call(connectionsUrl('fabrikam'), { token: tokens['provider-admin'] }), 403, 'forbidden');
      expectError(await call(connectionsUrl(), { token: tokens['contoso-user'], body: { type: 'simulator', name: 'x', credentials: simulatorCredentials } }), 403, 'forbidden');
    });
  });

  describe('webhooks', () => {
    it('stores a genuine Twilio message exactly once when delivered twice, answering TwiML', async () => {
      const request = twilio.inboundWebhook(connections.twilio!.webhookUrl, { from: '+12065550100', to: '+14155550800', body: 'Hello from Twilio' });
      const first = await deliver(request);
      expect(first).toMatchObject({ status: 200, contentType: expect.stringContaining('text/xml') });
      expect(first.body).toContain('<Response>');
      expect((await deliver(request)).status).toBe(200);
      await runtime.services.inboundSms.settleAll();
      const sid = new URLSearchParams(request.rawBody.toString('utf8')).get('MessageSid')!;
      const stored = (await storedMessages()).filter((m) => m.carrierMessageId === sid);
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ direction: 'inbound', connectionId: connections.twilio!.id, from: '+12065550100', to: '+14155550800', body: 'Hello from Twilio' });
    });

    it('stores genuine Telnyx, ACS and simulator messages once each (also when redelivered)', async () => {
      const telnyxRequest = telnyx.inboundWebhook(connections.telnyx!.webhookUrl, { from: '+12065550101', to: '+14155550801', text: 'Hello from Telnyx' });
      const acsEvent = acs.smsReceivedEvent({ from: '+12065550102', to: '+14155550802', message: 'Hello from ACS' });
      const acsRequest = acs.eventGridRequest(connections.acs!.webhookUrl, [acsEvent]);
      const simEvent = { id: 'evt-sim-1', type: 'message.received' as const, occurred_at: new Date().toISOString(), data: { id: 'sim-msg-1', from: '+12065550103', to: '+14155550803', text: 'Hello from the simulator' } };
      const simRequest = signSimulatorWebhook(connections.simulator!.webhookUrl, simEvent, simulatorCredentials.signingSecret);
      for (const request of [telnyxRequest, acsRequest, simRequest]) {
        expect((await deliver(request)).status).toBe(200);
        expect((await deliver(request)).status).toBe(200);
      }
      await runtime.services.inboundSms.settleAll();
      const all = await storedMessages();
      const telnyxId = (JSON.parse(telnyxRequest.rawBody.toString('utf8')) as { data: { payload: { id: string } } }).data.payload.id;
      expect(all.filter((m) => m.connectionId === connections.telnyx!.id && m.carrierMessageId === telnyxId)).toHaveLength(1);
      expect(all.filter((m) => m.connectionId === connections.acs!.id && m.carrierMessageId === acsEvent.data.messageId)).toHaveLength(1);
      expect(all.filter((m) => m.connectionId === connections.simulator!.id && m.carrierMessageId === 'sim-msg-1')).toHaveLength(1);
      expect(all.find((m) => m.carrierMessageId === 'sim-msg-1')).toMatchObject({ body: 'Hello from the simulator', to: '+14155550803' });
    });

    it('answers the Event Grid validation handshake after verifying the secret', async () => {
      const answer = await deliver(acs.eventGridRequest(connections.acs!.webhookUrl, [acs.validationEvent('handshake-code')]));
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ validationResponse: 'handshake-code' });
      const forged = acs.eventGridRequest(connections.acs!.webhookUrl, [acs.validationEvent('nope')]);
      const answerForged = await deliver({ ...forged, headers: { ...forged.headers, 'x-switchboard-secret': 'wrong-secret-wrong-secret-wrong' } });
      expect(answerForged.status).toBe(403);
    });

    it('refuses forged, stale, unsigned and wrong-URL webhooks and stores nothing', async () => {
      const before = (await storedMessages()).length;
      const twilioRequest = twilio.inboundWebhook(connections.twilio!.webhookUrl, { from: '+12065550110', to: '+14155550800', body: 'forged' });
      const tampered = { ...twilioRequest, rawBody: Buffer.from(twilioRequest.rawBody.toString('utf8').replace('forged', 'changed')) };
      expect((await deliver(tampered)).status).toBe(403);
      const { 'x-twilio-signature': _dropped, ...unsignedHeaders } = twilioRequest.headers as Record<string, string>;
      expect((await deliver({ ...twilioRequest, headers: unsignedHeaders })).status).toBe(401);
      // Signed for another URL (e.g. the Host the request came in on): refused.
      const otherUrl = twilio.inboundWebhook(`${PUBLIC}/api/sms/twilio/${connections.twilio!.id}?x=1`, { from: '+12065550110', to: '+14155550800', body: 'x' });
      expect((await deliver({ ...otherUrl, url: connections.twilio!.webhookUrl })).status).toBe(403);

      const stale = telnyx.inboundWebhook(connections.telnyx!.webhookUrl, { from: '+12065550111', to: '+14155550801', text: 'old', signedAt: new Date(Date.now() - 15 * 60_000) });
      expect((await deliver(stale)).status).toBe(403);
      const simEvent = { id: 'evt-forged', type: 'message.received' as const, occurred_at: new Date().toISOString(), data: { id: 'sim-forged', from: '+12065550112', to: '+14155550803', text: 'x' } };
      expect((await deliver(signSimulatorWebhook(connections.simulator!.webhookUrl, simEvent, 'not-the-signing-secret'))).status).toBe(403);
      expect((await deliver(signSimulatorWebhook(connections.simulator!.webhookUrl, simEvent, simulatorCredentials.signingSecret, new Date(Date.now() - 3_600_000)))).status).toBe(403);
      const acsForged = acs.eventGridRequest(connections.acs!.webhookUrl, [acs.smsReceivedEvent({ from: '+12065550113', to: '+14155550802', message: 'x' })]);
      const { 'x-switchboard-secret': _secret, ...acsUnsigned } = acsForged.headers as Record<string, string>;
      expect((await deliver({ ...acsForged, headers: acsUnsigned })).status).toBe(401);
      // The right signature for a connection of another type, or an unknown connection: 404.
      expect((await deliver(twilio.inboundWebhook(`${PUBLIC}/api/sms/telnyx/${connections.twilio!.id}`, { from: '+12065550110', to: '+14155550800' }))).status).toBe(404);
      expect((await deliver(twilio.inboundWebhook(`${PUBLIC}/api/sms/twilio/ccunknown`, { from: '+12065550110', to: '+14155550800' }))).status).toBe(404);

      await runtime.services.inboundSms.settleAll();
      expect((await storedMessages()).length).toBe(before);
    });

    it('applies status callbacks to stored outbound messages and ignores unknown ones', async () => {
      const now = new Date().toISOString();
      // As the worker leaves a sent message: our id, the carrier's id, and the reference row (Twilio reports carry only the carrier's id).
      await runtime.services.messages.create(
        makeMessage('contoso', 'outbound', '+14155550800', '+12065550100', 'out', now, { id: 'out-status-1', connectionId: connections.twilio!.id, carrierType: 'twilio', carrierMessageId: 'SMout1' }),
      );
      await new CarrierReferences(runtime.services.store).remember('contoso', connections.twilio!.id, 'SMout1', 'out-status-1');
      const delivered = twilio.statusWebhook(connections.twilio!.webhookUrl, { messageSid: 'SMout1', status: 'delivered' });
      expect((await deliver(delivered)).status).toBe(200);
      expect((await deliver(delivered)).status).toBe(200);
      const updated = (await runtime.services.messages.get('contoso', 'out-status-1'))?.value;
      expect(updated?.status).toBe('delivered');
      expect(updated?.statusHistory.map((change) => change.status)).toEqual(['sent', 'delivered']);
      const before = (await storedMessages()).length;
      expect((await deliver(twilio.statusWebhook(connections.twilio!.webhookUrl, { messageSid: 'SMunknown', status: 'delivered' }))).status).toBe(200);
      expect((await storedMessages()).length).toBe(before);
    });
  });

  describe('routing', () => {
    it('routes to the user holding the number, to an SMS group, or lists it as unrouted', async () => {
      const number = await runtime.services.numberRepository.require('contoso', '+14155550805');
      // As the SMS assignments do: the write, then this process's number cache (which routing reads).
      runtime.services.numberCache.apply('contoso', [await runtime.services.numberRepository.update(number, { ...number.value, holder: { type: 'user', id: 'jane', name: 'Jane Doe' } })]);
      const group = await call(`${url}/api/admin/enterprises/contoso/sms-groups`, { token: admin(), body: { name: 'Dispatch', number: '+14155550806', ownerIds: ['olga'], memberIds: ['olga', 'mike'] } });
      expect(group.status).toBe(201);

      const send = (to: string, id: string, text: string) =>
        deliver(signSimulatorWebhook(connections.simulator!.webhookUrl, { id: `evt-${id}`, type: 'message.received', occurred_at: new Date().toISOString(), data: { id, from: '+12065550120', to, text } }, simulatorCredentials.signingSecret));
      expect((await send('+14155550805', 'r-user', 'for Jane')).status).toBe(200);
      expect((await send('+14155550806', 'r-group', 'for Dispatch')).status).toBe(200);
      expect((await send('+14155550807', 'r-none-1', 'for nobody')).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect((await send('+19995550000', 'r-none-2', 'not even ours')).status).toBe(200);
      await runtime.services.inboundSms.settleAll();

      expect(await messageOf(connections.simulator!.id, 'r-user')).toMatchObject({ status: 'routed', holder: { type: 'user', id: 'jane' }, recipients: ['jane'] });
      expect(await messageOf(connections.simulator!.id, 'r-group')).toMatchObject({ status: 'routed', holder: { type: 'group', id: group.body.id }, recipients: ['olga', 'mike'] });
      expect(await messageOf(connections.simulator!.id, 'r-none-1')).toMatchObject({ status: 'unrouted', holder: null, recipients: [] });

      const unrouted = await call(`${url}/api/admin/enterprises/contoso/messages/unrouted?pageSize=2`, { token: tokens['contoso-admin'] });
      expect(unrouted.status).toBe(200);
      expect(unrouted.body.items.map((m: { id: string }) => m.id).slice(0, 2)).toEqual([`${connections.simulator!.id}:r-none-2`, `${connections.simulator!.id}:r-none-1`]);
      expect(unrouted.body.items[1]).toMatchObject({ from: '+12065550120', to: '+14155550807', body: 'for nobody', connectionId: connections.simulator!.id });
      // Earlier unrouted messages (to numbers nobody held) are on the next pages, never dropped.
      const ids: string[] = [];
      let token: string | undefined;
      do {
        const page = await call(`${url}/api/admin/enterprises/contoso/messages/unrouted?pageSize=2${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`, { token: admin() });
        ids.push(...page.body.items.map((m: { id: string }) => m.id));
        token = page.body.continuationToken;
      } while (token);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toContain(`${connections.twilio!.id}:${(await storedMessages()).find((m) => m.body === 'Hello from Twilio')!.carrierMessageId}`);
      expect((await call(`${url}/api/admin/enterprises/fabrikam/messages/unrouted`, { token: tokens['fabrikam-global-admin'] })).body.items).toEqual([]);
    });

    it('never logged a secret', () => {
      expect(logLines.length).toBeGreaterThan(0);
      expectNoSecrets(logLines.join('\n'));
    });
  });
});
