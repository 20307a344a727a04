import type { Dispatcher } from 'undici-types';

/**
 * An undici dispatcher for Node's global fetch (what @microsoft/microsoft-graph-client
 * uses) that trusts one extra CA, here the simulator's certificate, for this client
 * only: no NODE_EXTRA_CA_CERTS, no NODE_TLS_REJECT_UNAUTHORIZED, nothing global.
 *
 * Uses the `undici` package when it is installed (pin undici@6 on Node 20: its Agent
 * must speak the same dispatcher protocol as the undici bundled in Node's fetch).
 * Until then it borrows the Agent class that Node's own fetch uses, which Node does
 * not export; it is reached through the global dispatcher that fetch creates.
 */
export async function createTrustingDispatcher(caCertificate: string): Promise<Dispatcher> {
  const Agent = (await undiciAgentClass()) as new (options: { connect: { ca: string } }) => Dispatcher;
  return new Agent({ connect: { ca: caCertificate } });
}

async function undiciAgentClass(): Promise<unknown> {
  try {
    const name = 'undici'; // not a static import: the package is optional
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(name) as { Agent: unknown }).Agent;
  } catch {
    return bundledAgentClass();
  }
}

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

async function bundledAgentClass(): Promise<unknown> {
  await fetch('data:,'); // makes Node's fetch create its global dispatcher, an Agent
  // Under jest the test runs in a separate realm: the symbol lives on the realm that
  // owns fetch, so look there too (fetch.constructor is that realm's Function).
  const realms = [globalThis, (fetch.constructor as FunctionConstructor)('return globalThis')() as typeof globalThis];
  for (const realm of realms) {
    const dispatcher = (realm as unknown as Record<symbol, unknown>)[GLOBAL_DISPATCHER] as { constructor?: { name?: string } } | undefined;
    if (dispatcher?.constructor?.name === 'Agent') return dispatcher.constructor;
  }
  throw new Error('Cannot build a TLS dispatcher for fetch: install undici@6 (npm install undici@6).');
}
