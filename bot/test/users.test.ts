import { parse } from 'csv-parse/sync';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import restify from 'restify';
import { z } from 'zod';
import { NotFoundError, type DirectoryUser, type Principal } from '@switchboard/shared';
import { mountOperations } from '../src/http/mount';
import { defineStreamOperation } from '../src/http/operation';
import { generatedUsers, makeUser } from '../../shared/test/users';
import type { Runtime } from '../src/runtime';
import { devTokens } from './support/dev-sign-in';
import { call, expectError, type JsonAnswer } from './support/http';
import { startTestRuntime, stopAll } from './support/runtime';

/**
 * The Users API over HTTP against the real server and Azurite: the page query,
 * tags with their limits and ETags, bulk rename and remove, chat access, purge,
 * the CSV export (content and streaming), and who may do what.
 */
const IDENTITIES = ['provider-admin', 'contoso-global-admin', 'contoso-admin', 'contoso-user', 'fabrikam-global-admin'] as const;

const contosoUsers: DirectoryUser[] = [
  makeUser({ enterpriseId: 'contoso', id: 'jane', displayName: 'Jane Doe', sms: { enabled: true, numbers: ['+15551234567'] }, tags: ['VIP', 'Sales'] }),
  makeUser({ enterpriseId: 'contoso', id: 'john', displayName: 'John Smith', teamsLicensed: false, tags: ['Sales'] }),
  makeUser({ enterpriseId: 'contoso', id: 'mary', displayName: 'Mary Major', sms: { enabled: false, numbers: ['+15559876543'] }, tags: ['Support'], chatAccess: 'deny' }),
  makeUser({ enterpriseId: 'contoso', id: 'evil', displayName: '=HYPERLINK("http://evil.example","click")', tags: ['-risky'] }),
  makeUser({ enterpriseId: 'contoso', id: 'ola', displayName: 'Ola Nordmann', removed: true, tags: ['Sales'] }),
  makeUser({ enterpriseId: 'contoso', id: 'night1', displayName: 'Nina Night', tags: ['Night shift'] }),
  makeUser({ enterpriseId: 'contoso', id: 'night2', displayName: 'Nick Night', tags: ['night SHIFT', 'Late', 'a', 'b', 'c'] }),
  makeUser({ enterpriseId: 'contoso', id: 'night3', displayName: 'Nora Night', tags: ['Late', 'Night shift'] }),
  makeUser({ enterpriseId: 'contoso', id: 'out1', displayName: 'Outside One', inSelection: false }),
  makeUser({ enterpriseId: 'contoso', id: 'out2', displayName: 'Outside Two', inSelection: false, sms: { enabled: true, numbers: ['+15550000002'] } }),
];
const BIG = 20_000;

