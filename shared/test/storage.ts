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
