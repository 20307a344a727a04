import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCredentialKeyring, type CredentialKeyring } from '@switchboard/shared';
import { z } from 'zod';

/**
 * All configuration, read and validated once at start. A bad or missing setting
 * stops start-up with one line that names it and says how to fix it.
 */
export class ConfigError extends Error {}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const list = (value: string | undefined) => (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);

/** Each setting: its schema and the hint printed when it is wrong. */
const settings = {
  NODE_ENV: { schema: z.enum(['development', 'production', 'test']).default('development'), fix: 'use development, production or test' },
  PORT: { schema: z.coerce.number().int().min(0).max(65535).default(3978), fix: 'use a port number such as 3978 (0 picks a free port)' },
  HOST: { schema: z.string().min(1).optional(), fix: 'use an address to listen on, such as 127.0.0.1 or 0.0.0.0' },
  LOG_LEVEL: { schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), fix: 'use fatal, error, warn, info, debug, trace or silent' },
  AUTH_MODE: { schema: z.enum(['dev', 'entra']).optional(), fix: 'use entra (Microsoft Entra ID tokens from Teams SSO) or dev (local sign-in, loopback only)' },
  AUTH_AUTHORITY: { schema: z.url().default('https://login.microsoftonline.com'), fix: 'use the Entra authority host, e.g. https://login.microsoftonline.com' },
  AUTH_JWKS_URI: { schema: z.url().optional(), fix: 'use the URL of the signing keys, e.g. https://login.microsoftonline.com/common/discovery/v2.0/keys' },
  AUTH_CLIENT_ID: { schema: z.string().regex(GUID).optional(), fix: "use the client id (a GUID) of Switchboard's Entra app registration" },
  AUTH_AUDIENCES: { schema: z.string().optional(), fix: 'list accepted token audiences separated by commas, e.g. api://example.com/<client id>' },
  PROVIDER_TENANT_IDS: { schema: z.string().refine((v) => list(v).every((id) => GUID.test(id))).optional(), fix: "list the service provider's tenant ids (GUIDs) separated by commas" },
  STORAGE_CONNECTION_STRING: { schema: z.string().includes('=').optional(), fix: 'use an Azure Storage connection string, or leave it unset to run the embedded Azurite' },
  STORAGE_TABLE_PREFIX: { schema: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,20}$/).optional(), fix: 'use letters and digits, starting with a letter (up to 21), to keep several deployments apart in one storage account' },
  DATA_DIR: { schema: z.string().default('.data'), fix: 'use a folder for the embedded storage, e.g. .data' },
  TAB_DIST: { schema: z.string().optional(), fix: "use the folder of the built tab (tab/dist)" },
  BOT_ID: { schema: z.string().regex(GUID).optional(), fix: "use the bot's Microsoft App ID (a GUID)" },
  BOT_PASSWORD: { schema: z.string().optional(), fix: "use the bot's client secret" },
  BOT_TENANT_ID: { schema: z.string().regex(GUID).optional(), fix: "use the tenant id (a GUID) of the bot's app registration" },
  GRAPH_BASE_URL: { schema: z.url({ protocol: /^https$/ }).optional(), fix: 'use the https address of Microsoft Graph, e.g. https://graph.microsoft.com (unset in dev mode: the built-in simulator)' },
  GRAPH_AUTHORITY_HOST: { schema: z.url({ protocol: /^https$/ }).default('https://login.microsoftonline.com'), fix: 'use the https Entra authority host, e.g. https://login.microsoftonline.com' },
  GRAPH_CLIENT_ID: { schema: z.string().regex(GUID).optional(), fix: 'use the client id (a GUID) of the app registration with User.Read.All and GroupMember.Read.All' },
  GRAPH_CLIENT_SECRET: { schema: z.string().min(1).optional(), fix: "use that app registration's client secret" },
  GRAPH_CA_FILE: { schema: z.string().optional(), fix: 'use the path of a PEM certificate to trust for Graph and its authority (only for a Graph stand-in)' },
  GRAPH_PAGE_SIZE: { schema: z.coerce.number().int().min(1).max(999).default(999), fix: 'use the number of entries per Graph page, 1 to 999' },
  DIRECTORY_SYNC_SCHEDULE: { schema: z.enum(['on', 'off']).default('on'), fix: 'use on (sync each enterprise on its interval) or off (only on demand)' },
  DIRECTORY_SYNC_LEASE_SECONDS: { schema: z.coerce.number().int().min(2).max(3600).default(120), fix: 'use the seconds after which an interrupted sync may be resumed by another process, e.g. 120' },
  PUBLIC_BASE_URL: { schema: z.url({ protocol: /^https?$/ }).optional(), fix: 'use the https address carriers reach this server at, e.g. https://switchboard.contoso.com (webhook URLs and signatures use it)' },
  CREDENTIALS_KEYS: { schema: z.string().min(1).optional(), fix: 'use a key ring "id:key" or "newId:key,oldId:key" (first is current), each key 32 bytes in base64 or hex (openssl rand -base64 32)' },
  TWILIO_API_BASE_URL: { schema: z.url({ protocol: /^https?$/ }).optional(), fix: 'use the Twilio API origin, e.g. https://api.twilio.com (unset: that one)' },
  TELNYX_API_BASE_URL: { schema: z.url({ protocol: /^https?$/ }).optional(), fix: 'use the Telnyx API origin, e.g. https://api.telnyx.com (unset: that one)' },
  SIMULATOR_CARRIER_URL: { schema: z.url({ protocol: /^https?$/ }).optional(), fix: 'use the address of a running carrier simulator (unset in dev mode: the built-in one)' },
  OUTBOUND_WORKER: { schema: z.enum(['on', 'off']).default('on'), fix: 'use on (this process sends queued messages) or off (another process does)' },
  OUTBOUND_CONCURRENCY: { schema: z.coerce.number().int().min(1).max(1000).default(64), fix: 'use how many sends this process runs at once, 1 to 1000 (default 64)' },
  BOT_TYPE: { schema: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'), fix: 'use MultiTenant, SingleTenant or UserAssignedMSI' },
  OPENAI_API_KEY: { schema: z.string().min(1).optional(), fix: 'use an OpenAI API key (or of the OpenAI-compatible server at OPENAI_BASE_URL)' },
  OPENAI_BASE_URL: { schema: z.url({ protocol: /^https?$/ }).optional(), fix: 'use the API address, e.g. https://api.openai.com/v1 (http only on loopback)' },
  OPENAI_MODEL: { schema: z.string().min(1).optional(), fix: 'use a chat model with tool calling, e.g. gpt-4o-mini' },
  AZURE_OPENAI_ENDPOINT: { schema: z.url({ protocol: /^https$/ }).optional(), fix: 'use the https endpoint of the Azure OpenAI resource, e.g. https://contoso.openai.azure.com' },
  AZURE_OPENAI_API_KEY: { schema: z.string().min(1).optional(), fix: "use a key of the Azure OpenAI resource" },
  AZURE_OPENAI_DEPLOYMENT: { schema: z.string().min(1).optional(), fix: 'use the name of the chat model deployment (with tool calling), e.g. gpt-4o-mini' },
  AZURE_OPENAI_API_VERSION: { schema: z.string().regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/).default('2024-10-21'), fix: 'use an Azure OpenAI API version such as 2024-10-21' },
  TEAMS_SERVICE_URL: { schema: z.url({ protocol: /^https?$/ }).default('https://smba.trafficmanager.net/teams/'), fix: 'use the Bot Connector service URL for creating chats, e.g. https://smba.trafficmanager.net/teams/ (installs tell us the right one per tenant)' },
  USERS_PRELOAD: { schema: z.enum(['on', 'off']).optional(), fix: "use on (load every enterprise's users into memory at start, so the Users page answers at once) or off (on first use); unset: on in production" },
  PLAYGROUND: { schema: z.enum(['on', 'off']).default('off'), fix: 'use on (also start the Microsoft 365 Agents Playground, dev mode only; `npm start -- --playground` does) or off' },
  PLAYGROUND_PORT: { schema: z.coerce.number().int().min(1).max(65535).default(56150), fix: 'use the port for the Agents Playground, e.g. 56150 (a free one is taken when it is busy)' },
} as const;

