import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import restify, { type Request, type Response, type Server } from 'restify';
import { createCredentialKeyring, createServices, messageIdOf, TableStore, type Services } from '@switchboard/shared';
import { testConnectionString, uniqueTablePrefix } from '../../shared/test/storage';
import { startDevCarrier, type DevCarrier } from '../src/dev/dev-carrier';
import { mountPhonePage } from '../src/dev/phone-page';
import { seedDevData } from '../src/dev/seed';
import { bodyParsing } from '../src/http/mount';
import { mountSmsWebhooks } from '../src/http/sms-webhooks';
import { MAX_BODY_BYTES } from '../src/server';
import { call, expectError } from './support/http';

/**
 * Dev mode's carrier simulator and customer phone page, on a server with only what they
 * need (body parsing, the carrier webhooks, a catch-all GET like the tab's), mounted
 * after the server listens, as the runtime does once it knows its URL.
 */
const logger = pino({ level: 'silent' });
const CUSTOMER = '+12065550100';

describe('dev carrier and customer phone page', () => {
  let store: TableStore;
  let keyring: ReturnType<typeof createCredentialKeyring>;
  let services: Services;
  let server: Server;
  let url: string;
  let carrier: DevCarrier;
  const others: DevCarrier[] = [];

  beforeAll(async () => {
    store = new TableStore(testConnectionString(), { tablePrefix: uniqueTablePrefix() });
    keyring = createCredentialKeyring('dev', { dev: randomBytes(32) });
    services = await createServices(store, { credentialKeyring: keyring });
    await seedDevData(services);
    server = restify.createServer({ name: 'dev-phone-test', log: logger as never, handleUncaughtExceptions: false });
    server.pre((req: Request, res: Response, next) => {
      res.header('x-request-id', req.getId());
      return next();
    });
    server.use(restify.plugins.queryParser({ mapParams: false }));
    server.use(bodyParsing([], MAX_BODY_BYTES));
    mountSmsWebhooks(server, services);
    server.get('/*', async (_req: Request, res: Response) => {
      res.sendRaw(200, '<!doctype html><title>the tab</title>', { 'content-type': 'text/html' });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    services.carrierConnections.publicBaseUrl = url;
    carrier = await startDevCarrier(services, { publicBaseUrl: url, logger });
    mountPhonePage(server, carrier, services);
  });
  afterAll(async () => {
    await Promise.all([carrier?.stop(), ...others.map((other) => other.stop())]);
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await services?.inboundSms.settleAll();
  });

  const simulatorConnections = async (enterpriseId: string) => {
    const found = [];
    for await (const stored of services.carrierConnections.repository.listAll(enterpriseId)) if (stored.value.type === 'simulator') found.push(stored.value);
    return found;
  };

  it('serves the page as HTML', async () => {
    const page = await call(`${url}/dev/phone`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('<title>Customer phone');
    expect(page.text).toContain('/dev/phone/api/messages');
  });

  it('lists the demo enterprises\' numbers on their Simulator connections', async () => {
    const answer = await call(`${url}/dev/phone/api/numbers`);
    expect(answer.status).toBe(200);
    const items = answer.body.items as Array<{ number: string; enterpriseId: string; enterpriseName: string; display: string; connectionId: string }>;
    const contoso = items.filter((n) => n.enterpriseId === 'contoso');
    const fabrikam = items.filter((n) => n.enterpriseId === 'fabrikam');
    expect(contoso.map((n) => n.number)).toEqual(Array.from({ length: 10 }, (_, i) => `+1425555010${i}`));
    expect(fabrikam.map((n) => n.number)).toEqual(['+16465550150', '+16465550151', '+16465550152', '+16465550153', '+16465550154']);
    expect(contoso[0]).toMatchObject({ enterpriseName: 'Contoso', display: '+1 425 555 0100', connectionId: carrier.connections.find((c) => c.enterpriseId === 'contoso')!.connectionId });
    expect(fabrikam[0]).toMatchObject({ enterpriseName: 'Fabrikam' });
    // In the inventory, on the connection, SMS and MMS.
    const stored = await services.numberRepository.get('contoso', '+14255550104');
    expect(stored?.value).toMatchObject({ carrierConnectionId: contoso[0]!.connectionId, capabilities: { sms: true, mms: true, voice: false }, holder: null });
  });

  it('sends from the phone through the simulator to our webhook, and shows the thread', async () => {
    const to = '+14255550103';
    const sent = await call(`${url}/dev/phone/api/send`, { body: { from: '+1 206 555 0100', to, text: 'Is my order ready?', mediaUrl: '', mediaContentType: '' } });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ status: 'delivered', delivered: true, webhookStatus: 200 });

    await services.inboundSms.settleAll();
    const connectionId = carrier.connections.find((c) => c.enterpriseId === 'contoso')!.connectionId;
    const stored = await services.inboundSms.messages.get('contoso', messageIdOf(connectionId, sent.body.id));
    // Nobody holds the number: the admins' unrouted list.
    expect(stored?.value).toMatchObject({ direction: 'inbound', from: CUSTOMER, to, body: 'Is my order ready?', status: 'unrouted' });

    const mms = await call(`${url}/dev/phone/api/send`, { body: { from: CUSTOMER, to, mediaUrl: 'https://example.com/receipt.png', mediaContentType: 'image/png' } });
    expect(mms.status).toBe(200);

    const thread = await call(`${url}/dev/phone/api/messages?${new URLSearchParams({ phone: CUSTOMER, with: to })}`);
    expect(thread.status).toBe(200);
    expect(thread.body.items).toEqual([
      expect.objectContaining({ id: sent.body.id, mine: true, from: CUSTOMER, to, text: 'Is my order ready?', status: 'delivered', segments: 1, error: null }),
      expect.objectContaining({ id: mms.body.id, mine: true, text: '', media: [{ url: 'https://example.com/receipt.png', content_type: 'image/png' }], status: 'delivered' }),
    ]);
    // Another enterprise number: another conversation.
    const other = await call(`${url}/dev/phone/api/messages?${new URLSearchParams({ phone: CUSTOMER, with: '+16465550150' })}`);
    expect(other.body.items).toEqual([]);
  });

  it('answers bad input with 400 naming the field', async () => {
    const badFrom = expectError(await call(`${url}/dev/phone/api/send`, { body: { from: '12345', to: '+14255550100', text: 'hi' } }), 400, 'validation_failed');
    expect(badFrom.details).toEqual([{ path: 'from', message: expect.stringContaining('12345') }]);

    const notOurs = expectError(await call(`${url}/dev/phone/api/send`, { body: { from: CUSTOMER, to: '+14155550123', text: 'hi' } }), 400, 'validation_failed');
    expect(notOurs.details?.map((d) => d.path)).toEqual(['to']);

    const nothing = expectError(await call(`${url}/dev/phone/api/send`, { body: { from: CUSTOMER, to: '+14255550100', text: ' ' } }), 400, 'validation_failed');
    expect(nothing.details?.map((d) => d.path)).toEqual(['text']);

    const badMedia = expectError(await call(`${url}/dev/phone/api/send`, { body: { from: CUSTOMER, to: '+14255550100', mediaUrl: 'file:///etc/passwd' } }), 400, 'validation_failed');
    expect(badMedia.details?.map((d) => d.path)).toEqual(['mediaUrl']);

    const badQuery = expectError(await call(`${url}/dev/phone/api/messages?phone=not-a-phone&with=%2B14255550100`), 400, 'validation_failed');
    expect(badQuery.details?.map((d) => d.path)).toEqual(['phone']);
  });

  it('finds its connection again after a restart: no duplicates, the same credentials', async () => {
    const before = (await simulatorConnections('contoso')).map((c) => c.id);
    expect(before).toHaveLength(1);

    // A restart: new services on the same storage and key, a new simulator.
    const restarted = await createServices(store, { credentialKeyring: keyring });
    restarted.carrierConnections.publicBaseUrl = url;
    const again = await startDevCarrier(restarted, { publicBaseUrl: url, logger });
    others.push(again);
    expect(again.connections).toEqual(carrier.connections);
    expect(await simulatorConnections('contoso')).toHaveLength(1);
    expect(await simulatorConnections('fabrikam')).toHaveLength(1);
    expect(await again.numbers()).toHaveLength(15);
    // The new simulator signs with the stored secret: our webhook accepts it.
    const result = await again.simulator.sendFromPhone({ from: CUSTOMER, to: '+16465550152', text: 'Hello after a restart' });
    expect(result).toMatchObject({ delivered: true, webhookStatus: 200 });
  });

  it('replaces a connection whose credentials cannot be unsealed (another key), numbers and all', async () => {
    const oldIds = carrier.connections.map((c) => c.connectionId);
    const otherKey = await createServices(store, { credentialKeyring: createCredentialKeyring('other', { other: randomBytes(32) }) });
    otherKey.carrierConnections.publicBaseUrl = url;
    const again = await startDevCarrier(otherKey, { publicBaseUrl: url, logger });
    others.push(again);
    const newIds = again.connections.map((c) => c.connectionId);
    expect(newIds).toHaveLength(2);
    for (const id of newIds) expect(oldIds).not.toContain(id);
    for (const enterpriseId of ['contoso', 'fabrikam']) expect((await simulatorConnections(enterpriseId)).map((c) => c.id)).toEqual([again.connections.find((c) => c.enterpriseId === enterpriseId)!.connectionId]);
    // The numbers moved to the new connections; the new key unseals their credentials.
    expect((await again.numbers()).map((n) => n.connectionId).sort()).toEqual([...Array(10).fill(newIds[0]), ...Array(5).fill(newIds[1])].sort());
    expect((await otherKey.carrierConnections.resolve(newIds[0]!))?.connection.type).toBe('simulator');
  });
});
