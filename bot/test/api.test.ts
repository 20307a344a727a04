import { randomUUID } from 'node:crypto';
import { startFaultProxy, type FaultProxy } from '../../shared/test/fault-proxy';
import { DEV_TENANTS } from '../src/dev/dev-sign-in';
import type { Runtime } from '../src/runtime';
import { MAX_BODY_BYTES } from '../src/server';
import { devTokens } from './support/dev-sign-in';
import { call, expectError } from './support/http';
import { connectionStringVia, startTestRuntime, stopAll, testTableEndpoint } from './support/runtime';

/**
 * The admin API over HTTP in dev sign-in mode (seeded with Contoso and Fabrikam):
 * validation, error shapes, optimistic concurrency, the activity feed, unexpected
 * failures and health.
 */
const IDENTITIES = ['provider-admin', 'contoso-global-admin', 'contoso-admin', 'contoso-user', 'fabrikam-global-admin'] as const;

const detailPaths = (error: { details?: Array<{ path: string }> }) => (error.details ?? []).map((d) => d.path).sort();

describe('admin API', () => {
  let runtime: Runtime;
  let url: string;
  let tokens: Record<(typeof IDENTITIES)[number], string>;

  beforeAll(async () => {
    runtime = await startTestRuntime();
    url = runtime.url;
    tokens = await devTokens(url, IDENTITIES);
  });
  afterAll(() => stopAll(runtime));

  const read = async (id: string, token = tokens['contoso-global-admin']) => {
    const answer = await call(`${url}/api/admin/enterprises/${id}`, { token });
    expect(answer.status).toBe(200);
    return answer.body as { etag: string; name: string; settings: Record<string, unknown> };
  };
  const patch = (id: string, token: string, body: unknown, etag?: string) =>
    call(`${url}/api/admin/enterprises/${id}`, { method: 'PATCH', token, body, ...(etag ? { headers: { 'if-match': etag } } : {}) });
  const create = (body: unknown, token = tokens['provider-admin']) => call(`${url}/api/admin/enterprises`, { token, body });

  describe('validation', () => {
    it('names each bad field of a new enterprise', async () => {
      const error = expectError(await create({ name: '', tenantId: 'nope' }), 400, 'validation_failed');
      expect(detailPaths(error)).toEqual(['name', 'tenantId']);
      expect(error.message).toMatch(/name, tenantId/);
      expect(error.details!.find((d) => d.path === 'tenantId')!.message).toMatch(/GUID/);
    });

    it('names a missing required field', async () => {
      const error = expectError(await create({ name: 'Northwind' }), 400, 'validation_failed');
      expect(detailPaths(error)).toEqual(['tenantId']);
    });

    it('names nested settings by their dotted path', async () => {
      const { etag } = await read('contoso');
      const one = expectError(await patch('contoso', tokens['contoso-global-admin'], { settings: { syncIntervalMinutes: 2 } }, etag), 400, 'validation_failed');
      expect(one.details).toEqual([{ path: 'settings.syncIntervalMinutes', message: expect.stringMatching(/5 minutes/) }]);

      const two = expectError(await patch('contoso', tokens['contoso-global-admin'], { settings: { syncIntervalMinutes: 7.5, timeZone: 'Mars/Olympus_Mons' } }, etag), 400, 'validation_failed');
      expect(detailPaths(two)).toEqual(['settings.syncIntervalMinutes', 'settings.timeZone']);
      expect((await read('contoso')).etag).toBe(etag); // nothing written
    });

    it('rejects unknown fields, at the top and nested, naming them', async () => {
      const top = expectError(await create({ name: 'Northwind', tenantId: randomUUID(), plan: 'gold' }), 400, 'validation_failed');
      expect(top.details).toEqual([{ path: 'plan', message: expect.stringContaining('Unknown field') }]);

      const { etag } = await read('contoso');
      const nested = expectError(await patch('contoso', tokens['contoso-global-admin'], { settings: { colour: 'blue' } }, etag), 400, 'validation_failed');
      expect(nested.details).toEqual([{ path: 'settings.colour', message: expect.stringContaining('Unknown field') }]);
      const listed = await call(`${url}/api/admin/enterprises`, { token: tokens['provider-admin'] });
      expect(listed.body.items.map((e: { name: string }) => e.name)).not.toContain('Northwind');
    });

    it('validates the query string', async () => {
      for (const pageSize of ['0', '201', 'ten']) {
        const error = expectError(await call(`${url}/api/admin/enterprises/contoso/activity?pageSize=${pageSize}`, { token: tokens['contoso-global-admin'] }), 400, 'validation_failed');
        expect(detailPaths(error)).toEqual(['pageSize']);
      }
    });

    it('answers a continuation token that is not one of ours with 400, not 500', async () => {
      const answer = await call(`${url}/api/admin/enterprises/contoso/activity?continuationToken=not-a-token`, { token: tokens['contoso-global-admin'] });
      const error = expectError(answer, 400, 'validation_failed');
      expect(detailPaths(error)).toEqual(['continuationToken']);
    });

    it('answers a body that is not JSON with a JSON 400', async () => {
      expectError(await call(`${url}/api/admin/enterprises`, { token: tokens['provider-admin'], body: '{"name": "Northwind",' }), 400, 'bad_request');
    });

    it('answers a body over 1 MiB with a JSON 413', async () => {
      const big = JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES), tenantId: randomUUID() });
      expectError(await create(big), 413, 'payload_too_large');
    });

    it('accepts a body just under the limit (and then validates it)', async () => {
      const body = JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES - 100), tenantId: randomUUID() });
      expect(Buffer.byteLength(body)).toBeLessThan(MAX_BODY_BYTES);
      const error = expectError(await create(body), 400, 'validation_failed');
      expect(detailPaths(error)).toEqual(['name']);
    });
  });

  describe('unknown routes', () => {
    it('answers an unknown API path with a JSON 404', async () => {
      expectError(await call(`${url}/api/nope`), 404, 'not_found');
      expectError(await call(`${url}/api/admin/nope/deeper`, { token: tokens['provider-admin'] }), 404, 'not_found');
    });

    it('answers an unknown API path with a JSON 404 for methods other than GET too', async () => {
      // Not 405 "this endpoint does not accept that method": there is no such endpoint.
      expectError(await call(`${url}/api/nope`, { body: {} }), 404, 'not_found');
      expectError(await call(`${url}/api/nope`, { method: 'PUT', body: {} }), 404, 'not_found');
      expectError(await call(`${url}/api/admin/nope`, { method: 'DELETE' }), 404, 'not_found');
    });

    it('answers a known path with an unsupported method with a JSON 405', async () => {
      expectError(await call(`${url}/api/admin/enterprises/contoso`, { method: 'DELETE', token: tokens['provider-admin'] }), 405, 'method_not_allowed');
    });
  });

  describe('optimistic concurrency', () => {
    it('requires If-Match on PATCH (428)', async () => {
      const error = expectError(await patch('contoso', tokens['contoso-global-admin'], { settings: { chatEnabled: false } }), 428, 'precondition_required');
      expect(error.message).toMatch(/If-Match/);
    });

    it('returns the new ETag (body and header) which works for the next PATCH, while the old one no longer does', async () => {
      const first = await read('contoso');
      const changed = await patch('contoso', tokens['contoso-global-admin'], { settings: { syncIntervalMinutes: 20 } }, first.etag);
      expect(changed.status).toBe(200);
      expect(changed.body.etag).toEqual(expect.any(String));
      expect(changed.headers.get('etag')).toBe(changed.body.etag);
      expect(changed.body.etag).not.toBe(first.etag);

      const next = await patch('contoso', tokens['contoso-global-admin'], { settings: { syncIntervalMinutes: 25 } }, changed.body.etag);
      expect(next.status).toBe(200);
      expect(next.body.settings.syncIntervalMinutes).toBe(25);

      expectError(await patch('contoso', tokens['contoso-global-admin'], { settings: { syncIntervalMinutes: 30 } }, changed.body.etag), 409, 'conflict');
      expect((await read('contoso')).settings.syncIntervalMinutes).toBe(25);
    });

    it('lets exactly one of two admins who read the same version win; the other gets 409 and loses nothing', async () => {
      const seen = await read('contoso');
      const grace = { token: tokens['contoso-global-admin'], body: { settings: { timeZone: 'Europe/London' } } };
      const adam = { token: tokens['contoso-admin'], body: { settings: { chatEnabled: !seen.settings.chatEnabled } } };
      const answers = await Promise.all([grace, adam].map((who) => patch('contoso', who.token, who.body, seen.etag)));

      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      const winner = answers[0]!.status === 200 ? grace : adam;
      const loser = winner === grace ? adam : grace;
      expectError(answers.find((a) => a.status === 409)!, 409, 'conflict');

      const after = await read('contoso');
      expect(after.settings).toMatchObject(winner.body.settings);
      // The loser's change was not applied behind their back: the field is as it was.
      const [loserField, loserValue] = Object.entries(loser.body.settings)[0]!;
      expect(after.settings[loserField]).toBe(seen.settings[loserField]);
      expect(after.settings[loserField]).not.toBe(loserValue);

      // Reload and retry: now both changes stand.
      const retried = await patch('contoso', loser.token, loser.body, after.etag);
      expect(retried.status).toBe(200);
      expect((await read('contoso')).settings).toMatchObject({ ...grace.body.settings, ...adam.body.settings });
    });

    it('answers an If-Match that is not an ETag of ours with 409, not 500', async () => {
      const before = await read('contoso');
      for (const etag of ['garbage', '"garbage"', '*']) {
        const answer = await patch('contoso', tokens['contoso-global-admin'], { name: 'Contoso Garbage' }, etag);
        expectError(answer, 409, 'conflict');
      }
      expect((await read('contoso')).etag).toBe(before.etag);
    });

    it("does not let a provider admin give the provider-management consent on the enterprise's behalf", async () => {
      const tenantId = randomUUID();
      const refused = expectError(await create({ name: 'Woodgrove', tenantId, settings: { allowProviderManagement: true } }), 403, 'forbidden');
      expect(refused.message).toMatch(/global admin/);
      const created = await create({ name: 'Woodgrove', tenantId });
      expect(created.status).toBe(201);
      expect(created.body.settings.allowProviderManagement).toBe(false);
    });

    it('answers a duplicate tenant with 409 naming the tenant, in any letter case', async () => {
      for (const tenantId of [DEV_TENANTS.fabrikam, DEV_TENANTS.fabrikam.toUpperCase()]) {
        const error = expectError(await create({ name: 'Fabrikam again', tenantId }), 409, 'conflict');
        expect(error.message).toContain(DEV_TENANTS.fabrikam);
      }
      const listed = await call(`${url}/api/admin/enterprises`, { token: tokens['provider-admin'] });
      expect(listed.body.items.filter((e: { tenantId: string }) => e.tenantId === DEV_TENANTS.fabrikam)).toHaveLength(1);
    });
  });

  describe('request ids', () => {
    it('returns an x-request-id, a fresh one per request', async () => {
      const [a, b] = await Promise.all([call(`${url}/api/health`), call(`${url}/api/health`)]);
      expect(a.headers.get('x-request-id')).toMatch(/^[\w.-]{8,}$/);
      expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
    });

    it('honours an incoming x-request-id, in the header and in error bodies', async () => {
      const health = await call(`${url}/api/health`, { headers: { 'x-request-id': 'caller-trace.42' } });
      expect(health.headers.get('x-request-id')).toBe('caller-trace.42');
      const failed = await call(`${url}/api/admin/enterprises`, { token: tokens['provider-admin'], body: {}, headers: { 'x-request-id': 'caller-trace.43' } });
      expect(expectError(failed, 400, 'validation_failed').requestId).toBe('caller-trace.43');
    });

    it('replaces an incoming x-request-id that is not a plain token', async () => {
      for (const incoming of ['has space', 'x'.repeat(129), 'semi;colon', '<script>']) {
        const answer = await call(`${url}/api/health`, { headers: { 'x-request-id': incoming } });
        const id = answer.headers.get('x-request-id');
        expect(id).toBeTruthy();
        expect(id).not.toBe(incoming);
        expect(id).toMatch(/^[\w.-]{1,128}$/);
      }
    });
  });
});

