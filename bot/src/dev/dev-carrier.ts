import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { formatInternational, type CarrierConnection, type E164, type PhoneNumberEntry, type Principal, type Services, type SimulatorCredentials, type Stored } from '@switchboard/shared';
import { startCarrierSimulator, type CarrierSimulator } from '@switchboard/shared/simulators';
import { SMS_WEBHOOK_ROUTE } from '../http/mount';
import { devIdentities } from './dev-sign-in';

/**
 * Dev mode's carrier: the built-in carrier simulator, with a "Simulator" carrier
 * connection and a few inventory numbers for each demo enterprise of seed.ts, so a
 * developer can text those numbers as a customer (see phone-page.ts). Storage outlives
 * restarts (.data/), the simulator does not: each start finds the connection again,
 * reads its credentials back and registers them as a fresh simulator account.
 */
export const DEV_CONNECTION_NAME = 'Simulator';

/** Numbers each demo enterprise gets on its Simulator connection (ranges, both ends included). */
export const DEV_NUMBER_RANGES: ReadonlyArray<{ enterpriseId: string; from: string; to: string }> = [
  { enterpriseId: 'contoso', from: '+14255550100', to: '+14255550109' },
  { enterpriseId: 'fabrikam', from: '+16465550150', to: '+16465550154' },
];

/**
 * Demo users who hold a Simulator number, so their Messages tab works out of the box:
 * given at start when the number is free and the user holds no number of the enterprise.
 */
export const DEV_USER_NUMBERS: ReadonlyArray<{ enterpriseId: string; number: string; identity: string }> = [{ enterpriseId: 'contoso', number: '+14255550100', identity: 'contoso-user' }];

export interface DevConnection {
  enterpriseId: string;
  enterpriseName: string;
  connectionId: string;
}

/** An enterprise number a customer can text through the simulator. */
export interface DevNumber {
  number: E164;
  /** "+1 425 555 0100" */
  display: string;
  label: string;
  enterpriseId: string;
  enterpriseName: string;
  connectionId: string;
}

export interface DevCarrier {
  simulator: CarrierSimulator;
  baseUrl: string;
  connections: DevConnection[];
  /**
   * The inventory numbers on the Simulator connections, read now: numbers an admin put
   * on a Simulator connection since the start are registered with the simulator too.
   */
  numbers(): Promise<DevNumber[]>;
  stop(): Promise<void>;
}

export interface DevCarrierOptions {
  /** Where the simulator reaches this server: its local URL (the simulator runs on loopback). */
  publicBaseUrl: string;
  logger: Logger;
}

/** The setup acts as a global admin of each enterprise: Fabrikam does not let its provider manage it. */
function setupPrincipal(enterpriseId: string, tenantId: string): Principal {
  return { userId: 'dev-carrier-setup', name: 'Dev carrier setup', tenantId, role: 'global-admin', enterpriseId };
}

const newCredentials = (): SimulatorCredentials => ({ apiKey: `sim-${randomBytes(12).toString('hex')}`, signingSecret: randomBytes(24).toString('hex') });

/**
 * The enterprise's Simulator connection and its credentials, created when missing. One
 * whose credentials this process cannot unseal (storage kept, key not: e.g. a key per
 * process) is replaced: its numbers move to a new connection, then it is deleted.
 */
async function ensureConnection(services: Services, principal: Principal, enterpriseId: string): Promise<{ connectionId: string; credentials: SimulatorCredentials }> {
  const { carrierConnections } = services;
  let unreadable: Stored<CarrierConnection> | undefined;
  for await (const stored of carrierConnections.repository.listAll(enterpriseId)) {
    if (stored.value.type !== 'simulator' || stored.value.name !== DEV_CONNECTION_NAME) continue;
    const resolved = await carrierConnections.resolve(stored.value.id).catch(() => undefined);
    if (resolved) return { connectionId: stored.value.id, credentials: resolved.credentials as SimulatorCredentials };
    unreadable ??= stored;
  }
  const credentials = newCredentials();
  const created = await carrierConnections.create(principal, enterpriseId, { type: 'simulator', name: DEV_CONNECTION_NAME, credentials: { ...credentials } });
  if (unreadable) {
    const moving: Stored<PhoneNumberEntry>[] = [];
    for await (const stored of services.numberRepository.all(enterpriseId)) if (stored.value.carrierConnectionId === unreadable.value.id) moving.push(stored);
    for (const stored of moving) await services.numbers.update(principal, enterpriseId, stored.value.number, stored.etag, { carrierConnectionId: created.id });
    await carrierConnections.delete(principal, enterpriseId, unreadable.value.id, unreadable.etag);
  }
  return { connectionId: created.id, credentials };
}

