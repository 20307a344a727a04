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
import { InboundSms, UNROUTED_MESSAGES_TABLE } from './messaging/messages';
import { MESSAGES_TABLE, MessageRepository, type SmsMessage } from './messaging/message';
import { CarrierReferences, CARRIER_REFERENCES_TABLE } from './messaging/carrier-references';
import { OutboundQueue } from './messaging/outbound-queue';
import { OutboundSms } from './messaging/outbound';
import { OutboundWorker, type OutboundWorkerOptions } from './messaging/outbound-worker';
import { SenderPacer, SENDER_PACING_TABLE } from './messaging/sender-pacing';
import { MessageSweep } from './messaging/message-sweep';
import { OptOuts, OPT_OUTS_TABLE } from './messaging/opt-outs';
import { Conversations, CONVERSATION_TABLES } from './messaging/conversations';
import { Contacts, CONTACTS_TABLE } from './messaging/contacts';
import { createTeamsStore, TEAMS_TABLES, type TeamsStore } from './teams/teams-store';
import { classifyKeyword } from './rules/opt-out-keywords';
import { randomBytes } from 'node:crypto';
import { ChatFocusStore, CHAT_FOCUS_TABLE } from './teams/chat-focus';
import { Dashboard } from './dashboard/dashboard';
import { MessageStats, MESSAGE_STATS_TABLE } from './dashboard/message-stats';

