import { ClientSecretCredential } from '@azure/identity';
import { Client } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { Agent } from 'undici';

export interface GraphConnection {
  /** https://graph.microsoft.com in production; the simulator's address in development and tests. */
  baseUrl: string;
  /** https://login.microsoftonline.com in production. */
  authorityHost: string;
  /** The multi-tenant app registration with User.Read.All and GroupMember.Read.All (application). */
  clientId: string;
  clientSecret: string;
  /** An extra CA to trust for both hosts (PEM), e.g. the simulator's self-signed one. */
  caCertificate?: string;
  /** The token scope; Graph's resource is https://graph.microsoft.com whatever address serves it. */
  scope?: string;
  /** Entries per Graph page (Graph's maximum for users is 999). */
  pageSize?: number;
}

export const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';

/** App-only credentials for one tenant, trusting the extra CA if there is one. */
export function graphCredential(connection: GraphConnection, tenantId: string): ClientSecretCredential {
  const { authorityHost, clientId, clientSecret, caCertificate } = connection;
  return new ClientSecretCredential(tenantId, clientId, clientSecret, {
    authorityHost,
    // With a stand-in authority, skip instance discovery (it asks login.microsoftonline.com).
    ...(caCertificate ? { tlsOptions: { ca: caCertificate }, disableInstanceDiscovery: true } : {}),
  });
}

/** The undici dispatcher that makes the Graph client's fetch trust the extra CA. */
export function trustingDispatcher(caCertificate: string): Agent {
  return new Agent({ connect: { ca: caCertificate } });
}

/** The official Graph client for one tenant. */
export function createGraphClient(connection: GraphConnection, tenantId: string, dispatcher?: Agent): Client {
  const { baseUrl } = connection;
  return Client.initWithMiddleware({
    authProvider: new TokenCredentialAuthenticationProvider(graphCredential(connection, tenantId), { scopes: [connection.scope ?? GRAPH_DEFAULT_SCOPE] }),
    baseUrl: baseUrl.replace(/\/?$/, '/'),
    // The client attaches the token only to Graph's hosts and these; it compares host names without the port.
    customHosts: new Set([new URL(baseUrl).hostname]),
    defaultVersion: 'v1.0',
    ...(dispatcher ? { fetchOptions: { dispatcher } as RequestInit } : {}),
  });
}