async function giveDemoUsersNumbers(services: Services): Promise<void> {
  for (const { enterpriseId, number, identity } of DEV_USER_NUMBERS) {
    const user = devIdentities.find((candidate) => candidate.key === identity);
    const stored = await services.numberRepository.get(enterpriseId, number);
    if (!user || !stored || stored.value.holder) continue;
    if ((await services.numberCache.snapshot(enterpriseId)).heldBy('user', user.userId).length > 0) continue;
    // The inventory row is the truth of who holds a number (dev users are not in the synced directory).
    await services.numberRepository.update(stored, { ...stored.value, holder: { type: 'user', id: user.userId, name: user.name }, updatedAt: new Date().toISOString() });
    services.numberCache.invalidate(enterpriseId);
  }
}

export async function startDevCarrier(services: Services, options: DevCarrierOptions): Promise<DevCarrier> {
  const simulator = await startCarrierSimulator();
  const connections: Array<DevConnection & { apiKey: string }> = [];
  /** number → connection id it was registered for: a number two enterprises list goes to the first. */
  const registered = new Map<string, string>();
  try {
    for (const range of DEV_NUMBER_RANGES) {
      const enterprise = (await services.enterpriseRepository.byId(range.enterpriseId))?.value;
      if (!enterprise) {
        options.logger.warn({ enterpriseId: range.enterpriseId }, 'dev carrier: demo enterprise not found (not seeded?); skipped');
        continue;
      }
      const principal = setupPrincipal(enterprise.id, enterprise.tenantId);
      const { connectionId, credentials } = await ensureConnection(services, principal, enterprise.id);
      // Both webhooks go to the same route; the simulator signs them with the connection's secret.
      const webhookUrl = options.publicBaseUrl.replace(/\/$/, '') + SMS_WEBHOOK_ROUTE.replace(':type', 'simulator').replace(':connectionId', encodeURIComponent(connectionId));
      simulator.addAccount({ ...credentials, inboundWebhookUrl: webhookUrl, statusWebhookUrl: webhookUrl });
      // Numbers already in the inventory are left as they are: an admin may have changed them.
      await services.numbers.addRange(principal, enterprise.id, {
        from: range.from,
        to: range.to,
        carrierConnectionId: connectionId,
        capabilities: { sms: true, mms: true, voice: false },
        label: 'Simulator',
      });
      connections.push({ enterpriseId: enterprise.id, enterpriseName: enterprise.name, connectionId, apiKey: credentials.apiKey });
    }
    await giveDemoUsersNumbers(services);
    const listed = await numbers();
    options.logger.info({ url: simulator.baseUrl, connections: connections.map(({ enterpriseId, connectionId }) => ({ enterpriseId, connectionId })), numbers: listed.length }, 'carrier simulator started');
  } catch (error) {
    await simulator.stop();
    throw error;
  }

  async function numbers(): Promise<DevNumber[]> {
    const found: DevNumber[] = [];
    for (const connection of connections) {
      for await (const { value: entry } of services.numberRepository.all(connection.enterpriseId)) {
        if (entry.carrierConnectionId !== connection.connectionId) continue;
        const owner = registered.get(entry.number);
        if (owner === undefined) {
          simulator.assignNumber(entry.number, connection.apiKey);
          registered.set(entry.number, connection.connectionId);
        } else if (owner !== connection.connectionId) {
          continue;
        }
        const { enterpriseId, enterpriseName, connectionId } = connection;
        found.push({ number: entry.number, display: formatInternational(entry.number), label: entry.label, enterpriseId, enterpriseName, connectionId });
      }
    }
    return found;
  }

  return {
    simulator,
    baseUrl: simulator.baseUrl,
    connections: connections.map(({ enterpriseId, enterpriseName, connectionId }) => ({ enterpriseId, enterpriseName, connectionId })),
    numbers,
    stop: () => simulator.stop(),
  };
}
