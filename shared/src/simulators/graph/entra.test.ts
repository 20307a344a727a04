import { request } from 'node:https';
import { verifyJwt } from './jwt';
import { startGraphSimulator, type GraphSimulator } from './simulator';
import { simulatorClients, simulatorCredential } from './test-clients';

const TENANT = '3f5e7d0a-1b2c-4d5e-8f90-a1b2c3d4e5f6';
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

/** A raw HTTPS call trusting the simulator's CA, for what the SDKs do not expose. */
function raw(sim: GraphSimulator, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: Record<string, unknown>; json: any }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, sim.baseUrl);
    const req = request(url, { method, headers, ca: sim.caCertificate }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('Graph simulator: Entra ID (token) side', () => {
  let sim: GraphSimulator;

  beforeAll(async () => {
    sim = await startGraphSimulator({ tenants: { [TENANT]: { users: 5 } }, clientSecrets: { 'switchboard-app': 's3cret' } });
  });
  afterAll(() => sim.stop());

  it('presents a certificate for 127.0.0.1 that only the given CA makes trusted', async () => {
    await expect(fetch(`${sim.baseUrl}/${TENANT}/v2.0/.well-known/openid-configuration`)).rejects.toThrow();
    const { status, json } = await raw(sim, 'GET', `/${TENANT}/v2.0/.well-known/openid-configuration`);
    expect(status).toBe(200);
    expect(json).toMatchObject({
      issuer: `${sim.authorityHost}/${TENANT}/v2.0`,
      token_endpoint: `${sim.authorityHost}/${TENANT}/oauth2/v2.0/token`,
      authorization_endpoint: `${sim.authorityHost}/${TENANT}/oauth2/v2.0/authorize`,
      jwks_uri: `${sim.authorityHost}/${TENANT}/discovery/v2.0/keys`,
    });
  });

  it('issues an app token to ClientSecretCredential (discovery, then client credentials)', async () => {
    sim.requests.length = 0;
    const credential = simulatorCredential(sim, TENANT, 'switchboard-app', 's3cret');
    const token = await credential.getToken(GRAPH_SCOPE);
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3000_000);
    const claims = JSON.parse(Buffer.from(token.token.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ tid: TENANT, appid: 'switchboard-app', aud: 'https://graph.microsoft.com', roles: ['User.Read.All', 'GroupMember.Read.All'], idtyp: 'app' });
    expect(sim.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      `GET /${TENANT}/v2.0/.well-known/openid-configuration 200`,
      `POST /${TENANT}/oauth2/v2.0/token 200`,
    ]);
    expect(sim.requests.every((r) => r.kind === 'entra' && r.tenantId === TENANT)).toBe(true);
  });

  it('answers the token endpoint in the v2.0 shape', async () => {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'switchboard-app', client_secret: 's3cret', scope: GRAPH_SCOPE });
    const { status, json } = await raw(sim, 'POST', `/${TENANT}/oauth2/v2.0/token`, { 'content-type': 'application/x-www-form-urlencoded' }, form.toString());
    expect(status).toBe(200);
    expect(json).toEqual({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: expect.any(String) });
    expect(json.access_token.split('.')).toHaveLength(3);
  });

  it('refuses a wrong secret with 401 invalid_client (AADSTS7000215)', async () => {
    const credential = simulatorCredential(sim, TENANT, 'switchboard-app', 'wrong');
    // @azure/identity 4 wraps MSAL's server error: the AAD error and code are in the message.
    await expect(credential.getToken(GRAPH_SCOPE)).rejects.toThrow(/^invalid_client: .*AADSTS7000215: Invalid client secret/);

    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'switchboard-app', client_secret: 'wrong', scope: GRAPH_SCOPE });
    const { status, json } = await raw(sim, 'POST', `/${TENANT}/oauth2/v2.0/token`, { 'content-type': 'application/x-www-form-urlencoded' }, form.toString());
    expect(status).toBe(401);
    expect(json).toMatchObject({ error: 'invalid_client', error_codes: [7000215], error_description: expect.stringMatching(/^AADSTS7000215: Invalid client secret/) });
  });

  it('refuses an unknown client id (AADSTS700016) and a non-Graph scope', async () => {
    await expect(simulatorCredential(sim, TENANT, 'someone-else', 's3cret').getToken(GRAPH_SCOPE)).rejects.toThrow(/^unauthorized_client: .*AADSTS700016/);

    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'switchboard-app', client_secret: 's3cret', scope: 'User.Read' });
    const { status, json } = await raw(sim, 'POST', `/${TENANT}/oauth2/v2.0/token`, { 'content-type': 'application/x-www-form-urlencoded' }, form.toString());
    expect(status).toBe(400);
    expect(json.error).toBe('invalid_scope');
  });

  it('refuses an unknown tenant (AADSTS90002) at discovery and at the token endpoint', async () => {
    const other = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    await expect(simulatorCredential(sim, other, 'switchboard-app', 's3cret').getToken(GRAPH_SCOPE)).rejects.toThrow();
    const discovery = await raw(sim, 'GET', `/${other}/v2.0/.well-known/openid-configuration`);
    expect(discovery.status).toBe(400);
    expect(discovery.json).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'switchboard-app', client_secret: 's3cret', scope: GRAPH_SCOPE });
    const token = await raw(sim, 'POST', `/${other}/oauth2/v2.0/token`, { 'content-type': 'application/x-www-form-urlencoded' }, form.toString());
    expect(token.status).toBe(400);
    expect(token.json).toMatchObject({ error: 'invalid_request', error_codes: [90002] });
  });

  it('accepts any client id with the documented default secret when no clientSecrets are configured', async () => {
    const open = await startGraphSimulator({ tenants: { [TENANT]: { users: 1 } } });
    try {
      const token = await simulatorCredential(open, TENANT, 'any-app-id').getToken(GRAPH_SCOPE);
      expect(token.token).toBeTruthy();
      await expect(simulatorCredential(open, TENANT, 'any-app-id', 'not-the-default').getToken(GRAPH_SCOPE)).rejects.toThrow(/AADSTS7000215/);
    } finally {
      await open.stop();
    }
  });

  describe('Graph routes demand a token from this simulator', () => {
    it('401 InvalidAuthenticationToken without a token', async () => {
      const { status, json, headers } = await raw(sim, 'GET', '/v1.0/users/delta');
      expect(status).toBe(401);
      expect(json.error).toMatchObject({ code: 'InvalidAuthenticationToken', message: 'Access token is empty.' });
      expect(headers['www-authenticate']).toMatch(/^Bearer/);
    });

    it('401 for a forged, a malformed and an expired token', async () => {
      const good = (await simulatorCredential(sim, TENANT, 'switchboard-app', 's3cret').getToken(GRAPH_SCOPE)).token;
      const [header, payload] = good.split('.');
      const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
      for (const token of [forged, 'not-a-jwt', `${header}.${Buffer.from(JSON.stringify({ tid: TENANT })).toString('base64url')}.x`]) {
        const { status, json } = await raw(sim, 'GET', '/v1.0/users/delta', { authorization: `Bearer ${token}` });
        expect(status).toBe(401);
        expect(json.error.code).toBe('InvalidAuthenticationToken');
      }
      const shortLived = await startGraphSimulator({ tenants: { [TENANT]: { users: 1 } }, tokenLifetimeSeconds: 1 });
      try {
        const token = (await simulatorCredential(shortLived, TENANT).getToken(GRAPH_SCOPE)).token;
        await new Promise((resolve) => setTimeout(resolve, 1100));
        const { status, json } = await raw(shortLived, 'GET', '/v1.0/users/delta', { authorization: `Bearer ${token}` });
        expect(status).toBe(401);
        expect(json.error.message).toMatch(/expired/);
      } finally {
        await shortLived.stop();
      }
    });

    it('a token from another simulator run is a forgery here', async () => {
      const other = await startGraphSimulator({ tenants: { [TENANT]: { users: 1 } } });
      try {
        const foreign = (await simulatorCredential(other, TENANT).getToken(GRAPH_SCOPE)).token;
        expect(verifyJwt(foreign, Buffer.alloc(32))).toEqual({ problem: 'signature' });
        const { status } = await raw(sim, 'GET', '/v1.0/users/delta', { authorization: `Bearer ${foreign}` });
        expect(status).toBe(401);
      } finally {
        await other.stop();
      }
    });

    it('the Graph client gets through with the credential', async () => {
      const { client } = await simulatorClients(sim, TENANT, { clientId: 'switchboard-app', clientSecret: 's3cret' });
      const org = await client.api('/organization').get();
      expect(org.value[0]).toMatchObject({ id: TENANT, displayName: 'Contoso', verifiedDomains: [{ name: 'contoso.onmicrosoft.com', isDefault: true }] });
    });
  });
});
