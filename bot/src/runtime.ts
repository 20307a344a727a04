import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import type { Server } from 'restify';
import { readFileSync } from 'node:fs';
import {
  createServices,
  MsGraphDirectory,
  startAzurite,
  SyncScheduler,
  TableStore,
  TokenVerifier,
  type DirectorySource,
  type RunningAzurite,
  type Services,
  type TenantDirectory,
} from '@switchboard/shared';
import { simulatorConnection, startGraphSimulator, type GraphSimulator } from '@switchboard/shared/simulators';
import type { Config } from './config';
import { DEV_AUDIENCE, DEV_AUTHORITY, DEV_GRAPH_CLIENT_ID, DEV_PROVIDER_TENANT, DEV_TENANTS, DevSignIn } from './dev/dev-sign-in';
import { seedDevData } from './dev/seed';
import { startDevCarrier, type DevCarrier } from './dev/dev-carrier';
import { mountPhonePage } from './dev/phone-page';
import { createServer } from './server';
import { createTeamsAdapter } from './teams/adapter';
import { createBotApplication } from './teams/bot';
import { createTeamsChat, type TeamsChat } from './teams/delivery';

export interface Runtime {
  url: string;
  server: Server;
  services: Services;
  logger: Logger;
  /** The built-in Graph simulator, when the configuration asked for it (dev mode). */
  graphSimulator?: GraphSimulator;
  /** Settles when the Users page snapshots have been loaded at start (USERS_PRELOAD). */
  usersPreloaded?: Promise<void>;
  /** The built-in carrier simulator with the demo enterprises' Simulator connections (dev mode, when asked for). */
  devCarrier?: DevCarrier;
  /** SMS into Teams chats (delivery records, reachability) and sent confirmations. */
  teamsChat: TeamsChat;
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  logger?: Logger;
  /** Table name prefix; lets tests run several servers on one storage account. */
  tablePrefix?: string;
  /** Dev mode: start the built-in carrier simulator, its connections and numbers, and the customer phone page (/dev/phone). `npm start` asks for it; tests do not. */
  devCarrier?: boolean;
}

const VERSION: string = (require('../package.json') as { version: string }).version;

export function createLogger(config: Config): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'switchboard' },
    // Belt and braces: credentials must never reach the logs, whatever gets logged.
    redact: { paths: ['req.headers.authorization', '*.password', '*.secret', '*.token', '*.connectionString', '*.apiKey'], censor: '[redacted]' },
  });
}

/** Enterprise lookups by tenant happen on every API call; hits are cached briefly. */
function tenantDirectory(services: Services, providerTenantIds: readonly string[]): TenantDirectory {
  const cache = new Map<string, { enterpriseId: string; until: number }>();
  return {
    isProviderTenant: (tenantId) => providerTenantIds.includes(tenantId.toLowerCase()),
    async enterpriseIdOfTenant(tenantId) {
      const cached = cache.get(tenantId);
      if (cached && cached.until > Date.now()) return cached.enterpriseId;
      const found = await services.enterpriseRepository.byTenant(tenantId.toLowerCase());
      if (found) cache.set(tenantId, { enterpriseId: found.value.id, until: Date.now() + 30_000 });
      return found?.value.id;
    },
  };
}

/** Microsoft Graph as configured: the real one, the built-in simulator (dev), or none. */
async function directorySource(config: Config): Promise<{ source?: DirectorySource; simulator?: GraphSimulator }> {
  if (config.graph.mode === 'graph') {
    const { baseUrl, authorityHost, clientId, clientSecret, caFile, pageSize } = config.graph;
    return { source: new MsGraphDirectory({ baseUrl, authorityHost, clientId, clientSecret, pageSize, ...(caFile ? { caCertificate: readFileSync(caFile, 'utf8') } : {}) }) };
  }
  if (config.graph.mode === 'none') return {};
  // Demo directories for the dev enterprises, served over https like the real thing.
  const simulator = await startGraphSimulator({
    tenants: { [DEV_TENANTS.contoso]: { users: 250, seed: 1, domain: 'contoso.example', displayName: 'Contoso' }, [DEV_TENANTS.fabrikam]: { users: 60, seed: 2, domain: 'fabrikam.example', displayName: 'Fabrikam' } },
  });
  return { source: new MsGraphDirectory(simulatorConnection(simulator, DEV_GRAPH_CLIENT_ID)), simulator };
}

/** Loads each enterprise's Users page snapshot, one enterprise at a time, in the background. */
async function preloadUserSnapshots(services: Services, logger: Logger): Promise<void> {
  try {
    for await (const enterprise of services.enterpriseRepository.all()) await services.users.snapshot(enterprise.value.id);
    logger.info('Users page snapshots loaded');
  } catch (error) {
    logger.warn({ err: error }, 'preloading the Users page snapshots failed; they load on first use');
  }
}

