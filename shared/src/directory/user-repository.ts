import { Repository, type RepositoryDefinition, type Stored } from '../store/repository';
import type { TableStore } from '../store/table-store';
import type { ChatAccess, DirectoryUser } from './user';

export const USERS_TABLE = 'users';

/**
 * An enterprise's users are spread over 16 partitions by a hash of the user id.
 * Table Storage serves about 2,000 entities per second per partition, so a 50,000-user
 * directory sync would crawl through one; the shards also keep each partition small
 * (Azurite's cost per write grows with the partition). Nothing needs a transaction
 * across users: number assignments live with the numbers.
 */
export const USER_SHARDS = 16;
const SHARD_SEPARATOR = '~u';

function shardOf(userId: string): number {
  // FNV-1a: cheap, stable, spreads GUIDs and arbitrary ids alike.
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % USER_SHARDS;
}

export function userPartition(enterpriseId: string, userId: string): string {
  return `${enterpriseId}${SHARD_SEPARATOR}${shardOf(userId).toString(16)}`;
}

function enterpriseOfPartition(partition: string): string {
  const at = partition.lastIndexOf(SHARD_SEPARATOR);
  return at < 0 ? partition : partition.slice(0, at);
}

const definition: RepositoryDefinition<DirectoryUser> = {
  table: USERS_TABLE,
  entityName: 'user',
  partitionOf: (u) => userPartition(u.enterpriseId, u.id),
  idOf: (u) => u.id,
  toEntity: (u) => ({
    userPrincipalName: u.userPrincipalName,
    displayName: u.displayName,
    mail: u.mail,
    accountEnabled: u.accountEnabled,
    userType: u.userType,
    teamsLicensed: u.teamsLicensed,
    teamsPhoneLicensed: u.teamsPhoneLicensed,
    removed: u.removed,
    inSelection: u.inSelection,
    tags: JSON.stringify(u.tags),
    smsEnabled: u.sms.enabled,
    smsNumbers: JSON.stringify(u.sms.numbers),
    chatAccess: u.chatAccess,
    syncedAt: u.syncedAt,
    updatedAt: u.updatedAt,
  }),
  fromEntity: (p, keys) => ({
    enterpriseId: enterpriseOfPartition(keys.partition),
    id: keys.id,
    userPrincipalName: String(p.userPrincipalName),
    displayName: String(p.displayName ?? ''),
    mail: typeof p.mail === 'string' ? p.mail : null,
    accountEnabled: p.accountEnabled !== false,
    userType: String(p.userType ?? 'Member'),
    teamsLicensed: p.teamsLicensed === true,
    teamsPhoneLicensed: p.teamsPhoneLicensed === true,
    removed: p.removed === true,
    inSelection: p.inSelection !== false,
    tags: JSON.parse(String(p.tags ?? '[]')) as string[],
    sms: { enabled: p.smsEnabled === true, numbers: JSON.parse(String(p.smsNumbers ?? '[]')) as string[] },
    chatAccess: (p.chatAccess ?? 'inherit') as ChatAccess,
    syncedAt: String(p.syncedAt ?? ''),
    updatedAt: String(p.updatedAt ?? ''),
  }),
};

/** The enterprise's directory users (see USER_SHARDS for how they are partitioned). */
export class UserRepository {
  private readonly rows: Repository<DirectoryUser>;

  constructor(store: TableStore) {
    this.rows = new Repository(store, definition);
  }

  get(enterpriseId: string, userId: string): Promise<Stored<DirectoryUser> | undefined> {
    return this.rows.get(userPartition(enterpriseId, userId), userId);
  }

  require(enterpriseId: string, userId: string): Promise<Stored<DirectoryUser>> {
    return this.rows.require(userPartition(enterpriseId, userId), userId);
  }

  create(user: DirectoryUser): Promise<Stored<DirectoryUser>> {
    return this.rows.create(user);
  }

  createMany(users: readonly DirectoryUser[]): Promise<Stored<DirectoryUser>[]> {
    return this.rows.createMany(users);
  }

  update(current: Stored<DirectoryUser>, next: DirectoryUser): Promise<Stored<DirectoryUser>> {
    return this.rows.update(current, next);
  }

  /** Conditional updates in transactions per shard; each entry is the saved user or its own error. */
  updateMany(changes: ReadonlyArray<{ current: Stored<DirectoryUser>; next: DirectoryUser }>): Promise<Array<Stored<DirectoryUser> | Error>> {
    return this.rows.updateMany(changes);
  }

  /** The users with these ids that exist, by id: a few queries per shard instead of a read each. */
  async getMany(enterpriseId: string, userIds: readonly string[]): Promise<Map<string, Stored<DirectoryUser>>> {
    const byShard = new Map<string, string[]>();
    for (const id of userIds) {
      const partition = userPartition(enterpriseId, id);
      byShard.set(partition, [...(byShard.get(partition) ?? []), id]);
    }
    const found = new Map<string, Stored<DirectoryUser>>();
    await Promise.all([...byShard].map(async ([partition, ids]) => {
      for (const [id, stored] of await this.rows.getMany(partition, ids)) found.set(id, stored);
    }));
    return found;
  }

  delete(current: Stored<DirectoryUser>): Promise<void> {
    return this.rows.delete(current);
  }

  /** Every user of the enterprise: the shards are read in parallel, then yielded shard by shard. */
  async *listAll(enterpriseId: string): AsyncGenerator<Stored<DirectoryUser>> {
    const shards = Array.from({ length: USER_SHARDS }, (_, shard) => `${enterpriseId}${SHARD_SEPARATOR}${shard.toString(16)}`);
    const read = shards.map(async (partition) => {
      const rows: Stored<DirectoryUser>[] = [];
      for await (const stored of this.rows.listAll(partition)) rows.push(stored);
      return rows;
    });
    for (const rows of read) yield* await rows;
  }
}