type Raw = { [K in keyof typeof settings]: z.output<(typeof settings)[K]['schema']> };

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  logLevel: Raw['LOG_LEVEL'];
  auth:
    | { mode: 'dev'; providerTenantIds: string[] }
    | { mode: 'entra'; authority: string; jwksUri: string; clientId: string; audiences: string[]; providerTenantIds: string[] };
  storage: ({ connectionString: string } | { embedded: { dataDir: string } }) & { tablePrefix?: string };
  tabDist: string;
  bot: { appId?: string; password?: string; tenantId?: string; type: Raw['BOT_TYPE'] };
  /** Teams chats: the Bot Connector service URL used to create a chat when no install of the tenant told us one. */
  teams: { serviceUrl: string };
  /**
   * Microsoft Graph for the directory sync: the real one (credentials given), the
   * built-in simulator (dev mode without credentials), or none (sync not configured).
   */
  graph:
    | { mode: 'graph'; baseUrl: string; authorityHost: string; clientId: string; clientSecret: string; caFile?: string; pageSize: number }
    | { mode: 'simulator' }
    | { mode: 'none' };
  directorySync: { schedule: boolean; leaseSeconds: number };
  /** Load the Users page snapshots at start instead of on each enterprise's first visit. */
  usersPreload: boolean;
  /** Where carriers reach us; absent: the server's own URL (dev and test only). */
  publicBaseUrl?: string;
  /** Seals carrier credentials at rest. */
  credentialKeyring: CredentialKeyring;
  /** Sending: whether this process runs a worker, how many sends at once, and carrier API origins (loopback fakes in tests). */
  outbound: { worker: boolean; concurrency: number; carrierBaseUrls: { twilio?: string; telnyx?: string; simulator?: string } };
  /** The model behind plain-language chat actions; none: the deterministic parser. */
  ai: AiConfig;
  /** Dev mode: the Microsoft 365 Agents Playground to start beside the bot, when asked for. */
  playground?: { port: number; dataDir: string };
}

