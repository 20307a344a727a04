import { ClientSecretCredential } from '@azure/identity';
import { Client } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { Agent } from 'undici';
import { SIMULATOR_CLIENT_SECRET } from './entra';
import type { GraphSimulator } from './simulator';

/**
 * The real clients, pointed at a simulator the way production code points them at a
 * configured Graph: authority host + CA for @azure/identity, base URL + custom host +
 * dispatcher for the Graph client. For tests (this folder's and the directory sync's).
 */
export interface SimulatorClients {
  credential: ClientSecretCredential;
  client: Client;
  /** Close it when done (`await dispatcher.close()`), or let the process end. */
  dispatcher: Agent;
}

export function simulatorCredential(simulator: GraphSimulator, tenantId: string, clientId = 'switchboard-test-app', clientSecret = SIMULATOR_CLIENT_SECRET): ClientSecretCredential {
  return new ClientSecretCredential(tenantId, clientId, clientSecret, {
    authorityHost: simulator.authorityHost,
    // Instance discovery asks login.microsoftonline.com which hosts are Entra; skip it.
    disableInstanceDiscovery: true,
    // MSAL's requests go through the Azure SDK pipeline, which takes the CA here.
    tlsOptions: { ca: simulator.caCertificate },
  });
}

export async function simulatorClients(simulator: GraphSimulator, tenantId: string, options: { clientId?: string; clientSecret?: string } = {}): Promise<SimulatorClients> {
  const credential = simulatorCredential(simulator, tenantId, options.clientId, options.clientSecret);
  // Trusts the simulator's CA for this client only (Node's fetch takes an undici@6 dispatcher).
  const dispatcher = new Agent({ connect: { ca: simulator.caCertificate } });
  const client = Client.initWithMiddleware({
    baseUrl: simulator.baseUrl,
    // The client attaches the bearer token only to Graph hosts and these (host names, no port).
    customHosts: new Set([new URL(simulator.baseUrl).hostname]),
    authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes: ['https://graph.microsoft.com/.default'] }),
    fetchOptions: { dispatcher },
  });
  return { credential, client, dispatcher };
}