/** Starts everything the configuration asks for and listens. */
export async function startRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config);
  let azurite: RunningAzurite | undefined;
  let connectionString: string;
  if ('connectionString' in config.storage) {
    connectionString = config.storage.connectionString;
  } else {
    const location = join(config.storage.embedded.dataDir, 'azurite');
    azurite = await startAzurite({ location, onOutput: (line) => logger.debug({ azurite: line }) });
    connectionString = azurite.connectionString;
    logger.info({ location }, 'embedded storage (Azurite) started');
  }

  let graph: { source?: DirectorySource; simulator?: GraphSimulator } = {};
  try {
    graph = await directorySource(config);
    if (graph.simulator) logger.info({ url: graph.simulator.baseUrl }, 'Microsoft Graph simulator started');
    const tablePrefix = options.tablePrefix ?? config.storage.tablePrefix;
    const store = new TableStore(connectionString, tablePrefix ? { tablePrefix } : {});
    const services = await createServices(store, {
      ...(graph.source ? { directorySource: graph.source } : {}),
      directorySync: { leaseMs: config.directorySync.leaseSeconds * 1000 },
      credentialKeyring: config.credentialKeyring,
      onRoutingError: (error, message) => logger.error({ err: error, enterpriseId: message.enterpriseId, messageId: message.id }, 'routing an inbound message failed; it stays received'),
      onMessagingError: (error, context) => logger.warn({ err: error, ...context }, 'messaging work failed; it will be retried'),
    });

    let devSignIn: DevSignIn | undefined;
    let verifier: TokenVerifier;
    if (config.auth.mode === 'dev') {
      devSignIn = await DevSignIn.create();
      await seedDevData(services);
      const providers = [DEV_PROVIDER_TENANT, ...config.auth.providerTenantIds];
      verifier = new TokenVerifier({ authority: DEV_AUTHORITY, audiences: [DEV_AUDIENCE], keys: { jwks: devSignIn.jwks } }, tenantDirectory(services, providers));
    } else {
      const { authority, audiences, jwksUri, providerTenantIds } = config.auth;
      verifier = new TokenVerifier({ authority, audiences, keys: { jwksUri } }, tenantDirectory(services, providerTenantIds));
    }

    const adapter = createTeamsAdapter(config);
    const teamsChat = createTeamsChat({ adapter, ...(config.bot.appId ? { botAppId: config.bot.appId } : {}), services, logger, defaultServiceUrl: config.teams.serviceUrl });
    // Listening before the server takes webhooks: every routed message reaches Teams.
    teamsChat.start();
    const bot = createBotApplication({ adapter, config, services, logger, teamsChat });
    const server = createServer({ config, logger, services, authenticator: verifier, ...(devSignIn ? { devSignIn } : {}), adapter, bot, version: VERSION });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    services.carrierConnections.publicBaseUrl = config.publicBaseUrl ?? url;
    if (!config.publicBaseUrl && config.auth.mode === 'entra') logger.warn({ url }, 'PUBLIC_BASE_URL is not set: carrier webhook URLs use the local address');
    logger.info({ url, authMode: config.auth.mode, publicBaseUrl: services.carrierConnections.publicBaseUrl }, 'Switchboard is listening');

    // Dev mode: a carrier to text with. It posts to the local URL (it runs on loopback); SIMULATOR_CARRIER_URL, when set, names another simulator.
    let devCarrier: DevCarrier | undefined;
    if (options.devCarrier && config.auth.mode === 'dev' && !config.outbound.carrierBaseUrls.simulator) {
      try {
        devCarrier = await startDevCarrier(services, { publicBaseUrl: url, logger });
      } catch (error) {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        throw error;
      }
      mountPhonePage(server, devCarrier, services);
      logger.info({ url: `${url}/dev/phone` }, 'customer phone page (dev)');
    }
    const carrierBaseUrls = { ...(devCarrier ? { simulator: devCarrier.baseUrl } : {}), ...config.outbound.carrierBaseUrls };

    const worker = config.outbound.worker ? services.createOutboundWorker({ concurrency: config.outbound.concurrency, carrierBaseUrls }) : undefined;
    if (worker) {
      // Started, it picks up what this process queues at once (the queue tells it), not at the next poll.
      worker.start();
      logger.info({ workerId: worker.workerId, concurrency: config.outbound.concurrency }, 'outbound worker started');
    }
    services.messageSweep.start();

    // The Users page answers from an in-memory snapshot per enterprise, and loading 50,000
    // users takes seconds: in production, load them now rather than on an admin's first visit.
    const usersPreloaded = config.usersPreload ? preloadUserSnapshots(services, logger) : undefined;

    const scheduler = new SyncScheduler(services.directorySync, services.enterpriseRepository, logger);
    if (config.directorySync.schedule) {
      scheduler.start();
      void scheduler.tick().catch((error: unknown) => logger.warn({ err: error }, 'first directory sync check failed'));
    }

    return {
      url,
      server,
      services,
      logger,
      ...(graph.simulator ? { graphSimulator: graph.simulator } : {}),
      ...(devCarrier ? { devCarrier } : {}),
      ...(usersPreloaded ? { usersPreloaded } : {}),
      teamsChat,
      async stop() {
        // Stop taking requests and starting syncs, let the work in flight finish, then stop storage.
        scheduler.stop();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await worker?.stop();
        await devCarrier?.stop();
        await services.messageSweep.stop();
        await services.directorySync.settleAll();
        await services.smsImports.settleAll();
        await services.inboundSms.settleAll();
        await services.outboundSms.settleAll();
        await teamsChat.stop();
        // The dashboard's buffered counts, after the last messages were handled.
        await services.messageStats.stop().catch((error: unknown) => logger.warn({ err: error }, "The dashboard's last counts were not written"));
        await graph.simulator?.stop();
        await azurite?.stop();
      },
    };
  } catch (error) {
    await graph.simulator?.stop();
    await azurite?.stop();
    throw error;
  }
}