export type AiConfig =
  | { provider: 'none' }
  | { provider: 'openai'; apiKey: string; baseUrl: string; model: string }
  | { provider: 'azure'; endpoint: string; apiKey: string; deployment: string; apiVersion: string };

function fail(name: string, message: string): never {
  throw new ConfigError(`Configuration error: ${name} ${message}.`);
}

function readRaw(env: NodeJS.ProcessEnv): Raw {
  const raw: Record<string, unknown> = {};
  for (const [name, { schema, fix }] of Object.entries(settings)) {
    const value = env[name] === '' ? undefined : env[name];
    const parsed = (schema as z.ZodType).safeParse(value);
    if (!parsed.success) fail(name, `is "${value}": ${fix}`);
    raw[name] = parsed.data;
  }
  return raw as Raw;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = readRaw(env);
  const mode = raw.AUTH_MODE ?? (raw.NODE_ENV === 'production' ? 'entra' : 'dev');
  const host = raw.HOST ?? (mode === 'dev' ? '127.0.0.1' : '0.0.0.0');
  if (mode === 'dev' && !LOOPBACK.has(host)) {
    fail('AUTH_MODE', `is dev, which signs anyone in, but HOST is ${host}: dev sign-in only runs on loopback. Set HOST=127.0.0.1, or AUTH_MODE=entra`);
  }
  if (mode === 'dev' && raw.NODE_ENV === 'production') fail('AUTH_MODE', 'is dev while NODE_ENV is production: set AUTH_MODE=entra');
  const providerTenantIds = list(raw.PROVIDER_TENANT_IDS).map((id) => id.toLowerCase());

  let auth: Config['auth'];
  if (mode === 'entra') {
    if (!raw.AUTH_CLIENT_ID) fail('AUTH_CLIENT_ID', "is missing: AUTH_MODE=entra needs the client id (a GUID) of Switchboard's Entra app registration");
    const authority = raw.AUTH_AUTHORITY.replace(/\/$/, '');
    auth = {
      mode,
      authority,
      jwksUri: raw.AUTH_JWKS_URI ?? `${authority}/common/discovery/v2.0/keys`,
      clientId: raw.AUTH_CLIENT_ID,
      audiences: [raw.AUTH_CLIENT_ID, ...list(raw.AUTH_AUDIENCES)],
      providerTenantIds,
    };
  } else {
    auth = { mode, providerTenantIds };
  }
  let graph: Config['graph'];
  if (raw.GRAPH_CLIENT_ID || raw.GRAPH_CLIENT_SECRET || raw.GRAPH_BASE_URL) {
    if (!raw.GRAPH_CLIENT_ID) fail('GRAPH_CLIENT_ID', 'is missing while other GRAPH_ settings are set: give the client id (a GUID) of the directory app registration');
    if (!raw.GRAPH_CLIENT_SECRET) fail('GRAPH_CLIENT_SECRET', 'is missing while GRAPH_CLIENT_ID is set: give that app registration\'s client secret');
    graph = {
      mode: 'graph',
      baseUrl: (raw.GRAPH_BASE_URL ?? 'https://graph.microsoft.com').replace(/\/$/, ''),
      authorityHost: raw.GRAPH_AUTHORITY_HOST.replace(/\/$/, ''),
      clientId: raw.GRAPH_CLIENT_ID,
      clientSecret: raw.GRAPH_CLIENT_SECRET,
      pageSize: raw.GRAPH_PAGE_SIZE,
      ...(raw.GRAPH_CA_FILE ? { caFile: resolve(raw.GRAPH_CA_FILE) } : {}),
    };
  } else {
    graph = { mode: mode === 'dev' ? 'simulator' : 'none' };
  }

  if (mode === 'entra' && !raw.BOT_ID) fail('BOT_ID', "is missing: the bot needs its Microsoft App ID (a GUID) outside dev mode");

  let publicBaseUrl: string | undefined;
  if (raw.PUBLIC_BASE_URL) {
    const url = new URL(raw.PUBLIC_BASE_URL);
    if (url.protocol !== 'https:' && !(mode === 'dev' && LOOPBACK.has(url.hostname.replace(/^\[|\]$/g, '')))) {
      fail('PUBLIC_BASE_URL', `is "${raw.PUBLIC_BASE_URL}": carriers must call an https address (http only for loopback in dev mode)`);
    }
    if (url.search || url.hash) fail('PUBLIC_BASE_URL', `is "${raw.PUBLIC_BASE_URL}": give the address without query or fragment, e.g. https://switchboard.contoso.com`);
    publicBaseUrl = `${url.origin}${url.pathname}`.replace(/\/$/, '');
  }

  let credentialKeyring: CredentialKeyring;
  if (raw.CREDENTIALS_KEYS) {
    try {
      credentialKeyring = parseCredentialKeyring(raw.CREDENTIALS_KEYS);
    } catch {
      fail('CREDENTIALS_KEYS', `is not a key ring: ${settings.CREDENTIALS_KEYS.fix}`);
    }
  } else if (mode === 'entra') {
    fail('CREDENTIALS_KEYS', `is missing: AUTH_MODE=entra needs the key that seals carrier credentials; ${settings.CREDENTIALS_KEYS.fix}`);
  } else if (raw.STORAGE_CONNECTION_STRING) {
    // Dev/test on an external account: a key for this process only (credentials saved by another process do not decrypt).
    credentialKeyring = parseCredentialKeyring(`process:${randomBytes(32).toString('base64')}`);
  } else {
    credentialKeyring = devKeyring(resolve(raw.DATA_DIR));
  }

  const ai = aiConfig(raw);
  if (raw.PLAYGROUND === 'on') {
    // The Playground sends unauthenticated activities: only a dev-mode bot without BOT_ID takes them.
    if (mode !== 'dev') fail('PLAYGROUND', 'is on outside dev mode: the Agents Playground is a local test client; set PLAYGROUND=off');
    if (raw.BOT_ID) fail('PLAYGROUND', 'is on while BOT_ID is set: the bot would refuse the Playground\'s unauthenticated activities; unset BOT_ID for local use');
  }

  return {
    env: raw.NODE_ENV,
    port: raw.PORT,
    host,
    logLevel: raw.LOG_LEVEL,
    auth,
    storage: {
      ...(raw.STORAGE_CONNECTION_STRING ? { connectionString: raw.STORAGE_CONNECTION_STRING } : { embedded: { dataDir: resolve(raw.DATA_DIR) } }),
      ...(raw.STORAGE_TABLE_PREFIX ? { tablePrefix: raw.STORAGE_TABLE_PREFIX } : {}),
    },
    tabDist: resolve(raw.TAB_DIST ?? resolve(__dirname, '../../tab/dist')),
    bot: { appId: raw.BOT_ID, password: raw.BOT_PASSWORD, tenantId: raw.BOT_TENANT_ID, type: raw.BOT_TYPE },
    teams: { serviceUrl: raw.TEAMS_SERVICE_URL },
    graph,
    directorySync: { schedule: raw.DIRECTORY_SYNC_SCHEDULE === 'on', leaseSeconds: raw.DIRECTORY_SYNC_LEASE_SECONDS },
    usersPreload: (raw.USERS_PRELOAD ?? (raw.NODE_ENV === 'production' ? 'on' : 'off')) === 'on',
    ...(publicBaseUrl ? { publicBaseUrl } : {}),
    credentialKeyring,
    outbound: {
      worker: raw.OUTBOUND_WORKER === 'on',
      concurrency: raw.OUTBOUND_CONCURRENCY,
      carrierBaseUrls: {
        ...(raw.TWILIO_API_BASE_URL ? { twilio: raw.TWILIO_API_BASE_URL.replace(/\/$/, '') } : {}),
        ...(raw.TELNYX_API_BASE_URL ? { telnyx: raw.TELNYX_API_BASE_URL.replace(/\/$/, '') } : {}),
        ...(raw.SIMULATOR_CARRIER_URL ? { simulator: raw.SIMULATOR_CARRIER_URL.replace(/\/$/, '') } : {}),
      },
    },
    ai,
    ...(raw.PLAYGROUND === 'on' ? { playground: { port: raw.PLAYGROUND_PORT, dataDir: resolve(raw.DATA_DIR) } } : {}),
  };
}

