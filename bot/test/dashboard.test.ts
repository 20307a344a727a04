import { lastDays, MessageStats, MESSAGE_STATS_TABLE, SyncStateRepository, zeroCounts, type SmsMessage } from '@switchboard/shared';
import { makeMessage } from '../../shared/test/messages';
import { makeUser } from '../../shared/test/users';
import type { Runtime } from '../src/runtime';
import { devTokens } from './support/dev-sign-in';
import { call, expectError } from './support/http';
import { startTestRuntime, stopAll } from './support/runtime';

/**
 * The Dashboard API against the real server and Azurite: tasks come from what is
 * stored (sync state, users, unrouted list, dead letters), messages per day from the
 * counters the messaging listeners feed, carrier health from the traffic seen.
 */
const IDENTITIES = ['provider-admin', 'contoso-global-admin', 'contoso-user', 'fabrikam-global-admin'] as const;

describe('dashboard API', () => {
  let runtime: Runtime;
  let url: string;
  let tokens: Record<(typeof IDENTITIES)[number], string>;
  let connectionId: string;

  beforeAll(async () => {
    runtime = await startTestRuntime();
    url = runtime.url;
    tokens = await devTokens(url, IDENTITIES);
    await runtime.services.userRepository.createMany([
      makeUser({ enterpriseId: 'contoso', id: 'dash-unlicensed', displayName: 'Una Licensed', teamsLicensed: false, sms: { enabled: true, numbers: ['+14155550990'] } }),
      makeUser({ enterpriseId: 'contoso', id: 'dash-licensed', displayName: 'Lee Licensed', sms: { enabled: true, numbers: ['+14155550991'] } }),
      makeUser({ enterpriseId: 'fabrikam', id: 'dash-fabrikam', displayName: 'Fay Fabrikam', teamsLicensed: false, sms: { enabled: true, numbers: ['+14155550990'] } }),
    ]);
    const created = await call(`${url}/api/admin/enterprises/contoso/carrier-connections`, {
      token: tokens['contoso-global-admin'],
      body: { type: 'simulator', name: 'Dashboard sim', credentials: { apiKey: 'dash-key', signingSecret: 'dash-signing-secret-0123456789' } },
    });
    expect(created.status).toBe(201);
    connectionId = created.body.id;
    const range = await call(`${url}/api/admin/enterprises/contoso/numbers/range`, { token: tokens['contoso-global-admin'], body: { from: '+14155550900', to: '+14155550904', carrierConnectionId: connectionId } });
    expect(range.status).toBe(200);
  });
  afterAll(async () => {
    await stopAll(runtime);
  });

  const dashboard = (query = '', token = tokens['contoso-global-admin'], enterprise = 'contoso') => call(`${url}/api/admin/enterprises/${enterprise}/dashboard${query}`, { token });
  const today = () => lastDays(1)[0]!;

  it('answers the quiet state: only the unlicensed SMS user needs attention, 14 empty days, the connection idle', async () => {
    const answer = await dashboard();
    expect(answer.status).toBe(200);
    expect(answer.body.tasks).toEqual([
      expect.objectContaining({ kind: 'unlicensed-sms-users', severity: 'warning', count: 1, page: 'users', filter: { license: 'without', services: 'sms-enabled' }, title: '1 user has SMS on but no Teams licence' }),
    ]);
    expect(answer.body.attentionCount).toBe(1);
    expect(answer.body.messagesPerDay).toHaveLength(14);
    expect(answer.body.messagesPerDay[13]).toEqual({ day: today(), inbound: 0, outbound: 0 });
    expect(answer.body.carriers).toEqual([expect.objectContaining({ id: connectionId, name: 'Dashboard sim', type: 'simulator', numbers: 5, status: 'idle', lastFailureAt: null })]);
    expect(answer.body.numbers).toEqual({ total: 5, unassigned: 5 });
    expect(answer.body.queue).toMatchObject({ inFlight: 0, deadLetters: 0, oldestInFlightAt: null });
    expect(answer.body.queue.outboundDepth).toBeUndefined();
    expect((await dashboard('?days=30')).body.messagesPerDay).toHaveLength(30);
    const bad = expectError(await dashboard('?days=7'), 400, 'validation_failed');
    expect(bad.details).toEqual([expect.objectContaining({ path: 'days', message: 'Show 14 or 30 days.' })]);
  });

  it('lists a failed sync, unrouted and dead-lettered messages, and counts the traffic per day', async () => {
    const services = runtime.services;
    // A sync that failed, as the sync leaves its state.
    const states = new SyncStateRepository(services.store);
    const finishedAt = new Date().toISOString();
    const failed = { enterpriseId: 'contoso', status: 'failed' as const, processed: 0, counts: zeroCounts(), lastResult: { ...zeroCounts(), runId: 'r1', mode: 'full' as const, trigger: 'schedule' as const, outcome: 'failed' as const, error: 'Graph answered 403: the app lacks User.Read.All.', startedAt: finishedAt, finishedAt, durationMs: 5 } };
    const current = await states.get('contoso', 'state');
    if (current) await states.update(current, failed);
    else await states.create(failed);

    // An inbound text to a number nobody holds, routed by the real router.
    const inbound = makeMessage('contoso', 'inbound', '+14155550901', '+12065550111', 'Is anyone there?', new Date().toISOString(), { status: 'received', connectionId, id: `${connectionId}:dash-in-1` });
    await services.messages.create(inbound);
    await services.inboundSms.route('contoso', inbound.id);
    // An outbound message accepted, then given up after its last attempt.
    const outbound: SmsMessage = makeMessage('contoso', 'outbound', '+14155550902', '+12065550112', 'On our way', new Date().toISOString(), { status: 'queued', connectionId, id: 'out-dash-1' });
    await services.outboundSms.runStoredListeners(outbound);
    const given = { ...outbound, status: 'failed' as const, failureReason: 'The carrier answered 503 six times.', deadLetteredAt: new Date().toISOString(), updatedAt: new Date().toISOString() };
    await services.messages.create(given);
    await services.outboundSms.runChangeListeners(given);
    await services.messageStats.flush();

    const answer = await dashboard();
    expect(answer.status).toBe(200);
    expect(answer.body.tasks.map((task: { kind: string }) => task.kind)).toEqual(['sync-failed', 'dead-letters', 'unlicensed-sms-users', 'unrouted-messages']);
    expect(answer.body.tasks[0].detail).toContain('Graph answered 403');
    expect(answer.body.tasks.find((task: { kind: string }) => task.kind === 'unrouted-messages')).toMatchObject({ count: 1, page: 'numbers', title: '1 message to numbers nobody holds' });
    expect(answer.body.attentionCount).toBe(4);
    expect(answer.body.sync).toMatchObject({ status: 'failed', lastResult: { outcome: 'failed' } });
    expect(answer.body.messagesPerDay.at(-1)).toEqual({ day: today(), inbound: 1, outbound: 1 });
    expect(answer.body.queue).toMatchObject({ deadLetters: 1 });
    expect(answer.body.carriers[0]).toMatchObject({ status: 'failing', lastFailureReason: 'The carrier answered 503 six times.', lastInboundAt: inbound.receivedAt });

    // A later successful send clears the failing state.
    await services.outboundSms.runChangeListeners({ ...outbound, id: 'out-dash-2', status: 'sent', updatedAt: new Date(Date.now() + 1000).toISOString() });
    await services.messageStats.flush();
    expect((await dashboard()).body.carriers[0]).toMatchObject({ status: 'ok' });

    // A user who removed the Teams app, as the Teams side records it.
    await services.teams.installations.markUnreachable('contoso', 'dash-licensed', 'ConversationBlockedByUser');
    expect((await dashboard()).body.tasks.find((task: { kind: string }) => task.kind === 'unreachable-users')).toMatchObject({ count: 1, page: 'users', title: '1 user has blocked or removed the Teams app' });

    // Fabrikam sees none of it.
    const other = await dashboard('', tokens['fabrikam-global-admin'], 'fabrikam');
    expect(other.body.tasks.map((task: { kind: string }) => task.kind)).toEqual(['unlicensed-sms-users']);
    expect(other.body.messagesPerDay.at(-1)).toEqual({ day: today(), inbound: 0, outbound: 0 });
  });

  it('sums the rows of several processes, each writing only its own', async () => {
    const store = runtime.services.store;
    const a = new MessageStats(store, { processId: 'proc-a' });
    const b = new MessageStats(store, { processId: 'proc-b' });
    for (let i = 0; i < 3; i++) a.countInbound({ enterpriseId: 'stats-test', connectionId: 'c1', receivedAt: new Date().toISOString() });
    b.countOutbound({ enterpriseId: 'stats-test' });
    a.countOutbound({ enterpriseId: 'stats-test' });
    await Promise.all([a.stop(), b.stop()]);
    expect((await a.perDay('stats-test', lastDays(2))).at(-1)).toEqual({ day: today(), inbound: 3, outbound: 2 });
    // Each process wrote only its own row for the day.
    const rows = [];
    for await (const row of store.client(MESSAGE_STATS_TABLE).listEntities({ queryOptions: { filter: "PartitionKey eq 'stats-test'" } })) rows.push(row.rowKey);
    expect(rows.sort()).toEqual([`c|c1|proc-a`, `d|${today()}|proc-a`, `d|${today()}|proc-b`]);
  });

  it('is for the enterprise admins only', async () => {
    expectError(await dashboard('', tokens['contoso-user']), 403, 'forbidden');
    expectError(await dashboard('', tokens['fabrikam-global-admin']), 404, 'not_found');
    // The provider sees it (with the deployment's queue depth) once the enterprise allows it.
    const enterprise = await runtime.services.enterpriseRepository.byId('contoso');
    await runtime.services.enterpriseRepository.update(enterprise!, { ...enterprise!.value, settings: { ...enterprise!.value.settings, allowProviderManagement: false } });
    expectError(await dashboard('', tokens['provider-admin']), 403, 'forbidden');
    const allowed = await runtime.services.enterpriseRepository.byId('contoso');
    await runtime.services.enterpriseRepository.update(allowed!, { ...allowed!.value, settings: { ...allowed!.value.settings, allowProviderManagement: true } });
    const provider = await dashboard('', tokens['provider-admin']);
    expect(provider.status).toBe(200);
    expect(provider.body.queue.outboundDepth).toEqual(expect.any(Number));
  });
});
