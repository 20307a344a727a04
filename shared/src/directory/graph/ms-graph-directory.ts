import { GraphError, type Client } from '@microsoft/microsoft-graph-client';
import type { Agent } from 'undici';
import { createGraphClient, trustingDispatcher, type GraphConnection } from './graph-client';
import { DeltaExpiredError, GraphRequestFailedError, GraphUnavailableError, USER_SELECT, type DirectorySource, type GraphGroup, type GraphPage, type GraphUser } from './source';

interface ODataPage<T> {
  value?: T[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/**
 * Microsoft Graph through the official client, app-only: one client per tenant,
 * each with a client-credentials token for that tenant from @azure/identity.
 */
export class MsGraphDirectory implements DirectorySource {
  private readonly clients = new Map<string, Client>();
  private readonly dispatcher?: Agent;

  constructor(private readonly connection: GraphConnection) {
    if (connection.caCertificate) this.dispatcher = trustingDispatcher(connection.caCertificate);
  }

  private client(tenantId: string): Client {
    let client = this.clients.get(tenantId);
    if (!client) {
      client = createGraphClient(this.connection, tenantId, this.dispatcher);
      this.clients.set(tenantId, client);
    }
    return client;
  }

  private async page<T>(tenantId: string, pathOrLink: string, query: Record<string, string> = {}): Promise<GraphPage<T>> {
    let request = this.client(tenantId).api(pathOrLink).header('Prefer', `odata.maxpagesize=${this.connection.pageSize ?? 999}`);
    if (Object.keys(query).length > 0) request = request.query(query);
    let answer: ODataPage<T>;
    try {
      answer = (await request.get()) as ODataPage<T>;
    } catch (error) {
      throw translate(error);
    }
    return {
      items: answer.value ?? [],
      ...(answer['@odata.nextLink'] ? { nextLink: answer['@odata.nextLink'] } : {}),
      ...(answer['@odata.deltaLink'] ? { deltaLink: answer['@odata.deltaLink'] } : {}),
    };
  }

  usersDelta(tenantId: string, link?: string): Promise<GraphPage<GraphUser>> {
    return link ? this.page(tenantId, link) : this.page(tenantId, '/users/delta', { $select: USER_SELECT.join(',') });
  }

  groupMembers(tenantId: string, groupId: string, link?: string): Promise<GraphPage<GraphUser>> {
    return link
      ? this.page(tenantId, link)
      : this.page(tenantId, `/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user`, { $select: USER_SELECT.join(',') });
  }

  groups(tenantId: string, options: { search?: string; link?: string } = {}): Promise<GraphPage<GraphGroup>> {
    if (options.link) return this.page(tenantId, options.link);
    const query: Record<string, string> = { $select: 'id,displayName,description' };
    // The client puts query values into the URL as they are: encode the user's text.
    if (options.search) query.$filter = `startswith(displayName,'${encodeURIComponent(options.search.replace(/'/g, "''"))}')`;
    return this.page(tenantId, '/groups', query);
  }
}

/** Graph's failures in the sync's terms: retry later, start over, or a real error. */
function translate(error: unknown): Error {
  if (error instanceof GraphError) {
    const status = error.statusCode;
    if (status === 410 || /resyncRequired|syncStateNotFound|syncStateInvalid/i.test(error.code ?? '')) {
      return new DeltaExpiredError(`Graph no longer accepts the delta link (${error.code ?? status}).`);
    }
    // The client reports a failed token request as status -1 too: that is no network blip.
    // (endpoints_resolution_error: the authority does not know the tenant.)
    const authFailed = status === -1 && /Authentication|Credential|AADSTS|invalid_client|unauthorized_client|endpoints_resolution/i.test(`${error.code ?? ''} ${error.message}`);
    if (authFailed) return new GraphRequestFailedError(`Signing in to Microsoft Graph failed: ${error.message}`);
    if (status === 429 || status === 408 || status >= 500 || status === -1) {
      const retryAfter = Number(error.headers?.get('Retry-After'));
      return new GraphUnavailableError(`Microsoft Graph answered ${status}${error.code ? ` (${error.code})` : ''}: ${error.message}`, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined);
    }
    return new GraphRequestFailedError(`Microsoft Graph answered ${status}${error.code ? ` (${error.code})` : ''}: ${error.message}`);
  }
  if (error instanceof Error && /ECONNREFUSED|ECONNRESET|ETIMEDOUT|fetch failed|socket/i.test(`${error.message} ${(error as { cause?: { code?: string } }).cause?.code ?? ''}`)) {
    return new GraphUnavailableError(`Microsoft Graph could not be reached: ${error.message}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}