/** OpenAI or Azure OpenAI for the chat's plain-language actions, or neither (the embedded default). */
function aiConfig(raw: Raw): AiConfig {
  const openai = raw.OPENAI_API_KEY || raw.OPENAI_BASE_URL || raw.OPENAI_MODEL;
  const azure = raw.AZURE_OPENAI_ENDPOINT || raw.AZURE_OPENAI_API_KEY || raw.AZURE_OPENAI_DEPLOYMENT;
  if (openai && azure) fail('OPENAI_API_KEY', 'and AZURE_OPENAI_ settings are both set: configure one model provider, OpenAI (OPENAI_*) or Azure OpenAI (AZURE_OPENAI_*), not both');
  if (openai) {
    if (!raw.OPENAI_API_KEY) fail('OPENAI_API_KEY', 'is missing while OPENAI_BASE_URL or OPENAI_MODEL is set: give the API key');
    const baseUrl = (raw.OPENAI_BASE_URL ?? 'https://api.openai.com/v1').replace(/\/$/, '');
    const url = new URL(baseUrl);
    if (url.protocol !== 'https:' && !LOOPBACK.has(url.hostname.replace(/^\[|\]$/g, ''))) fail('OPENAI_BASE_URL', `is "${baseUrl}": the API key travels with every request, so use https (http only on loopback)`);
    return { provider: 'openai', apiKey: raw.OPENAI_API_KEY, baseUrl, model: raw.OPENAI_MODEL ?? 'gpt-4o-mini' };
  }
  if (azure) {
    if (!raw.AZURE_OPENAI_ENDPOINT) fail('AZURE_OPENAI_ENDPOINT', `is missing while other AZURE_OPENAI_ settings are set: ${settings.AZURE_OPENAI_ENDPOINT.fix}`);
    if (!raw.AZURE_OPENAI_API_KEY) fail('AZURE_OPENAI_API_KEY', `is missing while AZURE_OPENAI_ENDPOINT is set: ${settings.AZURE_OPENAI_API_KEY.fix}`);
    if (!raw.AZURE_OPENAI_DEPLOYMENT) fail('AZURE_OPENAI_DEPLOYMENT', `is missing while AZURE_OPENAI_ENDPOINT is set: ${settings.AZURE_OPENAI_DEPLOYMENT.fix}`);
    return { provider: 'azure', endpoint: raw.AZURE_OPENAI_ENDPOINT.replace(/\/$/, ''), apiKey: raw.AZURE_OPENAI_API_KEY, deployment: raw.AZURE_OPENAI_DEPLOYMENT, apiVersion: raw.AZURE_OPENAI_API_VERSION };
  }
  return { provider: 'none' };
}

/** Dev mode on the embedded storage: a key generated once and kept beside the data (`{DATA_DIR}/credentials.key`). */
function devKeyring(dataDir: string): CredentialKeyring {
  const file = join(dataDir, 'credentials.key');
  try {
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true });
      try {
        writeFileSync(file, `dev:${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // another process wrote it first
      }
    }
    return parseCredentialKeyring(readFileSync(file, 'utf8').trim());
  } catch (error) {
    return fail('CREDENTIALS_KEYS', `is unset and the dev key file ${file} cannot be used (${(error as Error).message}): fix the file or set CREDENTIALS_KEYS`);
  }
}
