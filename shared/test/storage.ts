import { randomBytes } from 'node:crypto';
import { TableStore, type TableStoreOptions } from '../src/store/table-store';

/** The run's Azurite, with tables of this test's own (a random prefix). */
export function testConnectionString(): string {
  const connectionString = process.env.SWITCHBOARD_TEST_STORAGE;
  if (!connectionString) throw new Error('SWITCHBOARD_TEST_STORAGE is unset: run the tests through jest (its global setup starts Azurite).');
  return connectionString;
}

export function uniqueTablePrefix(): string {
  return 't' + randomBytes(5).toString('hex');
}

export function testStore(options: TableStoreOptions = {}): TableStore {
  return new TableStore(testConnectionString(), { tablePrefix: uniqueTablePrefix(), ...options });
}

/** Counts the requests `store` makes from now on (transactions and single operations alike); `stop` puts it back. */
export function countRequests(store: TableStore): { requests: () => number; stop: () => void } {
  let requests = 0;
  const run = store.run.bind(store);
  store.run = (operation) => {
    requests++;
    return run(operation);
  };
  return { requests: () => requests, stop: () => (store.run = run) };
}