describe('users API', () => {
  let runtime: Runtime;
  let url: string;
  let tokens: Record<(typeof IDENTITIES)[number], string>;

  beforeAll(async () => {
    runtime = await startTestRuntime();
    url = runtime.url;
    tokens = await devTokens(url, IDENTITIES);
    await runtime.services.userRepository.createMany(contosoUsers);
    await runtime.services.userRepository.createMany([makeUser({ enterpriseId: 'fabrikam', id: 'frank', displayName: 'Frank Fabrikam' })]);
  });
  afterAll(() => stopAll(runtime));

  const admin = () => tokens['contoso-global-admin'];
  const users = (query = '', token = admin(), enterprise = 'contoso') => call(`${url}/api/admin/enterprises/${enterprise}/users${query}`, { token });
  const ids = (answer: JsonAnswer) => {
    expect(answer.status).toBe(200);
    return (answer.body.items as Array<{ id: string }>).map((row) => row.id);
  };
  const getUser = async (id: string) => {
    const answer = await call(`${url}/api/admin/enterprises/contoso/users/${id}`, { token: admin() });
    expect(answer.status).toBe(200);
    return answer.body as { etag: string; tags: string[]; services: { chat: string; chatAccess: string } };
  };
  const putTags = (id: string, tags: unknown, etag?: string) =>
    call(`${url}/api/admin/enterprises/contoso/users/${id}/tags`, { method: 'PUT', token: admin(), body: { tags }, ...(etag ? { headers: { 'if-match': etag } } : {}) });
  const feed = async (enterprise = 'contoso') => (await call(`${url}/api/admin/enterprises/${enterprise}/activity?pageSize=5`, { token: admin() })).body.items as Array<Record<string, any>>;

  describe('the page query', () => {
    it('answers a page of rows with the total after filtering', async () => {
      const answer = await users('?limit=3');
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ total: 9, offset: 0, limit: 3 });
      expect(answer.body.items[0]).toEqual({
        id: 'evil',
        username: 'evil@contoso.com',
        displayName: '=HYPERLINK("http://evil.example","click")',
        mail: 'evil@contoso.com',
        smsNumbers: [],
        license: 'with',
        teamsPhoneLicensed: false,
        services: { sms: 'not-configured', chat: 'on', chatAccess: 'inherit' },
        tags: ['-risky'],
        removed: false,
        inSelection: true,
        accountEnabled: true,
        userType: 'Member',
        syncedAt: expect.any(String),
        updatedAt: expect.any(String),
        etag: expect.stringMatching(/^W\//),
      });
      expect(ids(await users('?limit=3&offset=1'))).toEqual(['jane', 'john', 'mary']);
    });

    it('filters over HTTP: search by digits, repeated tags, licence, services, chat, selection, status, sort', async () => {
      expect(ids(await users('?search=555%20123'))).toEqual(['jane']);
      expect(ids(await users(`?search=${encodeURIComponent('(555) 987-6543')}`))).toEqual(['mary']);
      expect(ids(await users('?tag=sales'))).toEqual(['jane', 'john']);
      expect(ids(await users('?tag=sales&tag=VIP'))).toEqual(['jane']);
      expect(ids(await users('?license=without'))).toEqual(['john']);
      expect(ids(await users('?services=sms-disabled'))).toEqual(['mary']);
      expect(ids(await users('?chat=off'))).toEqual(['mary']);
      expect(ids(await users('?selection=outside'))).toEqual(['out1', 'out2']);
      expect(ids(await users('?status=removed'))).toEqual(['ola']);
      expect(ids(await users('?username=night&sort=displayName&order=desc'))).toEqual(['night3', 'night1', 'night2']);
      expect(ids(await users('?sort=smsNumbers&limit=3'))).toEqual(['out2', 'jane', 'mary']);
      expect(ids(await users('?search=night&displayName=n&smsNumber=555'))).toEqual([]);
      const stacked = await users('?search=contoso&tag=sales&license=with&services=sms-enabled&chat=on&selection=in&status=active');
      expect(ids(stacked)).toEqual(['jane']);
      expect(stacked.body.total).toBe(1);
    });

    it('refuses bad parameters, naming each', async () => {
      const error = expectError(await users('?limit=501&sort=mail&smsNumber=abc&license=maybe'), 400, 'validation_failed');
      expect(error.details!.map((d) => d.path).sort()).toEqual(['license', 'limit', 'smsNumber', 'sort']);
      expect(error.details!.find((d) => d.path === 'limit')!.message).toBe('At most 500 rows per page.');
    });

    it('answers one user with its ETag in the body and the header', async () => {
      const answer = await call(`${url}/api/admin/enterprises/contoso/users/jane`, { token: admin() });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ id: 'jane', smsNumbers: [{ number: '+15551234567', role: 'own' }], services: { sms: 'enabled' } });
      expect(answer.headers.get('etag')).toBe(answer.body.etag);
      expectError(await call(`${url}/api/admin/enterprises/contoso/users/nobody`, { token: admin() }), 404, 'not_found');
    });
  });

  describe('tags', () => {
    it('refuses a sixth tag, a tag over 20 characters and a duplicate ignoring case, naming the field', async () => {
      const { etag } = await getUser('mary');
      const six = expectError(await putTags('mary', ['a', 'b', 'c', 'd', 'e', 'f'], etag), 400, 'validation_failed');
      expect(six.details).toEqual([{ path: 'tags', message: 'A user can have at most 5 tags.' }]);
      const long = expectError(await putTags('mary', ['ok', 'x'.repeat(21)], etag), 400, 'validation_failed');
      expect(long.details).toEqual([{ path: 'tags.1', message: 'A tag can have at most 20 characters.' }]);
      const duplicate = expectError(await putTags('mary', ['Support', 'VIP', 'support'], etag), 400, 'validation_failed');
      expect(duplicate.details).toEqual([{ path: 'tags.2', message: '"support" repeats the tag "Support" (tags ignore case).' }]);
      const blank = expectError(await putTags('mary', ['  '], etag), 400, 'validation_failed');
      expect(blank.details).toEqual([{ path: 'tags.0', message: 'A tag cannot be empty.' }]);
      expect((await getUser('mary')).etag).toBe(etag); // nothing written
    });

    it('needs If-Match (428), refuses a stale ETag (409) and returns the new one', async () => {
      expectError(await putTags('mary', ['Support']), 428, 'precondition_required');
      const first = await getUser('mary');
      const saved = await putTags('mary', ['Support', ' Berlin '], first.etag);
      expect(saved.status).toBe(200);
      expect(saved.body.tags).toEqual(['Support', 'Berlin']);
      expect(saved.headers.get('etag')).toBe(saved.body.etag);
      expect(saved.body.etag).not.toBe(first.etag);
      const stale = expectError(await putTags('mary', ['Other'], first.etag), 409, 'conflict');
      expect(stale.message).toMatch(/Mary Major was changed since you loaded it/);
      expect((await getUser('mary')).tags).toEqual(['Support', 'Berlin']);
      expect(ids(await users('?tag=berlin'))).toEqual(['mary']); // the page sees the change at once
      expect((await feed())[0]).toMatchObject({
        action: 'user.tags.updated',
        actor: { name: 'Grace Global', role: 'global-admin' },
        entity: { type: 'user', id: 'mary', name: 'Mary Major' },
        before: { tags: ['Support'] },
        after: { tags: ['Support', 'Berlin'] },
      });
    });

    it('lets exactly one of two admins who read the same version win', async () => {
      const seen = await getUser('john');
      const answers = await Promise.all([
        putTags('john', ['Sales', 'One'], seen.etag),
        call(`${url}/api/admin/enterprises/contoso/users/john/tags`, { method: 'PUT', token: tokens['contoso-admin'], body: { tags: ['Sales', 'Two'] }, headers: { 'if-match': seen.etag } }),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      const winner = answers.find((a) => a.status === 200)!;
      expect((await getUser('john')).tags).toEqual(winner.body.tags);
      await putTags('john', ['Sales'], (await getUser('john')).etag);
    });

    it('lists the enterprise tags for suggestions, most used first', async () => {
      const answer = await call(`${url}/api/admin/enterprises/contoso/tags`, { token: admin() });
      expect(answer.status).toBe(200);
      expect(answer.body.items.slice(0, 3)).toEqual([
        { tag: 'Night shift', count: 3 },
        { tag: 'Sales', count: 3 },
        { tag: 'Late', count: 2 },
      ]);
    });

    it('renames a tag across users, merging ignoring case and never exceeding 5 tags', async () => {
      const answer = await call(`${url}/api/admin/enterprises/contoso/tags/rename`, { token: admin(), body: { from: 'NIGHT SHIFT', to: 'Late' } });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ updated: 3, failed: [] });
      expect((await getUser('night1')).tags).toEqual(['Late']);
      expect((await getUser('night2')).tags).toEqual(['Late', 'a', 'b', 'c']); // merged into one, four left
      expect((await getUser('night3')).tags).toEqual(['Late']);
      expect(ids(await users('?tag=late'))).toEqual(['night1', 'night2', 'night3']);
      expect((await feed())[0]).toMatchObject({ action: 'tags.renamed', summary: 'Renamed the tag NIGHT SHIFT to Late for 3 users.' });

      const bad = expectError(await call(`${url}/api/admin/enterprises/contoso/tags/rename`, { token: admin(), body: { from: 'Late', to: 'x'.repeat(21) } }), 400, 'validation_failed');
      expect(bad.details).toEqual([{ path: 'to', message: 'A tag can have at most 20 characters.' }]);
    });

    it('removes a tag from everyone, the tag in the path URL-encoded', async () => {
      for (const id of ['night1', 'night3']) await putTags(id, ['Late', 'R&D / EU'], (await getUser(id)).etag);
      const answer = await call(`${url}/api/admin/enterprises/contoso/tags/${encodeURIComponent('r&d / eu')}`, { method: 'DELETE', token: admin() });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ updated: 2, failed: [] });
      expect((await getUser('night1')).tags).toEqual(['Late']);
      const none = await call(`${url}/api/admin/enterprises/contoso/tags/never-used`, { method: 'DELETE', token: admin() });
      expect(none.body).toEqual({ updated: 0, failed: [] });
    });
  });

  describe('chat access', () => {
    it('sets chat access with If-Match and records it', async () => {
      const before = await getUser('jane');
      expectError(await call(`${url}/api/admin/enterprises/contoso/users/jane/chat-access`, { method: 'PUT', token: admin(), body: { access: 'deny' } }), 428, 'precondition_required');
      const bad = expectError(await call(`${url}/api/admin/enterprises/contoso/users/jane/chat-access`, { method: 'PUT', token: admin(), body: { access: 'maybe' }, headers: { 'if-match': before.etag } }), 400, 'validation_failed');
      expect(bad.details!.map((d) => d.path)).toEqual(['access']);
      const saved = await call(`${url}/api/admin/enterprises/contoso/users/jane/chat-access`, { method: 'PUT', token: admin(), body: { access: 'deny' }, headers: { 'if-match': before.etag } });
      expect(saved.status).toBe(200);
      expect(saved.body.services).toEqual({ sms: 'enabled', chat: 'off', chatAccess: 'deny' });
      expect(ids(await users('?chat=off'))).toEqual(['jane', 'mary']);
      expect((await feed())[0]).toMatchObject({ action: 'user.chat-access.updated', before: { chatAccess: 'inherit' }, after: { chatAccess: 'deny' } });
      expectError(await call(`${url}/api/admin/enterprises/contoso/users/jane/chat-access`, { method: 'PUT', token: admin(), body: { access: 'allow' }, headers: { 'if-match': before.etag } }), 409, 'conflict');
      await call(`${url}/api/admin/enterprises/contoso/users/jane/chat-access`, { method: 'PUT', token: admin(), body: { access: 'inherit' }, headers: { 'if-match': saved.body.etag } });
    });
  });

  describe('export', () => {
    const exportCsv = (query = '', token = admin(), enterprise = 'contoso') => fetch(`${url}/api/admin/enterprises/${enterprise}/users/export${query}`, { headers: { authorization: `Bearer ${token}` } });

    it('downloads the filtered page as CSV with a BOM, the page columns and neutralised formulas', async () => {
      const response = await exportCsv('?sort=displayName');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="users-contoso-\d{4}-\d{2}-\d{2}\.csv"/);
      const bytes = Buffer.from(await response.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const records = parse(bytes, { bom: true, columns: true }) as Array<Record<string, string>>;
      expect(Object.keys(records[0]!)).toEqual(['Teams username', 'Display name', 'SMS numbers', 'License', 'SMS', 'Chat', 'Tags', 'Status']);
      expect(records).toHaveLength(9);
      expect(records[0]).toEqual({
        'Teams username': 'evil@contoso.com',
        'Display name': `'=HYPERLINK("http://evil.example","click")`,
        'SMS numbers': '',
        License: 'With Teams license',
        SMS: 'Not configured',
        Chat: 'On',
        Tags: "'-risky",
        Status: 'Active',
      });
      expect(records.find((r) => r['Teams username'] === 'jane@contoso.com')).toMatchObject({ 'SMS numbers': '+15551234567', SMS: 'Enabled', Tags: 'VIP; Sales' });
      expect(records.find((r) => r['Teams username'] === 'john@contoso.com')).toMatchObject({ License: 'Without Teams license' });
      expect(records.find((r) => r['Teams username'] === 'out1@contoso.com')).toMatchObject({ Status: 'Outside group selection' });
    });

    it('applies search and filters like the page, and records the export', async () => {
      const response = await exportCsv('?status=all&tag=sales');
      const records = parse(Buffer.from(await response.arrayBuffer()), { bom: true, columns: true }) as Array<Record<string, string>>;
      expect(records.map((r) => [r['Teams username'], r.Status])).toEqual([
        ['jane@contoso.com', 'Active'],
        ['john@contoso.com', 'Active'],
        ['ola@contoso.com', 'Removed from directory'],
      ]);
      expect((await feed())[0]).toMatchObject({ action: 'users.exported', summary: expect.stringMatching(/^Exported 3 users to users-contoso-/) });
      const bad = await exportCsv('?limit=10&sort=nope');
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { details: Array<{ path: string }> } }).error.details.map((d) => d.path)).toEqual(['sort']);
    });

    it(
      `streams ${BIG.toLocaleString('en')} users`,
      async () => {
        await runtime.services.userRepository.createMany(generatedUsers('fabrikam', BIG));
        runtime.services.users.invalidate('fabrikam');
        const response = await exportCsv('?status=all', tokens['fabrikam-global-admin'], 'fabrikam');
        expect(response.status).toBe(200);
        expect(response.headers.get('content-length')).toBeNull(); // written as produced, not buffered
        expect(response.headers.get('transfer-encoding')).toBe('chunked');
        let chunks = 0;
        const parts: Buffer[] = [];
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          chunks++;
          parts.push(Buffer.from(chunk));
        }
        expect(chunks).toBeGreaterThan(10);
        const records = parse(Buffer.concat(parts), { bom: true, columns: true }) as Array<Record<string, string>>;
        expect(records).toHaveLength(BIG + 1); // and Frank
        expect(new Set(records.map((r) => r['Teams username'])).size).toBe(BIG + 1);
        const page = await users('?limit=500&offset=19500&search=contoso&status=all', tokens['fabrikam-global-admin'], 'fabrikam');
        expect(page.body).toMatchObject({ total: BIG + 1, offset: 19_500, limit: 500 });
        expect(page.body.items).toHaveLength(500);
      },
      180_000,
    );
  });

  describe('purge', () => {
    it('deletes users outside the selection, keeping those with SMS numbers and saying why', async () => {
      expectError(await call(`${url}/api/admin/enterprises/contoso/users/purge`, { token: admin(), body: { scope: 'everyone' } }), 400, 'validation_failed');
      const answer = await call(`${url}/api/admin/enterprises/contoso/users/purge`, { token: admin(), body: { scope: 'outside-selection' } });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ purged: 1, kept: [{ id: 'out2', username: 'out2@contoso.com', reason: 'Holds SMS number +15550000002; unassign it first.' }] });
      expect(ids(await users('?selection=outside'))).toEqual(['out2']);
      expectError(await call(`${url}/api/admin/enterprises/contoso/users/out1`, { token: admin() }), 404, 'not_found');
      expect((await feed())[0]).toMatchObject({ action: 'users.purged', summary: expect.stringMatching(/^Purged 1 user outside the group selection: out1@contoso.com\./) });
    });
  });

  describe('access', () => {
    const everyOperation = (enterprise: string, user: string) => [
      { method: 'GET', path: `/api/admin/enterprises/${enterprise}/users` },
      { method: 'GET', path: `/api/admin/enterprises/${enterprise}/users/export` },
      { method: 'GET', path: `/api/admin/enterprises/${enterprise}/users/${user}` },
      { method: 'PUT', path: `/api/admin/enterprises/${enterprise}/users/${user}/tags`, body: { tags: [] }, ifMatch: true },
      { method: 'PUT', path: `/api/admin/enterprises/${enterprise}/users/${user}/chat-access`, body: { access: 'allow' }, ifMatch: true },
      { method: 'POST', path: `/api/admin/enterprises/${enterprise}/users/purge`, body: { scope: 'outside-selection' } },
      { method: 'GET', path: `/api/admin/enterprises/${enterprise}/tags` },
      { method: 'POST', path: `/api/admin/enterprises/${enterprise}/tags/rename`, body: { from: 'a', to: 'b' } },
      { method: 'DELETE', path: `/api/admin/enterprises/${enterprise}/tags/VIP` },
    ];
    const send = (op: ReturnType<typeof everyOperation>[number], token?: string) =>
      call(`${url}${op.path}`, { method: op.method, ...(token ? { token } : {}), ...(op.body ? { body: op.body } : {}), ...(op.ifMatch ? { headers: { 'if-match': 'W/"whatever"' } } : {}) });

    it('answers 401 without a token, 403 to a plain user, 404 to another enterprise', async () => {
      for (const op of everyOperation('contoso', 'jane')) {
        expect({ op: `${op.method} ${op.path}`, status: (await send(op)).status }).toEqual({ op: `${op.method} ${op.path}`, status: 401 });
        const user = await send(op, tokens['contoso-user']);
        expect({ op: `${op.method} ${op.path}`, status: user.status }).toEqual({ op: `${op.method} ${op.path}`, status: 403 });
        expectError(user, 403, 'forbidden');
        const stranger = await send(op, tokens['fabrikam-global-admin']);
        expect({ op: `${op.method} ${op.path}`, status: stranger.status }).toEqual({ op: `${op.method} ${op.path}`, status: 404 });
        expectError(stranger, 404, 'not_found');
      }
    });

    it("answers 403 to the provider where the enterprise has not allowed it, and serves it where it has", async () => {
      for (const op of everyOperation('fabrikam', 'frank')) {
        const answer = await send(op, tokens['provider-admin']);
        expect({ op: `${op.method} ${op.path}`, status: answer.status }).toEqual({ op: `${op.method} ${op.path}`, status: 403 });
        expect(answer.body.error.message).toMatch(/has not allowed management by its service provider/);
      }
      expect(ids(await users('?tag=vip', tokens['provider-admin']))).toEqual(['jane']);
      expect((await users('', tokens['contoso-admin'])).status).toBe(200);
    });

    it("never reaches another enterprise's user through one's own enterprise", async () => {
      expectError(await call(`${url}/api/admin/enterprises/contoso/users/frank`, { token: admin() }), 404, 'not_found');
      expectError(await call(`${url}/api/admin/enterprises/fabrikam/users/jane`, { token: tokens['fabrikam-global-admin'] }), 404, 'not_found');
    });
  });

  it('is described in the OpenAPI document, the export as text/csv', async () => {
    const doc = (await call(`${url}/api/openapi.json`)).body;
    const exportOp = doc.paths['/api/admin/enterprises/{enterpriseId}/users/export'].get;
    expect(Object.keys(exportOp.responses['200'].content)).toEqual(['text/csv']);
    expect(exportOp.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['enterpriseId', 'search', 'tag', 'sort']));
    expect(exportOp.parameters.map((p: { name: string }) => p.name)).not.toContain('limit');
    expect(doc.paths['/api/admin/enterprises/{enterpriseId}/users'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/UserPage' });
    expect(doc.paths['/api/admin/enterprises/{enterpriseId}/users/{userId}/tags'].put.parameters.map((p: { name: string }) => p.name)).toContain('If-Match');
  });
});

