import { TableClient, TableServiceClient, type TableServiceClientOptions } from '@azure/data-tables';
import { GroupCommit } from './group-commit';
import { LeanTableClient, tableAccountOf, type TableAccount } from './table-rest';
import { defaultRetryOptions, withRetry, type RetryOptions } from './retry';

export interface TableStoreOptions {
  /** Prepended to every table name; lets tests and side-by-side deployments share an account. */
  tablePrefix?: string;
  retry?: Partial<RetryOptions>;
}

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

/**
 * The one place that knows how to reach Table Storage. Repositories ask it for
 * table clients and run every call through `run`, which owns retries and timeouts
 * (the SDK's own retries are switched off so there is exactly one policy).
 */
export class TableStore {
  private readonly clients = new Map<string, TableClient>();
  private readonly groupCommits = new Map<string, GroupCommit>();
  private readonly service: TableServiceClient;
  private readonly clientOptions: TableServiceClientOptions;
  /** Set for key-based connection strings: entity operations then skip the SDK's pipeline (see LeanTableClient). */
  private readonly account: TableAccount | undefined;
  readonly retry: RetryOptions;
  readonly tablePrefix: string;

  constructor(readonly connectionString: string, options: TableStoreOptions = {}) {
    this.tablePrefix = options.tablePrefix ?? '';
    this.retry = { ...defaultRetryOptions, ...options.retry };
    const insecure = /DefaultEndpointsProtocol=http;|TableEndpoint=http:/i.test(connectionString) || /UseDevelopmentStorage=true/i.test(connectionString);
    this.clientOptions = { allowInsecureConnection: insecure, retryOptions: { maxRetries: 0 } };
    this.service = TableServiceClient.fromConnectionString(connectionString, this.clientOptions);
    this.account = tableAccountOf(connectionString);
  }

  tableName(logicalName: string): string {
    const name = this.tablePrefix + logicalName;
    if (!TABLE_NAME.test(name)) throw new Error(`Invalid table name "${name}": letters and digits only, 3-63 characters, starting with a letter.`);
    return name;
  }

  client(logicalName: string): TableClient {
    let client = this.clients.get(logicalName);
    if (!client) {
      client = this.account
        ? new LeanTableClient(this.account, this.tableName(logicalName), this.clientOptions)
        : TableClient.fromConnectionString(this.connectionString, this.tableName(logicalName), this.clientOptions);
      this.clients.set(logicalName, client);
    }
    return client;
  }

  /** The table's group commit: concurrent writes to one partition share transactions (see GroupCommit). */
  groupCommit(logicalName: string): GroupCommit {
    let writer = this.groupCommits.get(logicalName);
    if (!writer) {
      writer = new GroupCommit(this.client(logicalName), (operation) => this.run(operation));
      this.groupCommits.set(logicalName, writer);
    }
    return writer;
  }

  run<T>(operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return withRetry(operation, this.retry);
  }

  /** Creates the tables if they are missing (idempotent, safe to run on every start). */
  async ensureTables(logicalNames: readonly string[]): Promise<void> {
    await Promise.all(logicalNames.map((name) => this.run((abortSignal) => this.client(name).createTable({ abortSignal }))));
  }

  /** Resolves when the table service answers; used by the health check. */
  async ping(timeoutMs = 2000): Promise<void> {
    const pages = this.service.listTables({ abortSignal: AbortSignal.timeout(timeoutMs) }).byPage({ maxPageSize: 1 });
    await pages.next();
  }
}
