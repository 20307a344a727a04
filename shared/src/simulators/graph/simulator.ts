import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSelfSignedCertificate } from './certificate';
import { authenticate, handleEntra, type EntraContext } from './entra';
import { FaultPlan, type Fault, type FaultSwitches } from './faults';
import { serveGraph, type GraphContext } from './graph-api';
import { graphErrorBody, newRequestId, sendJson } from './http';
import { GraphRequestError } from './odata';
import { PagingTokens } from './paging-token';
import { TenantState, type SimulatedTenant } from './tenant';
import type { RecordedRequest, TenantSeed } from './types';

/**
 * A loopback HTTPS server that plays Microsoft Graph (under /v1.0) and the Entra ID
 * authority (discovery and token endpoints) on one port, for `npm start` in dev mode
 * and for tests. Production code reaches it only through configuration: the Graph base
 * URL, the authority host, and `caCertificate` as an extra trusted CA.
 */
export interface GraphSimulator {
  /** `https://127.0.0.1:PORT`; clients call `${baseUrl}/v1.0/...`. */
  baseUrl: string;
  /** The same origin: the server also plays login.microsoftonline.com. */
  authorityHost: string;
  /** PEM of the self-signed certificate the server presents; clients must trust it as a CA. */
  caCertificate: string;
  /** Throws for an unknown tenant. */
  tenant(tenantId: string): SimulatedTenant;
  /** Adds a generated tenant (see TenantSeed; `{ users: 0 }` for an empty one). Throws if it exists. */
  addTenant(tenantId: string, seed?: TenantSeed): SimulatedTenant;
  faults: FaultSwitches;
  /** Every request answered, in order; clear it with `requests.length = 0`. */
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

export interface GraphSimulatorOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * clientId -> secret the token endpoint accepts. When omitted, any client id is
   * accepted with the secret SIMULATOR_CLIENT_SECRET ('simulator-secret').
   */
  clientSecrets?: Record<string, string>;
  /** Tenants to create at start, by tenant id. */
  tenants?: Record<string, TenantSeed>;
  /** Page size when the client sends neither `Prefer: odata.maxpagesize` nor `$top` (default 100). */
  pageSize?: number;
  /** `expires_in` of issued access tokens (default 3599). */
  tokenLifetimeSeconds?: number;
}

/** Tenant ids the way @azure/identity accepts them (GUIDs, or domain names). */
const TENANT_ID = /^[0-9a-zA-Z-.]+$/;

function originFor(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `https://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

function readableQuery(url: URL): string {
  try {
    return decodeURIComponent(url.search.slice(1));
  } catch {
    return url.search.slice(1); // not valid percent-encoding: keep it as sent
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function faultResponse(fault: Fault): GraphRequestError {
  const codes: Record<number, [string, string]> = {
    429: ['TooManyRequests', 'Too many requests. Please retry after the time in the Retry-After header.'],
    500: ['generalException', 'An internal server error occurred (simulated).'],
    502: ['badGateway', 'Bad gateway (simulated).'],
    503: ['serviceNotAvailable', 'The service is temporarily unavailable (simulated). Please retry.'],
    504: ['gatewayTimeout', 'The gateway timed out (simulated).'],
  };
  const [code, message] = codes[fault.status] ?? ['UnknownError', `Simulated failure with status ${fault.status}.`];
  const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
  return new GraphRequestError(fault.status, code, message, headers);
}

export async function startGraphSimulator(options: GraphSimulatorOptions = {}): Promise<GraphSimulator> {
  const host = options.host ?? '127.0.0.1';
  const tenants = new Map<string, TenantState>();
  const faults = new FaultPlan();
  const requests: RecordedRequest[] = [];
  const signingSecret = randomBytes(32); // per simulator: tokens from another run are forgeries
  const { key, cert } = createSelfSignedCertificate();

  const findTenant = (idOrDomain: string): TenantState | undefined => {
    const wanted = idOrDomain.toLowerCase();
    return tenants.get(wanted) ?? [...tenants.values()].find((t) => t.domain === wanted);
  };
  const addTenant = (tenantId: string, seed?: TenantSeed): TenantState => {
    if (!TENANT_ID.test(tenantId)) throw new Error(`Tenant id "${tenantId}" has characters Entra does not allow; use a GUID.`);
    if (tenants.has(tenantId.toLowerCase())) throw new Error(`Tenant ${tenantId} already exists in the simulator.`);
    const tenant = new TenantState(tenantId, seed);
    tenants.set(tenantId.toLowerCase(), tenant);
    return tenant;
  };
  for (const [tenantId, seed] of Object.entries(options.tenants ?? {})) addTenant(tenantId, seed);

  // Contexts are completed once the port is known.
  const entra: EntraContext = { origin: '', findTenant, clientSecrets: options.clientSecrets, signingSecret, tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599 };
  const graph: GraphContext = { origin: '', tokens: new PagingTokens(randomBytes(32)), defaultPageSize: options.pageSize ?? 100 };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<RecordedRequest> {
    const url = new URL(req.url ?? '/', entra.origin);
    const record: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: readableQuery(url), params: Object.fromEntries(url.searchParams), tenantId: null, status: 0, kind: 'other' };
    const graphPath = /^\/(v1\.0|beta)(\/|$)/i.exec(url.pathname);
    if (!graphPath) {
      record.kind = 'entra';
      const { handled, tenantId } = await handleEntra(req, res, url, entra);
      record.tenantId = tenantId;
      if (!handled) {
        record.kind = 'other';
        sendJson(res, 404, { error: 'not_found', error_description: `Nothing at ${url.pathname} on the Graph simulator.` });
      }
      return record;
    }
    record.kind = 'graph';
    const requestId = newRequestId();
    try {
      const tenant = authenticate(req, entra);
      record.tenantId = tenant.id;
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      const fault = faults.next();
      if (fault) throw faultResponse(fault);
      if (graphPath[1]!.toLowerCase() !== 'v1.0') throw new GraphRequestError(400, 'BadRequest', 'The simulator serves the v1.0 endpoint only.');
      serveGraph(req, res, url.pathname.slice(graphPath[0].length), url.searchParams, tenant, graph, requestId);
    } catch (error) {
      if (!(error instanceof GraphRequestError)) throw error;
      sendJson(res, error.status, graphErrorBody(error.code, error.message, req, requestId), { 'request-id': requestId, ...error.headers });
    }
    return record;
  }

  const server: Server = createServer({ key, cert }, (req, res) => {
    handle(req, res).then(
      (record) => requests.push({ ...record, status: res.statusCode }),
      (error: unknown) => {
        // A bug in the simulator: answer 500 so the client sees it, and record it.
        if (!res.headersSent) sendJson(res, 500, { error: { code: 'SimulatorError', message: String((error as Error)?.stack ?? error) } });
        else res.destroy();
        requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', query: '', params: {}, tenantId: null, status: 500, kind: 'other' });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const origin = originFor(host, (server.address() as AddressInfo).port);
  entra.origin = origin;
  graph.origin = origin;

  return {
    baseUrl: origin,
    authorityHost: origin,
    caCertificate: cert,
    tenant(tenantId) {
      const tenant = findTenant(tenantId);
      if (!tenant) throw new Error(`No tenant ${tenantId} in the Graph simulator.`);
      return tenant;
    },
    addTenant,
    faults,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // keep-alive sockets from fetch would hold close() open
      }),
  };
}