describe('streamed answers (mount)', () => {
  const principal: Principal = { userId: 'u', name: 'U', tenantId: 't', role: 'global-admin', enterpriseId: 'e' };
  let server: restify.Server;
  let base: string;

  beforeAll(async () => {
    server = restify.createServer({ handleUncaughtExceptions: false });
    server.use(restify.plugins.queryParser({ mapParams: false }));
    const operation = defineStreamOperation({
      id: 'streamSomething',
      method: 'GET',
      path: '/stream/{how}',
      tag: 'Test',
      summary: 'A stream that works, fails before it starts, or breaks halfway.',
      params: z.object({ how: z.enum(['ok', 'missing', 'broken']) }),
      response: { status: 200, description: 'Text.', contentType: 'text/plain; charset=utf-8', stream: true },
      handle: async ({ params }) => {
        if (params.how === 'missing') throw new NotFoundError('Nothing to stream.');
        const lines = (function* () {
          for (let i = 0; i < 2_000; i++) {
            if (params.how === 'broken' && i === 1_000) throw new Error('storage went away');
            yield `line ${i}\n`.repeat(20);
          }
        })();
        return { stream: Readable.from(lines), headers: { 'content-disposition': 'attachment; filename="x.txt"' } };
      },
    });
    const silent = { error: () => undefined, info: () => undefined, child: () => silent };
    server.pre((req, _res, next) => {
      (req as unknown as { log: unknown }).log = silent;
      return next();
    });
    mountOperations(server, [operation], { verify: async () => principal });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('writes the stream with the content type and headers of the operation', async () => {
    const response = await fetch(`${base}/stream/ok`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="x.txt"');
    expect((await response.text()).split('\n')).toHaveLength(2_000 * 20 + 1);
  });

  it('answers a failure before the stream starts with the usual JSON error', async () => {
    const answer = await call(`${base}/stream/missing`);
    expect(answer.status).toBe(404);
    expect(answer.body.error).toMatchObject({ code: 'not_found', message: 'Nothing to stream.' });
  });

  it('cuts the connection when the stream breaks halfway, so no truncated file looks complete', async () => {
    const response = await fetch(`${base}/stream/broken`);
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });
});
