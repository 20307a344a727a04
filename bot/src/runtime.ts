import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import type { Server } from 'restify';
import { createServices, startAzurite, TableStore, TokenVerifier, type RunningAzurite, type Services, type TenantDirectory } from '@switchboard/shared';
import type { Config } from './config';
import { DEV_AUDIENCE, DEV_AUTHORITY, DEV_PROVIDER_TENANT, DevSignIn } from './dev/dev-sign-in';
import { seedDevData } from './dev/seed';
import { createServer } from './server';
import { createTeamsAdapter } from './teams/adapter';
import { createBotApplication } from './teams/bot';

export interface Runtime {
  url: string;
  server: Server;
  services: Services;
  logger: Logger;
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  logger?: Logger;
  /** Table name prefix; lets tests run several servers on one storage account. */
  tablePrefix?: string;
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

  try {
    const store = new TableStore(connectionString, options.tablePrefix ? { tablePrefix: options.tablePrefix } : {});
    const services = await createServices(store);

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
    const bot = createBotApplication(adapter, config.bot.appId, logger);
    const server = createServer({ config, logger, services, authenticator: verifier, ...(devSignIn ? { devSignIn } : {}), adapter, bot, version: VERSION });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    logger.info({ url, authMode: config.auth.mode }, 'Switchboard is listening');

    return {
      url,
      server,
      services,
      logger,
      async stop() {
        // Stop taking requests, let the ones in flight finish, then stop storage.
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await azurite?.stop();
      },
    };
  } catch (error) {
    await azurite?.stop();
    throw error;
  }
}
