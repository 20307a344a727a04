import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { actorOf, type Principal } from '../access/principal';
import { requireAdminOf } from '../access/policy';
import type { ActivityLog } from '../audit/activity';
import { CARRIER_TYPES, type CarrierType } from '../carriers/types';
import { parseCarrierCredentials, redactCredentials, type CarrierCredentialsByType } from '../carriers/credentials';
import { decryptCredentials, encryptCredentials, type CredentialKeyring } from '../carriers/credentials-crypto';
import type { EnterpriseRepository } from '../enterprises/repository';
import type { Enterprise } from '../enterprises/schema';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import type { NumberRepository } from '../numbers/number-repository';
import { Repository, type RepositoryDefinition, type Stored } from '../store/repository';
import type { TableStore } from '../store/table-store';

export const CARRIER_CONNECTIONS_TABLE = 'carrierconnections';
/** connectionId → enterpriseId: webhooks name only the connection. */
export const CARRIER_CONNECTION_INDEX_TABLE = 'carrierconnectionindex';

/** A carrier account of one enterprise. `sealedCredentials` is AES-GCM sealed, bound to `{enterpriseId}/{id}`. */
export interface CarrierConnection {
  enterpriseId: string;
  id: string;
  type: CarrierType;
  name: string;
  sealedCredentials: string;
  createdAt: string;
  updatedAt: string;
}

const definition: RepositoryDefinition<CarrierConnection> = {
  table: CARRIER_CONNECTIONS_TABLE,
  entityName: 'carrier connection',
  partitionOf: (c) => c.enterpriseId,
  idOf: (c) => c.id,
  toEntity: ({ type, name, sealedCredentials, createdAt, updatedAt }) => ({ type, name, sealedCredentials, createdAt, updatedAt }),
  fromEntity: (p, keys) => ({
    enterpriseId: keys.partition,
    id: keys.id,
    type: String(p.type) as CarrierType,
    name: String(p.name),
    sealedCredentials: String(p.sealedCredentials),
    createdAt: String(p.createdAt),
    updatedAt: String(p.updatedAt),
  }),
};

interface ConnectionIndexRow {
  id: string;
  enterpriseId: string;
}

const INDEX_PARTITION = 'connections';
const indexDefinition: RepositoryDefinition<ConnectionIndexRow> = {
  table: CARRIER_CONNECTION_INDEX_TABLE,
  entityName: 'carrier connection',
  partitionOf: () => INDEX_PARTITION,
  idOf: (row) => row.id,
  toEntity: (row) => ({ enterpriseId: row.enterpriseId }),
  fromEntity: (p, keys) => ({ id: keys.id, enterpriseId: String(p.enterpriseId) }),
};

export class CarrierConnectionRepository extends Repository<CarrierConnection> {
  constructor(store: TableStore) {
    super(store, definition);
  }
}

export const carrierTypeSchema = z.enum(CARRIER_TYPES as unknown as [CarrierType, ...CarrierType[]]).describe('The carrier: twilio, telnyx, acs (Azure Communication Services) or simulator.');
const connectionNameSchema = z.string().trim().min(1, 'Give the connection a name.').max(100, 'A name has at most 100 characters.').regex(/^[^\p{Cc}]*$/u, 'A name cannot contain control characters.');
const credentialsInputSchema = z
  .record(z.string(), z.unknown())
  .describe('The carrier credentials (twilio: accountSid, authToken, apiKeySid?, apiKeySecret?; telnyx: apiKey, publicKey, messagingProfileId?; acs: endpoint, accessKey, webhookSecret; simulator: apiKey, signingSecret). Write-only: answers show secrets as ••••••••.');

export const createCarrierConnectionBodySchema = z
  .object({ type: carrierTypeSchema, name: connectionNameSchema, credentials: credentialsInputSchema })
  .strict()
  .meta({ id: 'CreateCarrierConnection' });

export const updateCarrierConnectionBodySchema = z
  .object({ name: connectionNameSchema.optional(), credentials: credentialsInputSchema.optional().describe('New credentials, complete; omit to keep the stored ones.') })
  .strict()
  .meta({ id: 'UpdateCarrierConnection' });

export const carrierConnectionViewSchema = z
  .object({
    id: z.string(),
    enterpriseId: z.string(),
    type: carrierTypeSchema,
    name: z.string(),
    credentials: z.record(z.string(), z.string()).describe('Identifiers as stored; secrets as ••••••••.'),
    webhookUrl: z.string().describe('The URL to configure at the carrier for inbound messages and status callbacks.'),
    createdAt: z.string(),
    updatedAt: z.string(),
    etag: z.string(),
  })
  .meta({ id: 'CarrierConnection' });

