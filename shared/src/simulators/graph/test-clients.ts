import type { ClientSecretCredential } from '@azure/identity';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Agent } from 'undici';
import { createGraphClient, graphCredential, trustingDispatcher, type GraphConnection } from '../../directory/graph/graph-client';
import { SIMULATOR_CLIENT_SECRET } from './entra';
import type { GraphSimulator } from './simulator';

/**
 * How production code reaches a simulator: the same connection settings it takes for
 * the real Graph (base URL, authority host, CA), nothing else.
 */
export function simulatorConnection(simulator: GraphSimulator, clientId = 'switchboard-test-app', clientSecret = SIMULATOR_CLIENT_SECRET): GraphConnection {
  return { baseUrl: simulator.baseUrl, authorityHost: simulator.authorityHost, clientId, clientSecret, caCertificate: simulator.caCertificate };
}

/** The real clients, pointed at a simulator, for tests that talk to it directly. */
export interface SimulatorClients {
  credential: ClientSecretCredential;
  client: Client;
  /** Close it when done (`await dispatcher.close()`), or let the process end. */
  dispatcher: Agent;
}

export function simulatorCredential(simulator: GraphSimulator, tenantId: string, clientId?: string, clientSecret?: string): ClientSecretCredential {
  return graphCredential(simulatorConnection(simulator, clientId, clientSecret), tenantId);
}

export async function simulatorClients(simulator: GraphSimulator, tenantId: string, options: { clientId?: string; clientSecret?: string } = {}): Promise<SimulatorClients> {
  const connection = simulatorConnection(simulator, options.clientId, options.clientSecret);
  const dispatcher = trustingDispatcher(simulator.caCertificate);
  return { credential: graphCredential(connection, tenantId), client: createGraphClient(connection, tenantId, dispatcher), dispatcher };
}
