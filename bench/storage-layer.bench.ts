import { performance } from 'node:perf_hooks';
import { Repository, TableStore, type RepositoryDefinition, type RunningAzurite } from '@switchboard/shared';
import { pool, report } from './report';

/**
 * What the repository layer costs over raw @azure/data-tables calls: the same
 * entities written and point-read both ways, on the same Azurite, interleaved in
 * chunks so neither side benefits from warm-up or from a smaller table.
 */
interface Item {
  partition: string;
  id: string;
  name: string;
  count: number;
}

const definition: RepositoryDefinition<Item> = {
  table: 'benchlayer',
  entityName: 'item',
  partitionOf: (i) => i.partition,
  idOf: (i) => i.id,
  toEntity: (i) => ({ name: i.name, count: i.count }),
  fromEntity: (p, keys) => ({ partition: keys.partition, id: keys.id, name: String(p.name), count: Number(p.count) }),
};

const TOTAL = 10_000;
const CHUNK = 1_000;
const CONCURRENCY = 16;
const PARTITIONS = 10;

const item = (i: number): Item => ({ partition: `p${i % PARTITIONS}`, id: `item${String(i).padStart(6, '0')}`, name: `Item number ${i}`, count: i });

export async function storageLayerBench(azurite: RunningAzurite): Promise<void> {
  const store = new TableStore(azurite.connectionString, { tablePrefix: `b${Date.now().toString(36)}` });
  await store.ensureTables([definition.table, 'benchraw']);
  const repository = new Repository(store, definition);
  const raw = store.client('benchraw');

  const time = { rawWrite: 0, layerWrite: 0, rawRead: 0, layerRead: 0 };
  const measure = async (key: keyof typeof time, from: number, run: (i: number) => Promise<unknown>) => {
    const start = performance.now();
    await pool(CHUNK, CONCURRENCY, (k) => run(from + k));
    time[key] += performance.now() - start;
  };

  for (let from = 0; from < TOTAL; from += CHUNK) {
    const rawFirst = (from / CHUNK) % 2 === 0;
    const rawWrite = () => measure('rawWrite', from, (i) => { const v = item(i); return raw.createEntity({ partitionKey: v.partition, rowKey: v.id, name: v.name, count: v.count }); });
    const layerWrite = () => measure('layerWrite', from, (i) => repository.create(item(i)));
    for (const run of rawFirst ? [rawWrite, layerWrite] : [layerWrite, rawWrite]) await run();
  }
  for (let from = 0; from < TOTAL; from += CHUNK) {
    const rawFirst = (from / CHUNK) % 2 === 0;
    const rawRead = () => measure('rawRead', from, (i) => { const v = item(i); return raw.getEntity(v.partition, v.id); });
    const layerRead = () => measure('layerRead', from, (i) => { const v = item(i); return repository.require(v.partition, v.id); });
    for (const run of rawFirst ? [rawRead, layerRead] : [layerRead, rawRead]) await run();
  }

  const perSecond = (ms: number) => TOTAL / (ms / 1000);
  report({ name: 'storage.write.raw', value: perSecond(time.rawWrite), unit: 'entities/s' });
  report({ name: 'storage.write.repository', value: perSecond(time.layerWrite), unit: 'entities/s' });
  report({ name: 'storage.write.overhead', value: (time.layerWrite / time.rawWrite - 1) * 100, unit: '%' });
  report({ name: 'storage.read.raw', value: perSecond(time.rawRead), unit: 'entities/s' });
  report({ name: 'storage.read.repository', value: perSecond(time.layerRead), unit: 'entities/s' });
  report({ name: 'storage.read.overhead', value: (time.layerRead / time.rawRead - 1) * 100, unit: '%' });
}