export const carrierConnectionListSchema = z.object({ items: z.array(carrierConnectionViewSchema) }).meta({ id: 'CarrierConnectionList' });

export type CarrierConnectionView = z.infer<typeof carrierConnectionViewSchema>;

/** A connection ready for webhooks: its enterprise and decrypted credentials (never leaves the server). */
export interface ResolvedConnection {
  connection: CarrierConnection;
  credentials: CarrierCredentialsByType[CarrierType];
}

export interface CarrierConnectionsDeps {
  store: TableStore;
  enterprises: EnterpriseRepository;
  numbers: NumberRepository;
  activity: ActivityLog;
  keyring: CredentialKeyring;
}

const sealContext = (enterpriseId: string, id: string) => `${enterpriseId}/${id}`;
const RESOLVE_TTL_MS = 30_000;

function credentialsOf(type: CarrierType, input: unknown): CarrierCredentialsByType[CarrierType] {
  try {
    return parseCarrierCredentials(type, input);
  } catch (error) {
    if (error instanceof ValidationError) {
      const details = error.details.map((d) => ({ path: d.path ? `credentials.${d.path}` : 'credentials', message: d.message }));
      throw new ValidationError(`The ${type} credentials have invalid fields: ${[...new Set(details.map((d) => d.path))].join(', ')}.`, details);
    }
    throw error;
  }
}

/** Carrier connections per enterprise: admin CRUD (secrets write-only) and the webhook's look-up. */
export class CarrierConnections {
  readonly repository: CarrierConnectionRepository;
  private readonly index: Repository<ConnectionIndexRow>;
  private readonly resolved = new Map<string, { value: ResolvedConnection | undefined; until: number }>();
  /** Where carriers reach this server (`PUBLIC_BASE_URL`); set by the runtime once it listens. */
  publicBaseUrl = 'http://127.0.0.1';

  constructor(private readonly deps: CarrierConnectionsDeps) {
    this.repository = new CarrierConnectionRepository(deps.store);
    this.index = new Repository(deps.store, indexDefinition);
  }

  webhookUrl(type: CarrierType, id: string): string {
    return `${this.publicBaseUrl.replace(/\/$/, '')}/api/sms/${type}/${encodeURIComponent(id)}`;
  }

  private view(stored: Stored<CarrierConnection>): CarrierConnectionView {
    const c = stored.value;
    const credentials = decryptCredentials<CarrierCredentialsByType[CarrierType]>(c.sealedCredentials, this.deps.keyring, sealContext(c.enterpriseId, c.id));
    return {
      id: c.id,
      enterpriseId: c.enterpriseId,
      type: c.type,
      name: c.name,
      credentials: redactCredentials(c.type, credentials) as Record<string, string>,
      webhookUrl: this.webhookUrl(c.type, c.id),
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      etag: stored.etag,
    };
  }

  private async adminOf(principal: Principal, enterpriseId: string, action: string): Promise<Enterprise> {
    const stored = await this.deps.enterprises.byId(enterpriseId);
    return requireAdminOf(principal, stored?.value, enterpriseId, action);
  }

  private async requireConnection(enterpriseId: string, id: string, etag?: string): Promise<Stored<CarrierConnection>> {
    const stored = await this.repository.get(enterpriseId, id);
    if (!stored) throw new NotFoundError(`No carrier connection with id "${id}".`);
    if (etag !== undefined && stored.etag !== etag) {
      throw new ConflictError(`The carrier connection ${stored.value.name} was changed by someone else since you loaded it. Reload it and apply your change again.`);
    }
    return stored;
  }

  async list(principal: Principal, enterpriseId: string): Promise<{ items: CarrierConnectionView[] }> {
    await this.adminOf(principal, enterpriseId, 'see carrier connections');
    const items: CarrierConnectionView[] = [];
    for await (const stored of this.repository.listAll(enterpriseId)) items.push(this.view(stored));
    items.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    return { items };
  }

  async get(principal: Principal, enterpriseId: string, id: string): Promise<CarrierConnectionView> {
    await this.adminOf(principal, enterpriseId, 'see carrier connections');
    return this.view(await this.requireConnection(enterpriseId, id));
  }