/** Every table the product uses; created on start. */
export const TABLES = [ENTERPRISES_TABLE, ACTIVITY_TABLE, USERS_TABLE, DIRECTORY_SYNC_TABLE, NUMBERS_TABLE, SMS_GROUPS_TABLE, SMS_IMPORTS_TABLE, CARRIER_CONNECTIONS_TABLE, CARRIER_CONNECTION_INDEX_TABLE, MESSAGES_TABLE, UNROUTED_MESSAGES_TABLE, CARRIER_REFERENCES_TABLE, SENDER_PACING_TABLE, OPT_OUTS_TABLE, ...CONVERSATION_TABLES, CONTACTS_TABLE, ...TEAMS_TABLES, MESSAGE_STATS_TABLE, CHAT_FOCUS_TABLE] as const;

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
  /** Every SMS/MMS, both directions, with in-flight and dead-letter index rows. */
  messages: MessageRepository;
  /** Accepts sends: checks, stores, queues (Azure Storage Queues). */
  outboundSms: OutboundSms;
  outboundQueue: OutboundQueue;
  /** A worker that sends what is queued; start as many as wanted, in as many processes. */
  createOutboundWorker(options?: OutboundWorkerOptions): OutboundWorker;
  /** Picks up messages a crash left unrouted or unsent. */
  messageSweep: MessageSweep;
  /** SMS compliance: STOP / START / HELP, carrier-reported opt-outs, the admins' list; checked before every send. */
  optOuts: OptOuts;
  /** Conversations (newest first), history, unread counts, search; fed by the inbound and outbound listeners. */
  conversations: Conversations;
  /** Personal and enterprise contacts (names for numbers). */
  contacts: Contacts;
  /** Teams chat: installations and conversation references, reachability, delivery records, sent confirmations. */
  teams: TeamsStore;
  /** Messages per day and carrier activity, counted in memory and written every few seconds; `stop()` writes the rest. */
  messageStats: MessageStats;
  /** The admin tab's Dashboard: tasks that need attention, sync, traffic, carriers, queue. */
  dashboard: Dashboard;
  /** The bot chat's focus per user (the conversation "this customer" means) and sends awaiting confirmation. */
  chatFocus: ChatFocusStore;
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
  /** Called when background messaging work fails (queueing, sending, the sweep); the work is retried. */
  onMessagingError?: (error: unknown, context: { enterpriseId?: string; messageId?: string }) => void;
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
  const messages = new MessageRepository(store);
  const carrierReferences = new CarrierReferences(store);
  const outboundQueue = new OutboundQueue(store.connectionString, { prefix: store.tablePrefix });
  await outboundQueue.ensure();
  const pacer = new SenderPacer(store);
  const reportError = options.onMessagingError ?? (() => undefined);
  const optOuts = new OptOuts({ store, enterprises: enterpriseRepository, numbers: numberRepository, activity });
  const outboundSms = new OutboundSms({
    optOuts,
    messages,
    queue: outboundQueue,
    enterprises: enterpriseRepository,
    numbers: numberRepository,
    numberCache,
    groups: smsGroupRepository,
    connections: carrierConnections,
    onQueueError: (error, message) => reportError(error, { enterpriseId: message.enterpriseId, messageId: message.id }),
  });
  const inboundSms = new InboundSms({
    store,
    messages,
    references: carrierReferences,
    connections: carrierConnections,
    numberCache,
    smsGroups,
    enterprises: enterpriseRepository,
    ...(options.onRoutingError ? { onRoutingError: options.onRoutingError } : {}),
  });
  const contacts = new Contacts({ store, enterprises: enterpriseRepository, activity });
  const conversations = new Conversations({ store, messages, enterprises: enterpriseRepository, numbers: numberRepository, numberCache, groups: smsGroupRepository, contacts });
  inboundSms.onRouted((message) => conversations.recordMessage(message));
  // A status reported before the send's own follow-up recorded it goes along with that recording.
  const recordStatus = (message: SmsMessage) => conversations.recordStatus(message, { recordComing: outboundSms.followUpComing(message) });
  inboundSms.onStatus(recordStatus);
  outboundSms.onStored((message) => conversations.recordMessage(message));
  outboundSms.onChange(recordStatus);
  // STOP / START / HELP: recorded, then confirmed to the person (once, even if routing runs again).
  inboundSms.onRouted(async (message) => {
    if (!classifyKeyword(message.body)) return; // most messages: no enterprise settings to read
    const enterprise = await enterpriseRepository.byId(message.enterpriseId);
    if (!enterprise) return;
    const outcome = await optOuts.handleKeyword(message.enterpriseId, message.to, message.from, message.body, enterprise.value.settings);
    if (outcome) await outboundSms.sendAutomatic(message.enterpriseId, message.to, message.from, outcome.reply, { replyTo: message.id });
  });
  // The dashboard's counters: in memory on the message path, written in the background.
  const messageStats = new MessageStats(store, { onError: (error) => reportError(error, {}) });
  inboundSms.onRouted(async (message) => messageStats.countInbound(message));
  outboundSms.onStored(async (message) => messageStats.countOutbound(message));
  outboundSms.onChange(async (message) => messageStats.recordOutcome(message));
  inboundSms.onStatus(async (message) => messageStats.recordOutcome(message));
  const messageSweep = new MessageSweep({
    enterprises: enterpriseRepository,
    messages,
    inbound: inboundSms,
    queue: outboundQueue,
    afterStored: (message: SmsMessage) => outboundSms.runStoredListeners(message),
    onError: reportError,
  });
  const createOutboundWorker = (workerOptions: OutboundWorkerOptions = {}) =>
    new OutboundWorker(
      {
        messages,
        queue: outboundQueue,
        connections: carrierConnections,
        numberCache,
        pacer,
        references: carrierReferences,
        onCarrierOptOut: async (message) => {
          await optOuts.recordCarrierOptOut(message.enterpriseId, message.from, message.to, { note: `${message.carrierType} ${message.errorCode ?? ''}`.trim() });
        },
        onChange: (message) => outboundSms.runChangeListeners(message),
        onError: reportError,
      },
      workerOptions,
    );
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
    messages,
    outboundSms,
    outboundQueue,
    createOutboundWorker,
    messageSweep,
    optOuts,
    conversations,
    contacts,
    teams: createTeamsStore(store, { enterprises: enterpriseRepository, users: userRepository }),
    messageStats,
    chatFocus: new ChatFocusStore(store),
    dashboard: new Dashboard({ store, enterprises: enterpriseRepository, directorySync, users, numbers, messages, carrierConnections, outboundQueue, stats: messageStats }),
  };
}
