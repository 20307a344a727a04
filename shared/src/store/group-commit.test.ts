import { randomUUID } from 'node:crypto';
import { ConflictError } from '../errors';
import { countRequests, testStore } from '../../test/storage';
import { Repository, type RepositoryDefinition } from './repository';

/**
 * Group commit against the run's Azurite: concurrent writes of one partition share
 * transactions, each caller still gets its own answer (ETag or conflict), and a
 * refused write never takes the others down with it.
 */
interface Item {
  partition: string;
  id: string;
  value: number;
  code: string;
}

const definition: RepositoryDefinition<Item> = {
  table: 'groupcommit',
  entityName: 'item',
  partitionOf: (i) => i.partition,
  idOf: (i) => i.id,
  toEntity: ({ value, code }) => ({ value, code }),
  fromEntity: (p, keys) => ({ partition: keys.partition, id: keys.id, value: Number(p.value), code: String(p.code) }),
  indexes: [{ name: 'code', keys: (i) => [i.code], conflictMessage: (key, holder) => `The code ${key} is taken by ${holder}.` }],
  groupCommit: true,
};

async function world() {
  const store = testStore();
  await store.ensureTables([definition.table]);
  const counter = countRequests(store);
  return { store, counter, items: new Repository(store, definition), partition: `p-${randomUUID().slice(0, 8)}` };
}

describe('group commit', () => {
  it('writes concurrent creates of one partition in a few transactions, each answered with its ETag', async () => {
    const w = await world();
    const before = w.counter.requests();
    const created = await Promise.all(Array.from({ length: 60 }, (_, i) => w.items.create({ partition: w.partition, id: `item-${i}`, value: i, code: `c${i}` })));
    // 60 entities with an index row each: 120 rows, so at least two transactions, far fewer than 60 requests.
    expect(w.counter.requests() - before).toBeLessThanOrEqual(10);
    for (const [i, stored] of created.entries()) {
      const read = await w.items.get(w.partition, `item-${i}`);
      expect(read).toEqual({ value: stored.value, etag: stored.etag });
    }
  });

  it('refuses only the conflicting writes of a shared transaction, the others succeed', async () => {
    const w = await world();
    const first = await w.items.create({ partition: w.partition, id: 'taken', value: 0, code: 'held' });
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 10 }, (_, i) => w.items.create({ partition: w.partition, id: `ok-${i}`, value: i, code: `ok${i}` })),
      w.items.create({ partition: w.partition, id: 'taken', value: 1, code: 'other' }), // the id exists
      w.items.create({ partition: w.partition, id: 'thief', value: 2, code: 'held' }), // the code is held
      w.items.update(first, { ...first.value, value: 5 }),
      w.items.update({ ...first, etag: 'W/"datetime\'2000-01-01T00%3A00%3A00.0000000Z\'"' }, { ...first.value, value: 6 }), // a stale ETag
    ]);
    expect(outcomes.slice(0, 10).every((o) => o.status === 'fulfilled')).toBe(true);
    const [exists, held, updated, stale] = outcomes.slice(10);
    expect(exists).toMatchObject({ status: 'rejected', reason: expect.any(ConflictError) });
    expect(held).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: 'The code held is taken by taken.' }) });
    // Two writes of one row never share a transaction: the first wins, the second carries an ETag that is no longer current.
    expect(updated?.status).toBe('fulfilled');
    expect(stale).toMatchObject({ status: 'rejected', reason: expect.any(ConflictError) });
    expect((await w.items.get(w.partition, 'taken'))?.value.value).toBe(5);
    expect(await w.items.findByIndex(w.partition, 'code', 'ok3')).toMatchObject({ value: { id: 'ok-3' } });
  });

  it('keeps the order of writes to one row: an update queued behind a create sees its ETag', async () => {
    const w = await world();
    const created = w.items.create({ partition: w.partition, id: 'row', value: 1, code: 'r1' });
    const busy = Array.from({ length: 20 }, (_, i) => w.items.create({ partition: w.partition, id: `other-${i}`, value: i, code: `o${i}` }));
    const stored = await created;
    const updated = await w.items.update(stored, { ...stored.value, value: 2, code: 'r2' });
    await Promise.all(busy);
    expect((await w.items.get(w.partition, 'row'))?.etag).toBe(updated.etag);
    expect(await w.items.findByIndex(w.partition, 'code', 'r1')).toBeUndefined();
    expect((await w.items.findByIndex(w.partition, 'code', 'r2'))?.value.value).toBe(2);
  });

  it('removes rows with the other writes of the moment; a row already gone is no error and fails no one', async () => {
    const w = await world();
    const plain = new Repository(w.store, { ...definition, table: 'groupcommitplain', indexes: [] });
    await w.store.ensureTables(['groupcommitplain']);
    await plain.create({ partition: w.partition, id: 'old', value: 1, code: 'a' });
    const before = w.counter.requests();
    await Promise.all([
      plain.remove(w.partition, 'old'),
      plain.remove(w.partition, 'never-there'),
      ...Array.from({ length: 5 }, (_, i) => plain.create({ partition: w.partition, id: `new-${i}`, value: i, code: `n${i}` })),
    ]);
    // The missing row refuses the shared transaction; each write then goes alone and succeeds.
    expect(w.counter.requests() - before).toBe(1 + 7);
    expect(await plain.get(w.partition, 'old')).toBeUndefined();
    expect((await plain.get(w.partition, 'new-4'))?.value.value).toBe(4);

    const quiet = w.counter.requests();
    await Promise.all([plain.remove(w.partition, 'new-0'), plain.remove(w.partition, 'new-1'), plain.create({ partition: w.partition, id: 'newer', value: 9, code: 'z' })]);
    expect(w.counter.requests() - quiet).toBe(1);
    expect(await plain.get(w.partition, 'new-1')).toBeUndefined();
    await expect(w.items.remove(w.partition, 'x')).rejects.toThrow(/unique indexes/);
  });
});
