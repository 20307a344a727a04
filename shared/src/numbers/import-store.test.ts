import { testStore } from '../../test/storage';
import { ConflictError } from '../errors';
import { escapeKey } from '../store/keys';
import { cutText, MAX_STORED_FAILURES, newImportId, SMS_IMPORTS_TABLE, SmsImportRepository, type SmsImportRecord } from './import-store';
import type { ValidatedImportRow } from './import-validation';

/** Stored imports against Azurite: rows cut across entities within Table Storage's limits, checked on the way back. */
const record = (id: string, overrides: Partial<SmsImportRecord> = {}): Omit<SmsImportRecord, 'rowsSha256' | 'chunks'> => ({
  enterpriseId: 'contoso',
  id,
  fileName: 'users.csv',
  fileSha256: 'f'.repeat(64),
  bytes: 100,
  createdAt: new Date().toISOString(),
  createdBy: { id: 'a', name: 'Ada', role: 'global-admin' },
  validation: { rows: 1, ok: 1, warnings: 0, errors: 0, unchanged: 0 },
  canApply: true,
  ignoredColumns: [],
  status: 'validated',
  total: 1,
  processed: 0,
  changed: 0,
  unchanged: 0,
  failed: 0,
  cursor: 0,
  failures: [],
  ...overrides,
});

const rows = (count: number, problem = ''): ValidatedImportRow[] =>
  Array.from({ length: count }, (_, i) => ({
    line: i + 2,
    username: `user${i}@contoso.com`,
    userId: `u${i}`,
    displayName: `Ünïcode 😀 User ${i}`,
    numbers: [`+1415${5_550_000 + i}`],
    enabled: true,
    tags: ['Sales'],
    status: problem ? 'warning' : 'ok',
    problems: problem ? [{ field: 'username', severity: 'warning', message: problem }] : [],
    changes: true,
    after: [],
  }));

describe('cutText', () => {
  it('cuts at the size, never between the halves of a surrogate pair, and joins back to the same text', () => {
    expect(cutText('abcdefg', 3)).toEqual(['abc', 'def', 'g']);
    const emoji = 'ab😀cd';
    const pieces = cutText(emoji, 3);
    expect(pieces).toEqual(['ab', '😀c', 'd']);
    expect(pieces.join('')).toBe(emoji);
  });
});

describe('SmsImportRepository', () => {
  const store = testStore();
  const repository = new SmsImportRepository(store);
  beforeAll(() => store.ensureTables([SMS_IMPORTS_TABLE]));

  it('keeps 20,000 rows across chunk entities under the property and entity limits and reads them back exactly', async () => {
    const many = rows(20_000, 'A warning long enough to make the stored rows span several chunk entities, which is the point of this test.');
    const id = newImportId(new Date());
    const created = await repository.create(record(id, { total: many.length }), many);
    expect(created.value.chunks).toBeGreaterThan(3);
    expect(created.value.rowsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await repository.rows(created.value)).toEqual(many);
    // Every stored string property is within 64 KiB, every entity within 1 MiB.
    for await (const entity of store.client(SMS_IMPORTS_TABLE).listEntities<Record<string, unknown>>({ queryOptions: { filter: `PartitionKey eq 'contoso'` } })) {
      const strings = Object.values(entity).filter((value): value is string => typeof value === 'string');
      for (const value of strings) expect(value.length * 2).toBeLessThanOrEqual(64 * 1024);
      expect(strings.reduce((sum, value) => sum + value.length * 2, 0)).toBeLessThan(1024 * 1024);
    }
  });

  it('refuses rows that were damaged or lost in storage', async () => {
    const id = newImportId(new Date());
    const created = await repository.create(record(id), rows(10));
    const client = store.client(SMS_IMPORTS_TABLE);
    const chunk = await client.getEntity<Record<string, unknown>>('contoso', escapeKey(`${id}~rows~0000`));
    await client.updateEntity({ ...chunk, partitionKey: 'contoso', rowKey: escapeKey(`${id}~rows~0000`), rows00: String(chunk.rows00).replace('user3', 'user4') }, 'Replace', { etag: chunk.etag });
    await expect(repository.rows(created.value)).rejects.toThrow(ConflictError);
    await client.deleteEntity('contoso', escapeKey(`${id}~rows~0000`));
    await expect(repository.rows(created.value)).rejects.toThrow(/incomplete or damaged; validate the file again/);
  });

  it('keeps at most 1,000 failures on the record, shortening long messages', async () => {
    const id = newImportId(new Date());
    const created = await repository.create(record(id), rows(1));
    const failures = Array.from({ length: 1500 }, (_, i) => ({ line: i + 2, username: `user${i}@contoso.com`, message: `Failure ${i}: ${'x'.repeat(600)}` }));
    const saved = await repository.update(created, { ...created.value, failed: failures.length, failures });
    expect(saved.value.failures).toHaveLength(1500);
    const read = (await repository.get('contoso', id))!.value;
    expect(read.failed).toBe(1500);
    expect(read.failures.length).toBeLessThanOrEqual(MAX_STORED_FAILURES);
    expect(read.failures.length).toBeGreaterThan(400);
    expect(read.failures[0]!.message).toHaveLength(400);
    expect(read.failures[0]!.message.endsWith('…')).toBe(true);
  });

  it('deletes imports older than the retention, record and rows', async () => {
    const old = newImportId(new Date('2020-01-01T00:00:00Z'));
    await repository.create(record(old, { createdAt: '2020-01-01T00:00:00.000Z' }), rows(5));
    const fresh = newImportId(new Date());
    await repository.create(record(fresh), rows(5));
    expect(await repository.purgeCreatedBefore('contoso', new Date('2021-01-01T00:00:00Z'))).toBe(1);
    expect(await repository.get('contoso', old)).toBeUndefined();
    await expect(store.client(SMS_IMPORTS_TABLE).getEntity('contoso', escapeKey(`${old}~rows~0000`))).rejects.toMatchObject({ statusCode: 404 });
    expect(await repository.get('contoso', fresh)).toBeDefined();
  });
});
