import { randomBytes } from 'node:crypto';
import { MessageRepository, NumberRepository, TableStore } from '@switchboard/shared';
import { startCarrierSimulator, type CarrierSimulator } from '@switchboard/shared/simulators';
import { testConnectionString, uniqueTablePrefix } from '../../shared/test/storage';
import { devTokens } from './support/dev-sign-in';
import { call } from './support/http';
import { ServerProcess } from './support/server-process';

/**
 * Two server processes (the built server, as deployed) share one storage account and
 * both run outbound workers. Messages queued through one of them are sent by whichever
 * worker gets them, and each exactly once, even with items reappearing mid-send.
 */
const UMA = 'cccccccc-0000-4000-8000-000000000003';
const FROM = '+14255550801';
const COUNT = 60;

describe('outbound workers in two processes', () => {
  let simulator: CarrierSimulator;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    simulator = await startCarrierSimulator({ stepDelayMs: 0 });
  });
  afterAll(async () => {
    await Promise.all(servers.map(async (server) => (server.running ? (server.child.kill('SIGTERM'), server.exit(20_000)) : undefined)));
    await simulator?.stop();
  });

  it('sends every message once', async () => {
    const env = {
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      AUTH_MODE: 'dev',
      LOG_LEVEL: 'warn',
      STORAGE_CONNECTION_STRING: testConnectionString(),
      STORAGE_TABLE_PREFIX: uniqueTablePrefix(),
      CREDENTIALS_KEYS: `shared:${randomBytes(32).toString('base64')}`,
      DIRECTORY_SYNC_SCHEDULE: 'off',
      SIMULATOR_CARRIER_URL: simulator.baseUrl,
    };
    const store = new TableStore(env.STORAGE_CONNECTION_STRING, { tablePrefix: env.STORAGE_TABLE_PREFIX });
    const numbers = new NumberRepository(store);
    const messages = new MessageRepository(store);
    const first = ServerProcess.start(env);
    servers.push(first);
    const firstUrl = await first.url();
    // The second starts once the first has made the tables and seeded the dev enterprises.
    const second = ServerProcess.start(env);
    servers.push(second);
    const secondUrl = await second.url();

    const tokens = await devTokens(firstUrl, ['contoso-global-admin', 'contoso-user']);
    // Each process signs its own dev tokens.
    const secondUser = (await devTokens(secondUrl, ['contoso-user']))['contoso-user'];
    const credentials = { apiKey: `sim-${randomBytes(8).toString('hex')}`, signingSecret: randomBytes(16).toString('hex') };
    simulator.addAccount(credentials);
    const connection = await call(`${firstUrl}/api/admin/enterprises/contoso/carrier-connections`, { token: tokens['contoso-global-admin'], body: { type: 'simulator', name: 'Simulator', credentials } });
    expect(connection.status).toBe(201);
    const added = await call(`${firstUrl}/api/admin/enterprises/contoso/numbers`, { token: tokens['contoso-global-admin'], body: { number: FROM, carrierConnectionId: connection.body.id } });
    expect(added.status).toBe(201);
    // Give the number to Uma (the assignment rules have their own tests), then set its pace through the first
    // server: a server reads a number's row at most every few seconds (NumberCache.row), and this way both
    // servers' first look at it already sees Uma.
    const stored = (await numbers.get('contoso', FROM))!;
    const assigned = await numbers.update(stored, { ...stored.value, holder: { type: 'user', id: UMA, name: 'Uma User' } });
    const config = await call(`${firstUrl}/api/admin/enterprises/contoso/numbers/${encodeURIComponent(FROM)}`, {
      method: 'PATCH',
      token: tokens['contoso-global-admin'],
      headers: { 'if-match': assigned.etag },
      body: { segmentsPerSecond: 200 },
    });
    expect(config.status).toBe(200);
    expect(config.body.holder).toMatchObject({ id: UMA });

    // Half the sends through each server; both workers take from the one queue.
    const ids: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const [base, token] = i % 2 ? [secondUrl, secondUser] : [firstUrl, tokens['contoso-user']];
      const answer = await call(`${base}/api/admin/enterprises/contoso/messages`, { token, body: { from: FROM, to: '+12065550150', body: `message ${i}` } });
      expect(answer.status).toBe(202);
      ids.push(answer.body.id);
    }
    await waitFor(async () => (ids.every((id) => simulator.messages.some((m) => m.client_reference === id)) ? true : undefined));
    // Let any second attempt that would have happened happen.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const id of ids) expect(simulator.messages.filter((m) => m.client_reference === id)).toHaveLength(1);
    const workers = new Set<string>();
    for (const id of ids) {
      const message = (await messages.get('contoso', id))!.value;
      expect(['sent', 'delivered']).toContain(message.status);
      expect(message.attempts).toBe(1);
      workers.add(message.claimedBy ?? 'none');
    }
    // Both processes' workers did part of the sending.
    expect(workers.size).toBe(2);
    expect(workers.has('none')).toBe(false);
  });
});

async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('Timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
