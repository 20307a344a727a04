import { ActivityLog, ACTIVITY_TABLE } from './audit/activity';
import { EnterpriseRepository, ENTERPRISES_TABLE } from './enterprises/repository';
import { EnterpriseService } from './enterprises/service';
import { UserDirectory } from './directory/user-directory';
import { UserRepository, USERS_TABLE } from './directory/user-repository';
import type { DirectorySource } from './directory/graph/source';
import { DirectorySync, type DirectorySyncOptions } from './directory/sync/directory-sync';
import { DIRECTORY_SYNC_TABLE, SyncStateRepository } from './directory/sync/sync-state';
import { NumberCache } from './numbers/number-cache';
import { NumberRepository, NUMBERS_TABLE } from './numbers/number-repository';
import { NumberInventory } from './numbers/inventory';
import { SmsAssignments } from './numbers/sms-assignments';
import { SmsGroupRepository, SMS_GROUPS_TABLE } from './numbers/sms-group';
import { SmsGroups } from './numbers/sms-groups';
import { ConnectSms } from './numbers/connect-sms';
import { SmsImports, type SmsImportsOptions } from './numbers/import-service';
import { SmsImportRepository, SMS_IMPORTS_TABLE } from './numbers/import-store';
import type { TableStore } from './store/table-store';
import { createCredentialKeyring, type CredentialKeyring } from './carriers/credentials-crypto';
import { CarrierConnections, CARRIER_CONNECTIONS_TABLE, CARRIER_CONNECTION_INDEX_TABLE } from './messaging/carrier-connections';
import { InboundSms, MESSAGES_TABLE, UNROUTED_MESSAGES_TABLE } from './messaging/messages';
import { randomBytes } from 'node:crypto';

/** Every table the product uses; created on start. */
export const TABLES = [ENTERPRISES_TABLE, ACTIVITY_TABLE, USERS_TABLE, DIRECTORY_SYNC_TABLE, NUMBERS_TABLE, SMS_GROUPS_TABLE, SMS_IMPORTS_TABLE, CARRIER_CONNECTIONS_TABLE, CARRIER_CONNECTION_INDEX_TABLE, MESSAGES_TABLE, UNROUTED_MESSAGES_TABLE] as const;

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
  /** The numbers table (partition = enterprise, RowKey = E.164): the truth of who holds a number. */
  numberRepository: NumberRepository;
  /** Per-enterprise in-memory number snapshots shared by the number services (write-through, short TTL). */
  numberCache: NumberCache;
  /** The Numbers page: add one, a range or a CSV, edit, delete, list. */
  numbers: NumberInventory;
  /** Assigns numbers to users (the SMS User Configuration dialog, the bulk import): `applyUserConfig`. */
  smsAssignments: SmsAssignments;
  smsGroupRepository: SmsGroupRepository;
  /** SMS groups (shared numbers); also the Users page's source of group-owner numbers, and `membersOf` for inbound routing. */
  smsGroups: SmsGroups;
  /** Bulk SMS configuration from a CSV file: template, validate (stored), apply in the background with progress. */
  smsImports: SmsImports;
  /** The Connect SMS view: users with numbers and extensions; SMS on or off for several users at once. */
  connectSms: ConnectSms;
  /** Carrier connections per enterprise (credentials sealed with the key ring). */
  carrierConnections: CarrierConnections;
  /** Carrier webhooks: verify, store (deduplicated), route by the `to` number. */
  inboundSms: InboundSms;
}

export interface ServiceOptions {
  /** Microsoft Graph (or the simulator); without it, directory sync answers that it is not configured. */
  directorySource?: DirectorySource;
  directorySync?: DirectorySyncOptions;
  smsImports?: SmsImportsOptions;
  /** Seals carrier credentials. Without one (service-level tests only), a random key for this process. */
  credentialKeyring?: CredentialKeyring;
  /** Called when routing an inbound message fails after its webhook was answered (it stays `received`). */
  onRoutingError?: (error: unknown, message: { enterpriseId: string; id: string }) => void;
}

export async function createServices(store: TableStore, options: ServiceOptions = {}): Promise<Services> {
  await store.ensureTables(TABLES);
  const activity = new ActivityLog(store);
  const enterpriseRepository = new EnterpriseRepository(store);
  const userRepository = new UserRepository(store);
  const numberRepository = new NumberRepository(store);
  const numberCache = new NumberCache(numberRepository);
  const smsGroupRepository = new SmsGroupRepository(store);
  const smsGroups = new SmsGroups({ groups: smsGroupRepository, numbers: numberRepository, cache: numberCache, users: userRepository, enterprises: enterpriseRepository, activity });
  const users = new UserDirectory(userRepository, enterpriseRepository, activity, { groupNumbers: smsGroups });
  smsGroups.setOwnershipListener(users);
  const numbers = new NumberInventory({ numbers: numberRepository, cache: numberCache, enterprises: enterpriseRepository, activity });
  const smsAssignments = new SmsAssignments({ numbers: numberRepository, cache: numberCache, users: userRepository, enterprises: enterpriseRepository, activity, listener: users });
  const directorySync = new DirectorySync(
    {
      source: options.directorySource,
      enterprises: enterpriseRepository,
      users: userRepository,
      states: new SyncStateRepository(store),
      activity,
      listener: users,
      numberRelease: smsAssignments,
    },
    options.directorySync,
  );
  const smsImports = new SmsImports(
    {
      repository: new SmsImportRepository(store),
      enterprises: enterpriseRepository,
      users,
      userRepository,
      numberRepository,
      numbers: numberCache,
      assignments: smsAssignments,
      activity,
    },
    options.smsImports,
  );
  const connectSms = new ConnectSms({ enterprises: enterpriseRepository, users, userRepository, numbers: numberCache, assignments: smsAssignments, activity });
  const carrierConnections = new CarrierConnections({
    store,
    enterprises: enterpriseRepository,
    numbers: numberRepository,
    activity,
    keyring: options.credentialKeyring ?? createCredentialKeyring('process', { process: randomBytes(32) }),
  });
  const inboundSms = new InboundSms({
    store,
    connections: carrierConnections,
    numbers: numberRepository,
    smsGroups,
    enterprises: enterpriseRepository,
    ...(options.onRoutingError ? { onRoutingError: options.onRoutingError } : {}),
  });
  return {
    store,
    activity,
    enterpriseRepository,
    enterprises: new EnterpriseService(enterpriseRepository, activity),
    userRepository,
    users,
    directorySync,
    numberRepository,
    numberCache,
    numbers,
    smsAssignments,
    smsGroupRepository,
    smsGroups,
    smsImports,
    connectSms,
    carrierConnections,
    inboundSms,
  };
}
