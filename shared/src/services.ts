import { ActivityLog, ACTIVITY_TABLE } from './audit/activity';
import { EnterpriseRepository, ENTERPRISES_TABLE } from './enterprises/repository';
import { EnterpriseService } from './enterprises/service';
import { UserDirectory } from './directory/user-directory';
import { UserRepository, USERS_TABLE } from './directory/user-repository';
import type { DirectorySource } from './directory/graph/source';
import { DirectorySync, type DirectorySyncOptions } from './directory/sync/directory-sync';
import { DIRECTORY_SYNC_TABLE, SyncStateRepository } from './directory/sync/sync-state';
import type { TableStore } from './store/table-store';

/** Every table the product uses; created on start. */
export const TABLES = [ENTERPRISES_TABLE, ACTIVITY_TABLE, USERS_TABLE, DIRECTORY_SYNC_TABLE] as const;

/** The service layer wired to one store: what the bot and the API call. */
export interface Services {
  store: TableStore;
  activity: ActivityLog;
  enterpriseRepository: EnterpriseRepository;
  enterprises: EnterpriseService;
  userRepository: UserRepository;
  /** The Users page: queries, export, tags, chat access, purge; writers of users call its invalidate/applyUsers. */
  users: UserDirectory;
  /** Keeps users in step with Microsoft Graph (absent source: sync is not configured). */
  directorySync: DirectorySync;
}

export interface ServiceOptions {
  /** Microsoft Graph (or the simulator); without it, directory sync answers that it is not configured. */
  directorySource?: DirectorySource;
  directorySync?: DirectorySyncOptions;
}

export async function createServices(store: TableStore, options: ServiceOptions = {}): Promise<Services> {
  await store.ensureTables(TABLES);
  const activity = new ActivityLog(store);
  const enterpriseRepository = new EnterpriseRepository(store);
  const userRepository = new UserRepository(store);
  // No GroupNumberSource yet: the SMS groups capability will provide one (rows then show group-owner numbers).
  const users = new UserDirectory(userRepository, enterpriseRepository, activity);
  const directorySync = new DirectorySync(
    { source: options.directorySource, enterprises: enterpriseRepository, users: userRepository, states: new SyncStateRepository(store), activity, listener: users },
    options.directorySync,
  );
  return { store, activity, enterpriseRepository, enterprises: new EnterpriseService(enterpriseRepository, activity), userRepository, users, directorySync };
}
