import { randomUUID } from 'node:crypto';
import { GLOBAL_ADMIN_ROLE_TEMPLATE } from '@switchboard/shared';
import type { Runtime } from '../src/runtime';
import { call, expectError, type JsonAnswer } from './support/http';
import { IdentityProvider, type MintOptions } from './support/identity-provider';
import { startTestRuntime } from './support/runtime';

/**
 * AUTH_MODE=entra against a loopback Entra stand-in: token validation (signature,
 * algorithm, issuer, audience, expiry, tenant) and the role and enterprise boundaries
 * of the admin API, all over real HTTP.
 */
const CLIENT_ID = randomUUID();
const PROVIDER_ONE = randomUUID();
const PROVIDER_TWO = randomUUID();
const TENANT_A = randomUUID();
const TENANT_B = randomUUID();

let idp: IdentityProvider;
let runtime: Runtime;
let url: string;

/** Tokens by who holds them. */
const tokens = {} as Record<'providerOne' | 'providerTwo' | 'globalA' | 'adminA' | 'userA' | 'globalB', string>;
let enterpriseA: { id: string };
let enterpriseB: { id: string };

const api = (path: string, token: string | undefined, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
  call(`${url}${path}`, { ...init, ...(token ? { token } : {}) });

const patch = (id: string, token: string, etag: string, body: unknown) =>
  api(`/api/admin/enterprises/${id}`, token, { method: 'PATCH', body, headers: { 'if-match': etag } });

/** The current ETag, read as the provider admin who owns the enterprise. */
async function currentEtag(id: string, ownerToken: string): Promise<string> {
  const answer = await api(`/api/admin/enterprises/${id}`, ownerToken);
  expect(answer.status).toBe(200);
  return answer.body.etag as string;
}

beforeAll(async () => {
  idp = await IdentityProvider.start(CLIENT_ID);
  runtime = await startTestRuntime({
    AUTH_MODE: 'entra',
    AUTH_AUTHORITY: idp.base,
    AUTH_JWKS_URI: idp.jwksUri,
    AUTH_CLIENT_ID: CLIENT_ID,
    PROVIDER_TENANT_IDS: `${PROVIDER_ONE}, ${PROVIDER_TWO}`,
    BOT_ID: randomUUID(),
  });
  url = runtime.url;

  const mint = (options: MintOptions) => idp.mint(options);
  tokens.providerOne = await mint({ tid: PROVIDER_ONE, name: 'Pat One', roles: ['Provider.Admin'] });
  tokens.providerTwo = await mint({ tid: PROVIDER_TWO, name: 'Pam Two', roles: ['Provider.Admin'] });
  tokens.globalA = await mint({ tid: TENANT_A, name: 'Grace Global', wids: ['b79fbf4d-3ef9-4689-8143-76b194e85509', GLOBAL_ADMIN_ROLE_TEMPLATE] });
  tokens.adminA = await mint({ tid: TENANT_A, name: 'Adam Admin', roles: ['Enterprise.Admin'] });
  tokens.userA = await mint({ tid: TENANT_A, name: 'Uma User' });
  tokens.globalB = await mint({ tid: TENANT_B, name: 'Greta B', wids: [GLOBAL_ADMIN_ROLE_TEMPLATE] });

  const createdA = await api('/api/admin/enterprises', tokens.providerOne, { body: { name: 'Alpha', tenantId: TENANT_A } });
  const createdB = await api('/api/admin/enterprises', tokens.providerTwo, { body: { name: 'Bravo', tenantId: TENANT_B } });
  expect([createdA.status, createdB.status]).toEqual([201, 201]);
  enterpriseA = createdA.body;
  enterpriseB = createdB.body;
});

afterAll(async () => {
  await runtime?.stop();
  await idp?.close();
});

describe('token validation', () => {
  const me = (authorization?: string) => call(`${url}/api/admin/me`, authorization ? { headers: { authorization } } : {});
  const userOfA = (extra: Partial<MintOptions> = {}): MintOptions => ({ tid: TENANT_A, name: 'Uma User', ...extra });

  function expectUnauthorized(answer: JsonAnswer, message?: RegExp): void {
    const error = expectError(answer, 401, 'unauthorized');
    if (message) expect(error.message).toMatch(message);
  }

  it('accepts a genuine token (the baseline every refusal below differs from by one thing)', async () => {
    const answer = await me(`Bearer ${await idp.mint(userOfA())}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ tenantId: TENANT_A, role: 'user', enterpriseId: enterpriseA.id });
  });

  it('refuses a request without a token', async () => {
    expectUnauthorized(await me(), /Sign in/);
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    expectUnauthorized(await me(`Basic ${Buffer.from('user:pass').toString('base64')}`));
  });

  it('refuses a malformed token', async () => {
    expectUnauthorized(await me('Bearer not-a-jwt'), /malformed/);
    expectUnauthorized(await me('Bearer aaa.bbb.ccc'), /malformed/);
  });

  it('refuses an unsigned token (alg none)', async () => {
    expectUnauthorized(await me(`Bearer ${idp.unsigned(userOfA())}`));
  });

  it('refuses a token signed with a key the identity provider does not publish', async () => {
    expectUnauthorized(await me(`Bearer ${await idp.mint(userOfA({ key: 'foreign' }))}`), /signature/);
  });

  it("refuses a token signed with another key that claims the genuine key's kid", async () => {
    expectUnauthorized(await me(`Bearer ${await idp.mint(userOfA({ key: 'foreign-same-kid' }))}`), /signature/);
  });

  it('refuses an expired token', async () => {
    expectUnauthorized(await me(`Bearer ${await idp.mint(userOfA({ expiresIn: -600 }))}`), /expired/);
  });

  it('refuses a token for another audience', async () => {
    expectUnauthorized(await me(`Bearer ${await idp.mint(userOfA({ aud: randomUUID() }))}`), /aud/);
  });

  it('refuses a token from another issuer', async () => {
    expectUnauthorized(await me(`Bearer ${await idp.mint(userOfA({ iss: `https://login.microsoftonline.com/${TENANT_A}/v2.0` }))}`), /iss/);
    // The issuer must be the one of the token's own tenant.
    expectUnauthorized(await me(`Bearer ${await idp.mint(userOfA({ iss: idp.issuerFor(TENANT_B) }))}`), /iss/);
  });

  it('refuses a genuine token whose payload was changed afterwards', async () => {
    const genuine = await idp.mint(userOfA());
    const promoted = IdentityProvider.tamper(genuine, (claims) => ({ ...claims, wids: [GLOBAL_ADMIN_ROLE_TEMPLATE] }));
    expectUnauthorized(await me(`Bearer ${promoted}`), /signature/);
  });

  it('refuses a validly signed token from a tenant that is neither an enterprise nor a provider', async () => {
    const stranger = await idp.mint({ tid: randomUUID(), name: 'Stranger', wids: [GLOBAL_ADMIN_ROLE_TEMPLATE], roles: ['Provider.Admin'] });
    expectUnauthorized(await me(`Bearer ${stranger}`), /not set up/);
  });

  it('refuses a token from a provider tenant that lacks the Provider.Admin role', async () => {
    const plain = await idp.mint({ tid: PROVIDER_ONE, name: 'Provider Staff', wids: [GLOBAL_ADMIN_ROLE_TEMPLATE] });
    expectUnauthorized(await me(`Bearer ${plain}`));
    expectUnauthorized(await api('/api/admin/enterprises', plain, { body: { name: 'Sneaky', tenantId: randomUUID() } }));
  });

  it('honours an incoming request id in the error', async () => {
    const answer = await call(`${url}/api/admin/me`, { headers: { 'x-request-id': 'trace-123' } });
    expect(expectError(answer, 401, 'unauthorized').requestId).toBe('trace-123');
  });

  it('offers no dev sign-in in entra mode', async () => {
    const answer = await call(`${url}/api/auth/dev/sign-in`, { body: { identity: 'provider-admin' } });
    expect(answer.status).not.toBe(200);
    expect(answer.text).not.toMatch(/token/);
    expect((await call(`${url}/api/auth/dev/identities`)).status).toBe(404);
  });
});

describe('roles', () => {
  it('recognises each role from the token claims', async () => {
    const roleOf = async (token: string) => (await api('/api/admin/me', token)).body;
    expect(await roleOf(tokens.providerOne)).toMatchObject({ role: 'provider-admin', providerId: PROVIDER_ONE, tenantId: PROVIDER_ONE, name: 'Pat One' });
    expect(await roleOf(tokens.globalA)).toMatchObject({ role: 'global-admin', enterpriseId: enterpriseA.id, tenantId: TENANT_A });
    expect(await roleOf(tokens.adminA)).toMatchObject({ role: 'enterprise-admin', enterpriseId: enterpriseA.id });
    expect(await roleOf(tokens.userA)).toMatchObject({ role: 'user', enterpriseId: enterpriseA.id, name: 'Uma User' });
    expect(await roleOf(await idp.mint({ tid: TENANT_A, roles: ['Enterprise.GlobalAdmin'] }))).toMatchObject({ role: 'global-admin' });
  });

  it('lets a provider admin add enterprises and list only their own provider\u2019s', async () => {
    const extra = await api('/api/admin/enterprises', tokens.providerOne, { body: { name: 'Charlie', tenantId: randomUUID() } });
    expect(extra.status).toBe(201);
    expect(extra.body).toMatchObject({ name: 'Charlie', providerId: PROVIDER_ONE, settings: { allowProviderManagement: false } });

    const listOne = await api('/api/admin/enterprises', tokens.providerOne);
    const listTwo = await api('/api/admin/enterprises', tokens.providerTwo);
    expect(listOne.status).toBe(200);
    expect(listOne.body.items.map((e: { name: string }) => e.name)).toEqual(['Alpha', 'Charlie']);
    expect(listTwo.body.items.map((e: { name: string }) => e.name)).toEqual(['Bravo']);
    // An enterprise's own people see only their enterprise.
    expect((await api('/api/admin/enterprises', tokens.userA)).body.items.map((e: { id: string }) => e.id)).toEqual([enterpriseA.id]);
  });

  it('does not make an enterprise tenant a provider admin because its token carries the Provider.Admin role', async () => {
    const selfPromoted = await idp.mint({ tid: TENANT_A, roles: ['Provider.Admin'] });
    expect((await api('/api/admin/me', selfPromoted)).body.role).toBe('user');
    expectError(await api('/api/admin/enterprises', selfPromoted, { body: { name: 'Sneaky', tenantId: randomUUID() } }), 403, 'forbidden');
  });

  it('refuses to let anyone but a provider admin add an enterprise', async () => {
    for (const token of [tokens.globalA, tokens.adminA, tokens.userA]) {
      expectError(await api('/api/admin/enterprises', token, { body: { name: 'Sneaky', tenantId: randomUUID() } }), 403, 'forbidden');
    }
    const listed = await api('/api/admin/enterprises', tokens.providerOne);
    expect(listed.body.items.map((e: { name: string }) => e.name)).not.toContain('Sneaky');
  });
});

describe('boundaries', () => {
  it('lets a plain user see who they are, but not the activity feed nor change settings', async () => {
    expect((await api('/api/admin/me', tokens.userA)).status).toBe(200);
    expectError(await api(`/api/admin/enterprises/${enterpriseA.id}/activity`, tokens.userA), 403, 'forbidden');

    const etag = await currentEtag(enterpriseA.id, tokens.globalA);
    expectError(await patch(enterpriseA.id, tokens.userA, etag, { settings: { chatEnabled: false } }), 403, 'forbidden');
    expect(await currentEtag(enterpriseA.id, tokens.globalA)).toBe(etag); // nothing written
  });

  it('lets an enterprise admin change chatEnabled but not the provider-management consent', async () => {
    const before = await api(`/api/admin/enterprises/${enterpriseA.id}`, tokens.adminA);
    const changed = await patch(enterpriseA.id, tokens.adminA, before.body.etag, { settings: { chatEnabled: !before.body.settings.chatEnabled } });
    expect(changed.status).toBe(200);
    expect(changed.body.settings.chatEnabled).toBe(!before.body.settings.chatEnabled);

    const refused = await patch(enterpriseA.id, tokens.adminA, changed.body.etag, { settings: { allowProviderManagement: true } });
    expect(expectError(refused, 403, 'forbidden').message).toMatch(/global admin/);
    const after = await api(`/api/admin/enterprises/${enterpriseA.id}`, tokens.adminA);
    expect(after.body.settings.allowProviderManagement).toBe(false);
    expect(after.body.etag).toBe(changed.body.etag);
  });

  it("keeps a provider admin out until the enterprise's global admin allows provider management", async () => {
    const id = enterpriseA.id;
    // The provider admin may see the enterprise ...
    const seen = await api(`/api/admin/enterprises/${id}`, tokens.providerOne);
    expect(seen.status).toBe(200);
    expect(seen.body.settings.allowProviderManagement).toBe(false);
    // ... but not administer it.
    expect(expectError(await patch(id, tokens.providerOne, seen.body.etag, { name: 'Alpha Inc' }), 403, 'forbidden').message).toMatch(/not allowed management/);
    expectError(await api(`/api/admin/enterprises/${id}/activity`, tokens.providerOne), 403, 'forbidden');

    const allowed = await patch(id, tokens.globalA, seen.body.etag, { settings: { allowProviderManagement: true } });
    expect(allowed.status).toBe(200);
    expect(allowed.body.settings.allowProviderManagement).toBe(true);

    const renamed = await patch(id, tokens.providerOne, allowed.body.etag, { name: 'Alpha Inc' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Alpha Inc');
    const feed = await api(`/api/admin/enterprises/${id}/activity`, tokens.providerOne);
    expect(feed.status).toBe(200);
    expect(feed.body.items[0]).toMatchObject({ action: 'enterprise.updated', actor: { role: 'provider-admin', name: 'Pat One' }, after: { name: 'Alpha Inc' } });

    // Even allowed in, the provider admin cannot take the consent back; the global admin can.
    expectError(await patch(id, tokens.providerOne, renamed.body.etag, { settings: { allowProviderManagement: false } }), 403, 'forbidden');
    const withdrawn = await patch(id, tokens.globalA, renamed.body.etag, { settings: { allowProviderManagement: false } });
    expect(withdrawn.status).toBe(200);
    expectError(await patch(id, tokens.providerOne, withdrawn.body.etag, { name: 'Alpha Again' }), 403, 'forbidden');
  });

  it("answers 404, not 403, when an enterprise's admin reaches for another enterprise", async () => {
    const etagB = await currentEtag(enterpriseB.id, tokens.providerTwo);
    const missing = randomUUID();
    const notFoundMessage = (await api(`/api/admin/enterprises/${missing}`, tokens.globalA)).body.error.message as string;

    const answers = [
      await api(`/api/admin/enterprises/${enterpriseB.id}`, tokens.globalA),
      await patch(enterpriseB.id, tokens.globalA, etagB, { name: 'Taken over' }),
      await api(`/api/admin/enterprises/${enterpriseB.id}/activity`, tokens.globalA),
    ];
    for (const answer of answers) {
      // Indistinguishable from an enterprise that does not exist.
      expect(expectError(answer, 404, 'not_found').message).toBe(notFoundMessage.replace(missing, enterpriseB.id));
    }
    expect(await currentEtag(enterpriseB.id, tokens.providerTwo)).toBe(etagB);
  });

  it("answers 404 when a provider admin reaches for another provider's enterprise", async () => {
    // Bravo lets its provider manage it: the refusal must come from the provider boundary.
    const etagB = await currentEtag(enterpriseB.id, tokens.globalB);
    const allowed = await patch(enterpriseB.id, tokens.globalB, etagB, { settings: { allowProviderManagement: true } });
    expect(allowed.status).toBe(200);
    expect((await api(`/api/admin/enterprises/${enterpriseB.id}/activity`, tokens.providerTwo)).status).toBe(200);

    expectError(await api(`/api/admin/enterprises/${enterpriseB.id}`, tokens.providerOne), 404, 'not_found');
    expectError(await patch(enterpriseB.id, tokens.providerOne, allowed.body.etag, { name: 'Taken over' }), 404, 'not_found');
    expectError(await api(`/api/admin/enterprises/${enterpriseB.id}/activity`, tokens.providerOne), 404, 'not_found');
    expect((await api(`/api/admin/enterprises/${enterpriseB.id}`, tokens.providerTwo)).body.name).toBe('Bravo');
  });

  it("keeps each provider's own feed to itself", async () => {
    const feedOne = await api('/api/admin/activity', tokens.providerOne);
    const feedTwo = await api('/api/admin/activity', tokens.providerTwo);
    expect(feedOne.status).toBe(200);
    const namesOne = feedOne.body.items.map((e: { entity: { name: string } }) => e.entity.name);
    const namesTwo = feedTwo.body.items.map((e: { entity: { name: string } }) => e.entity.name);
    expect(namesOne).toEqual(expect.arrayContaining(['Alpha', 'Charlie']));
    expect(namesOne).not.toContain('Bravo');
    expect(namesTwo).toEqual(['Bravo']);
    expectError(await api('/api/admin/activity', tokens.globalA), 403, 'forbidden');
  });
});
