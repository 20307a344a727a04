import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { signJwt, verifyJwt } from './jwt';
import { readBody } from '../request-body';
import { sendJson } from './http';
import { GraphRequestError } from './odata';
import { Random, hashString } from './random';
import type { TenantState } from './tenant';

/**
 * The part of Microsoft Entra ID (login.microsoftonline.com) that an app using the
 * client-credentials flow touches: the tenant's OpenID configuration (what MSAL reads
 * before it asks for a token), the v2.0 token endpoint, and verification of the access
 * tokens it issued, for the Graph routes. Instance discovery is not served: MSAL sends
 * it to login.microsoftonline.com whatever the authority, so clients must pass
 * `disableInstanceDiscovery: true`.
 */

/** Without `clientSecrets`, the simulator accepts any client id with this secret. */
export const SIMULATOR_CLIENT_SECRET = 'simulator-secret';
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
/** The application permissions the directory sync needs; every token carries them. */
export const APP_ROLES = ['User.Read.All', 'GroupMember.Read.All'];
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);
const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);

export interface EntraContext {
  /** `https://127.0.0.1:PORT`: the simulator plays the authority host itself. */
  origin: string;
  findTenant(idOrDomain: string): TenantState | undefined;
  /** clientId -> secret; undefined accepts any client id with SIMULATOR_CLIENT_SECRET. */
  clientSecrets: Record<string, string> | undefined;
  signingSecret: Buffer;
  tokenLifetimeSeconds: number;
}

function aadError(res: ServerResponse, req: IncomingMessage, ctx: EntraContext, status: number, error: string, code: number, text: string): void {
  const traceId = randomUUID();
  const correlation = req.headers['client-request-id'];
  const correlationId = typeof correlation === 'string' ? correlation : randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  sendJson(
    res,
    status,
    {
      error,
      error_description: `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${ctx.origin}/error?code=${code}`,
    },
    { 'content-type': 'application/json; charset=utf-8' },
  );
}

const tenantNotFound = (tenant: string) =>
  `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. The simulator knows only the tenants it was started with or given by addTenant().`;

