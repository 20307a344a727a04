import { Repository, type RepositoryDefinition } from '../store/repository';
import type { TableStore } from '../store/table-store';
import type { ChatAccess, DirectoryUser } from './user';

export const USERS_TABLE = 'users';

const definition: RepositoryDefinition<DirectoryUser> = {
  table: USERS_TABLE,
  entityName: 'user',
  partitionOf: (u) => u.enterpriseId,
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
    enterpriseId: keys.partition,
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

/** The enterprise's directory users, one partition per enterprise. */
export class UserRepository extends Repository<DirectoryUser> {
  constructor(store: TableStore) {
    super(store, definition);
  }
}