  async create(principal: Principal, enterpriseId: string, body: z.output<typeof createCarrierConnectionBodySchema>): Promise<CarrierConnectionView> {
    await this.adminOf(principal, enterpriseId, 'add carrier connections');
    const credentials = credentialsOf(body.type, body.credentials);
    const id = `cc${randomBytes(10).toString('hex')}`;
    const now = new Date().toISOString();
    const connection: CarrierConnection = {
      enterpriseId,
      id,
      type: body.type,
      name: body.name,
      sealedCredentials: encryptCredentials(credentials, this.deps.keyring, sealContext(enterpriseId, id)),
      createdAt: now,
      updatedAt: now,
    };
    // The look-up row first: a crash in between leaves a row pointing at nothing (a 404 for webhooks).
    await this.index.create({ id, enterpriseId });
    const stored = await this.repository.create(connection);
    this.resolved.delete(id);
    const view = this.view(stored);
    await this.deps.activity.record({
      scope: enterpriseId,
      actor: actorOf(principal),
      action: 'carrierConnection.created',
      entity: { type: 'carrierConnection', id, name: body.name },
      summary: `Added the ${body.type} carrier connection ${body.name}.`,
      after: { type: body.type, name: body.name, credentials: view.credentials },
    });
    return view;
  }

  async update(principal: Principal, enterpriseId: string, id: string, ifMatch: string, body: z.output<typeof updateCarrierConnectionBodySchema>): Promise<CarrierConnectionView> {
    await this.adminOf(principal, enterpriseId, 'change carrier connections');
    const current = await this.requireConnection(enterpriseId, id, ifMatch);
    const before = this.view(current);
    const next: CarrierConnection = { ...current.value, updatedAt: new Date().toISOString() };
    if (body.name !== undefined) next.name = body.name;
    if (body.credentials !== undefined) {
      next.sealedCredentials = encryptCredentials(credentialsOf(next.type, body.credentials), this.deps.keyring, sealContext(enterpriseId, id));
    }
    const stored = await this.repository.update(current, next);
    this.resolved.delete(id);
    const view = this.view(stored);
    await this.deps.activity.record({
      scope: enterpriseId,
      actor: actorOf(principal),
      action: 'carrierConnection.updated',
      entity: { type: 'carrierConnection', id, name: next.name },
      summary: body.credentials !== undefined ? `Changed the carrier connection ${next.name} (new credentials).` : `Changed the carrier connection ${next.name}.`,
      before: { name: before.name, credentials: before.credentials },
      after: { name: view.name, credentials: view.credentials, credentialsChanged: body.credentials !== undefined },
    });
    return view;
  }

  async delete(principal: Principal, enterpriseId: string, id: string, ifMatch: string): Promise<void> {
    await this.adminOf(principal, enterpriseId, 'delete carrier connections');
    const current = await this.requireConnection(enterpriseId, id, ifMatch);
    const using: string[] = [];
    for await (const stored of this.deps.numbers.all(enterpriseId)) if (stored.value.carrierConnectionId === id) using.push(stored.value.number);
    if (using.length > 0) {
      const shown = using.slice(0, 10).join(', ') + (using.length > 10 ? ` and ${using.length - 10} more` : '');
      throw new ConflictError(`The carrier connection ${current.value.name} still serves ${using.length === 1 ? 'the number' : `${using.length} numbers:`} ${shown}. Move ${using.length === 1 ? 'it' : 'them'} to another connection first.`, [
        { path: 'numbers', message: using.join(', ') },
      ]);
    }
    await this.repository.delete(current);
    const indexRow = await this.index.get(INDEX_PARTITION, id);
    if (indexRow) await this.index.delete(indexRow);
    this.resolved.delete(id);
    await this.deps.activity.record({
      scope: enterpriseId,
      actor: actorOf(principal),
      action: 'carrierConnection.deleted',
      entity: { type: 'carrierConnection', id, name: current.value.name },
      summary: `Deleted the carrier connection ${current.value.name}.`,
      before: { type: current.value.type, name: current.value.name },
    });
  }

  /** For webhooks (no user): the connection and its decrypted credentials, cached briefly. */
  async resolve(id: string): Promise<ResolvedConnection | undefined> {
    const cached = this.resolved.get(id);
    if (cached && cached.until > Date.now()) return cached.value;
    let value: ResolvedConnection | undefined;
    const row = /^[\w-]{1,100}$/.test(id) ? await this.index.get(INDEX_PARTITION, id) : undefined;
    const stored = row ? await this.repository.get(row.value.enterpriseId, id) : undefined;
    if (stored) {
      const c = stored.value;
      value = { connection: c, credentials: decryptCredentials(c.sealedCredentials, this.deps.keyring, sealContext(c.enterpriseId, c.id)) };
    }
    // Unknown ids are remembered only briefly: a connection created by another process shows up soon.
    this.resolved.set(id, { value, until: Date.now() + (value ? RESOLVE_TTL_MS : 2_000) });
    return value;
  }
}