/** The v2.0 OpenID configuration; endpoints name the tenant by id, as Entra's do. */
function openIdConfiguration(ctx: EntraContext, tenantSegment: string): object {
  const base = `${ctx.origin}/${tenantSegment}`;
  const host = new URL(ctx.origin).host;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    // MSAL insists that the issuer has the authority's scheme, host and port.
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${ctx.origin}/oidc/userinfo`,
    // MSAL reads the tenant id from the first path segment of this endpoint.
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'],
    tenant_region_scope: 'NA',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: host,
    rbac_url: 'https://pas.windows.net',
  };
}

/** The resource of a client-credentials scope (`https://graph.microsoft.com/.default` -> Graph). */
function requestedResource(scope: string): { ok: true } | { ok: false; error: string; code: number; text: string } {
  const scopes = scope.split(/\s+/).filter((s) => s && !OIDC_SCOPES.has(s.toLowerCase()));
  const invalid = {
    ok: false as const,
    error: 'invalid_scope',
    code: 1002012,
    text: `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
  };
  if (scopes.length !== 1 || !scopes[0]!.toLowerCase().endsWith('/.default')) return invalid;
  const resource = scopes[0]!.slice(0, -'/.default'.length).replace(/\/+$/, '').toLowerCase();
  if (resource === GRAPH_RESOURCE || resource === GRAPH_APP_ID) return { ok: true };
  return { ok: false, error: 'invalid_resource', code: 500011, text: `The resource principal named ${resource} was not found in the tenant. The simulator serves Microsoft Graph only.` };
}

/** client_secret_post (what MSAL sends) or client_secret_basic. */
function clientCredentials(req: IncomingMessage, form: URLSearchParams): { clientId: string | null; secret: string | null } {
  const header = req.headers.authorization;
  if (header?.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { clientId: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  }
  return { clientId: form.get('client_id'), secret: form.get('client_secret') };
}

async function issueToken(req: IncomingMessage, res: ServerResponse, ctx: EntraContext, tenant: TenantState): Promise<void> {
  const contentType = req.headers['content-type'] ?? '';
  if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return aadError(res, req, ctx, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'. (Send application/x-www-form-urlencoded.)");
  }
  const form = new URLSearchParams((await readBody(req, 64 * 1024)).toString('utf8'));
  const grantType = form.get('grant_type');
  if (!grantType) return aadError(res, req, ctx, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
  if (grantType !== 'client_credentials') {
    return aadError(res, req, ctx, 400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'. The simulator supports client_credentials only.`);
  }
  const { clientId, secret } = clientCredentials(req, form);
  if (!clientId) return aadError(res, req, ctx, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
  if (form.has('client_assertion')) {
    return aadError(res, req, ctx, 400, 'invalid_request', 700027, 'Client assertion is not supported by the simulator; use a client secret.');
  }
  if (!secret) {
    return aadError(res, req, ctx, 401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }
  const expected = ctx.clientSecrets ? ctx.clientSecrets[clientId] : SIMULATOR_CLIENT_SECRET;
  if (expected === undefined) {
    return aadError(res, req, ctx, 400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`);
  }
  if (secret !== expected) {
    return aadError(res, req, ctx, 401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`);
  }
  const resource = requestedResource(form.get('scope') ?? '');
  if (!resource.ok) return aadError(res, req, ctx, 400, resource.error, resource.code, resource.text);

  const now = Math.floor(Date.now() / 1000);
  const servicePrincipalId = new Random(hashString(`${tenant.id}/${clientId}`)).guid();
  const accessToken = signJwt(
    {
      aud: GRAPH_RESOURCE,
      iss: `https://sts.windows.net/${tenant.id}/`,
      iat: now,
      nbf: now,
      exp: now + ctx.tokenLifetimeSeconds,
      appid: clientId,
      appidacr: '1',
      idp: `https://sts.windows.net/${tenant.id}/`,
      idtyp: 'app',
      oid: servicePrincipalId,
      roles: APP_ROLES,
      sub: servicePrincipalId,
      tid: tenant.id,
      uti: randomUUID(),
      ver: '1.0',
    },
    ctx.signingSecret,
  );
  sendJson(
    res,
    200,
    { token_type: 'Bearer', expires_in: ctx.tokenLifetimeSeconds, ext_expires_in: ctx.tokenLifetimeSeconds, access_token: accessToken },
    { 'content-type': 'application/json; charset=utf-8' },
  );
}

/**
 * Serves the Entra routes. Answers `{ handled: false }` for any other path, so the
 * caller can fall through; `tenantId` is the tenant the request named, for the record.
 */
export async function handleEntra(req: IncomingMessage, res: ServerResponse, url: URL, ctx: EntraContext): Promise<{ handled: boolean; tenantId: string | null }> {
  const segments = url.pathname.split('/').filter(Boolean);
  const [tenantSegment = '', ...rest] = segments;
  const route = rest.join('/').toLowerCase();
  const method = req.method ?? 'GET';

  const known = ['v2.0/.well-known/openid-configuration', 'oauth2/v2.0/token', 'discovery/v2.0/keys'];
  if (!known.includes(route)) return { handled: false, tenantId: null };

  const multiTenant = MULTI_TENANT.has(tenantSegment.toLowerCase());
  const tenant = multiTenant ? undefined : ctx.findTenant(tenantSegment);
  const tenantId = tenant?.id ?? null;
  if (route === 'oauth2/v2.0/token') {
    if (method !== 'POST') {
      aadError(res, req, ctx, 405, 'invalid_request', 900561, 'The endpoint only accepts POST requests.');
    } else if (!tenant) {
      if (multiTenant) aadError(res, req, ctx, 400, 'invalid_request', 900023, `Specified tenant identifier '${tenantSegment}' is not valid here: client credentials need the tenant's id.`);
      else aadError(res, req, ctx, 400, 'invalid_request', 90002, tenantNotFound(tenantSegment));
    } else {
      await issueToken(req, res, ctx, tenant);
    }
    return { handled: true, tenantId };
  }
  if (!tenant && !multiTenant) {
    aadError(res, req, ctx, 400, 'invalid_tenant', 90002, tenantNotFound(tenantSegment));
    return { handled: true, tenantId };
  }
  if (route === 'discovery/v2.0/keys') {
    // Tokens are HS256 with a secret only the simulator knows: there is no public key to publish.
    sendJson(res, 200, { keys: [] }, { 'content-type': 'application/json; charset=utf-8' });
  } else {
    sendJson(res, 200, openIdConfiguration(ctx, tenant ? tenant.id : '{tenantid}'), { 'content-type': 'application/json; charset=utf-8' });
  }
  return { handled: true, tenantId };
}

/** The tenant a Graph request's bearer token was issued for, or a 401 in Graph's shape. */
export function authenticate(req: IncomingMessage, ctx: EntraContext): TenantState {
  const fail = (message: string) =>
    new GraphRequestError(401, 'InvalidAuthenticationToken', message, {
      'www-authenticate': `Bearer realm="", authorization_uri="${ctx.origin}/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`,
    });
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw fail('Access token is empty.');
  const verified = verifyJwt(match[1]!, ctx.signingSecret);
  if ('problem' in verified) {
    throw fail(verified.problem === 'malformed' ? 'IDX14100: JWT is not well formed.' : 'Access token validation failure. Invalid signature.');
  }
  const { claims } = verified;
  if (claims.aud !== GRAPH_RESOURCE) throw fail('Access token validation failure. Invalid audience.');
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) throw fail('Lifetime validation failed, the token is expired.');
  const tenant = typeof claims.tid === 'string' ? ctx.findTenant(claims.tid) : undefined;
  if (!tenant) throw fail('Access token validation failure. The tenant does not exist.');
  return tenant;
}