describe('activity feed', () => {
  let runtime: Runtime;
  let url: string;
  let tokens: Record<(typeof IDENTITIES)[number], string>;

  beforeAll(async () => {
    runtime = await startTestRuntime(); // fresh tables: only the seeded entry so far
    url = runtime.url;
    tokens = await devTokens(url, IDENTITIES);
  });
  afterAll(() => stopAll(runtime));

  const feed = (id: string, query = '', token = tokens['contoso-global-admin']) => call(`${url}/api/admin/enterprises/${id}/activity${query}`, { token });

  it('lists the creation and two changes newest first, with actor and only the changed fields', async () => {
    const seen = (await call(`${url}/api/admin/enterprises/contoso`, { token: tokens['contoso-global-admin'] })).body;
    const first = await call(`${url}/api/admin/enterprises/contoso`, { method: 'PATCH', token: tokens['contoso-global-admin'], body: { settings: { chatEnabled: false } }, headers: { 'if-match': seen.etag } });
    expect(first.status).toBe(200);
    const second = await call(`${url}/api/admin/enterprises/contoso`, {
      method: 'PATCH',
      token: tokens['contoso-admin'],
      body: { name: 'Contoso Ltd', settings: { syncIntervalMinutes: 30, chatEnabled: false } },
      headers: { 'if-match': first.body.etag },
    });
    expect(second.status).toBe(200);

    const answer = await feed('contoso');
    expect(answer.status).toBe(200);
    expect(answer.body.continuationToken).toBeUndefined();
    const items = answer.body.items as Array<Record<string, any>>;
    expect(items).toHaveLength(3);
    expect(items[0]).toMatchObject({
      actor: { id: 'cccccccc-0000-4000-8000-000000000002', name: 'Adam Admin', role: 'enterprise-admin' },
      action: 'enterprise.updated',
      entity: { type: 'enterprise', id: 'contoso', name: 'Contoso Ltd' },
    });
    expect(items[0]!.before).toEqual({ name: 'Contoso', 'settings.syncIntervalMinutes': 15 });
    expect(items[0]!.after).toEqual({ name: 'Contoso Ltd', 'settings.syncIntervalMinutes': 30 });
    expect(items[1]).toMatchObject({
      actor: { id: 'cccccccc-0000-4000-8000-000000000001', name: 'Grace Global', role: 'global-admin' },
      action: 'enterprise.updated',
      entity: { type: 'enterprise', id: 'contoso', name: 'Contoso' },
      before: { 'settings.chatEnabled': true },
      after: { 'settings.chatEnabled': false },
    });
    expect(Object.keys(items[1]!.after)).toEqual(['settings.chatEnabled']);
    expect(items[2]).toMatchObject({ actor: { id: 'system', role: 'system' }, action: 'enterprise.created', before: null, after: expect.objectContaining({ id: 'contoso', tenantId: DEV_TENANTS.contoso }) });
    for (const item of items) expect(item).not.toHaveProperty('scope');
    const times = items.map((item) => Date.parse(item.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('records who added an enterprise, in its feed and in the provider feed', async () => {
    const tenantId = randomUUID();
    const created = await call(`${url}/api/admin/enterprises`, { token: tokens['provider-admin'], body: { name: 'Northwind', tenantId } });
    expect(created.status).toBe(201);
    const providerFeed = await call(`${url}/api/admin/activity`, { token: tokens['provider-admin'] });
    expect(providerFeed.status).toBe(200);
    expect(providerFeed.body.items[0]).toMatchObject({
      actor: { id: 'aaaaaaaa-0000-4000-8000-000000000001', name: 'Pat Provider', role: 'provider-admin' },
      action: 'enterprise.created',
      entity: { type: 'enterprise', id: created.body.id, name: 'Northwind' },
      before: null,
      after: expect.objectContaining({ tenantId, name: 'Northwind' }),
    });
  });

  it('pages with pageSize=1 through every entry, once each, in the same order', async () => {
    const all = (await feed('contoso')).body.items.map((item: { id: string }) => item.id) as string[];
    expect(all.length).toBeGreaterThanOrEqual(3);

    const paged: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const answer = await feed('contoso', `?pageSize=1${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`);
      expect(answer.status).toBe(200);
      expect(answer.body.items.length).toBeLessThanOrEqual(1);
      paged.push(...answer.body.items.map((item: { id: string }) => item.id));
      token = answer.body.continuationToken;
      expect(++pages).toBeLessThanOrEqual(all.length + 1);
    } while (token);

    expect(paged).toEqual(all);
    expect(new Set(paged).size).toBe(paged.length);
  });

  it("cannot be steered into another enterprise's feed with a crafted continuation token", async () => {
    // Fabrikam has a feed of its own (its seeded creation).
    const fabrikamFeed = await feed('fabrikam', '', tokens['fabrikam-global-admin']);
    expect(fabrikamFeed.body.items).toHaveLength(1);
    const crafted = Buffer.from(JSON.stringify({ nextPartitionKey: 'fabrikam', nextRowKey: '0' })).toString('base64');
    const answer = await feed('contoso', `?continuationToken=${encodeURIComponent(crafted)}`);
    expect(answer.status).toBe(200);
    for (const item of answer.body.items as Array<{ entity: { id: string } }>) expect(item.entity.id).not.toBe('fabrikam');
  });
});

describe('unexpected failures and health', () => {
  let proxy: FaultProxy;
  let runtime: Runtime;
  let url: string;
  let providerToken: string;

  beforeAll(async () => {
    proxy = await startFaultProxy(testTableEndpoint());
    runtime = await startTestRuntime({ STORAGE_CONNECTION_STRING: connectionStringVia(proxy.endpoint) });
    url = runtime.url;
    // The provider admin's sign-in needs no storage lookup, so only the handler meets the fault.
    providerToken = (await devTokens(url, ['provider-admin']))['provider-admin'];
  });
  afterEach(() => proxy.setRule(() => 'forward'));
  afterAll(async () => {
    await stopAll(runtime);
    await proxy?.close();
  });

  const isEntityRead = (req: { method?: string; url?: string }, id: string) =>
    req.method === 'GET' && decodeURIComponent(req.url ?? '').includes(`enterprises(PartitionKey='enterprises',RowKey='${id}')`);

  it('answers 500 with a request id and nothing internal when a handler fails unexpectedly', async () => {
    expect((await call(`${url}/api/admin/enterprises/contoso`, { token: providerToken })).status).toBe(200);
    let faulted = 0;
    proxy.setRule((req) => (isEntityRead(req, 'contoso') ? (faulted++, { status: 200, body: 'not json' }) : 'forward'));

    const answer = await call(`${url}/api/admin/enterprises/contoso`, { token: providerToken, headers: { 'x-request-id': 'boom-1' } });

    expect(faulted).toBeGreaterThan(0);
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({ error: { code: 'internal_error', message: expect.any(String), requestId: 'boom-1' } });
    expect(answer.text).not.toMatch(/\sat\s/);
    expect(answer.text).not.toMatch(/\/work\/|node_modules|\.ts\b|\.js\b/);
    expect(answer.text).not.toMatch(/not json|Unexpected token|SyntaxError|JSON\.parse/i);
  });

  it('reports healthy storage with 200', async () => {
    const answer = await call(`${url}/api/health`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok' });
  });

  it('reports 503 within a few seconds when storage stops answering, and 200 again when it is back', async () => {
    proxy.setRule(() => 'hang');
    const started = Date.now();
    const hung = await call(`${url}/api/health`);
    expect(hung.status).toBe(503);
    expect(hung.body).toMatchObject({ status: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(5000);

    proxy.setRule(() => ({ status: 503, body: '{"odata.error":{"code":"ServerBusy","message":{"value":"busy"}}}' }));
    expect((await call(`${url}/api/health`)).status).toBe(503);

    proxy.setRule(() => 'forward');
    expect((await call(`${url}/api/health`)).status).toBe(200);
  });
});
