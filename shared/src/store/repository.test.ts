import { TableClient } from '@azure/data-tables';
import { ConflictError, NotFoundError } from '../errors';
import { startFaultProxy } from '../../test/fault-proxy';
import { countRequests, testConnectionString, testStore } from '../../test/storage';
import { Repository, type RepositoryDefinition } from './repository';
import { TableStore } from './table-store';

/** A small aggregate for exercising the generic layer: a device with a unique serial per site. */
interface Device {
  site: string;
  id: string;
  name: string;
  serials: string[];
}

const devices: RepositoryDefinition<Device> = {
  table: 'devices',
  entityName: 'device',
  partitionOf: (d) => d.site,
  idOf: (d) => d.id,
  toEntity: (d) => ({ name: d.name, serials: JSON.stringify(d.serials) }),
  fromEntity: (p, keys) => ({ site: keys.partition, id: keys.id, name: String(p.name), serials: JSON.parse(String(p.serials)) as string[] }),
  indexes: [{ name: 'serial', keys: (d) => d.serials, conflictMessage: (serial, holder) => `Serial ${serial} is already used by device ${holder}.` }],
};

async function repositoryOn(store: TableStore) {
  await store.ensureTables([devices.table]);
  return new Repository(store, devices);
}

describe('Repository', () => {
  let store: TableStore;
  let repo: Repository<Device>;

  beforeAll(async () => {
    store = testStore();
    repo = await repositoryOn(store);
  });

  it('creates, reads, updates and deletes an entity, carrying ETags', async () => {
    const created = await repo.create({ site: 's1', id: 'd1', name: 'Lobby phone', serials: ['A1'] });
    expect(created.etag).toMatch(/^W\//);
    const read = await repo.require('s1', 'd1');
    expect(read.value).toEqual({ site: 's1', id: 'd1', name: 'Lobby phone', serials: ['A1'] });
    const updated = await repo.update(read, { ...read.value, name: 'Front desk phone' });
    expect(updated.etag).not.toEqual(read.etag);
    expect((await repo.require('s1', 'd1')).value.name).toBe('Front desk phone');
    await repo.delete(updated);
    expect(await repo.get('s1', 'd1')).toBeUndefined();
    await expect(repo.require('s1', 'd1')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lets exactly one of two concurrent writers win; the other gets a ConflictError', async () => {
    await repo.create({ site: 's2', id: 'd1', name: 'original', serials: [] });
    const seenByAlice = await repo.require('s2', 'd1');
    const seenByBob = await repo.require('s2', 'd1');
    const results = await Promise.allSettled([
      repo.update(seenByAlice, { ...seenByAlice.value, name: 'alice' }),
      repo.update(seenByBob, { ...seenByBob.value, name: 'bob' }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(ConflictError);
    expect(lost[0]!.reason.message).toMatch(/changed by someone else/);
    const winner = results[0]!.status === 'fulfilled' ? 'alice' : 'bob';
    expect((await repo.require('s2', 'd1')).value.name).toBe(winner);
  });

  it('refuses a stale update and a stale delete', async () => {
    const first = await repo.create({ site: 's3', id: 'd1', name: 'v1', serials: [] });
    await repo.update(first, { ...first.value, name: 'v2' });
    await expect(repo.update(first, { ...first.value, name: 'v3' })).rejects.toBeInstanceOf(ConflictError);
    await expect(repo.delete(first)).rejects.toBeInstanceOf(ConflictError);
    expect((await repo.require('s3', 'd1')).value.name).toBe('v2');
  });

  it('enforces uniqueness when ten writers race for one value', async () => {
    const attempts = Array.from({ length: 10 }, (_, i) => repo.create({ site: 's4', id: `racer${i}`, name: 'racer', serials: ['SN-1'] }));
    const results = await Promise.allSettled(attempts);
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [`racer${i}`] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(r.reason).toBeInstanceOf(ConflictError);
        expect(r.reason.message).toBe(`Serial SN-1 is already used by device ${winners[0]}.`);
      }
    }
    expect((await repo.findByIndex('s4', 'serial', 'SN-1'))?.value.id).toBe(winners[0]);
    // the losers left nothing behind
    const all = [];
    for await (const d of repo.listAll('s4')) all.push(d.value.id);
    expect(all).toEqual(winners);
  });

  it('moves unique claims on update and frees them on delete', async () => {
    const a = await repo.create({ site: 's5', id: 'a', name: 'a', serials: ['X'] });
    const b = await repo.create({ site: 's5', id: 'b', name: 'b', serials: ['Y'] });
    await expect(repo.update(b, { ...b.value, serials: ['Y', 'X'] })).rejects.toThrow('Serial X is already used by device a.');
    const aMoved = await repo.update(a, { ...a.value, serials: ['Z'] });
    expect(await repo.findByIndex('s5', 'serial', 'X')).toBeUndefined();
    const bNow = await repo.require('s5', 'b');
    await repo.update(bNow, { ...bNow.value, serials: ['Y', 'X'] });
    expect((await repo.findByIndex('s5', 'serial', 'X'))?.value.id).toBe('b');
    await repo.delete(aMoved);
    await repo.create({ site: 's5', id: 'c', name: 'c', serials: ['Z'] });
    expect((await repo.findByIndex('s5', 'serial', 'Z'))?.value.id).toBe('c');
  });

  it('scopes uniqueness to the partition', async () => {
    await repo.create({ site: 's6', id: 'a', name: 'a', serials: ['SAME'] });
    await expect(repo.create({ site: 's7', id: 'a', name: 'a', serials: ['SAME'] })).resolves.toBeDefined();
  });

  it('reclaims a claim whose holder vanished in an interrupted delete', async () => {
    const raw = store.client(devices.table);
    await repo.create({ site: 's8', id: 'gone', name: 'gone', serials: ['ORPHAN'] });
    await raw.deleteEntity('s8', 'gone'); // entity removed, index row left behind
    await repo.create({ site: 's8', id: 'new', name: 'new', serials: ['ORPHAN'] });
    expect((await repo.findByIndex('s8', 'serial', 'ORPHAN'))?.value.id).toBe('new');
  });

  it('escapes keys: forbidden characters never reach the service and values round-trip', async () => {
    const awkward = ['!bang', ' space', 'a/b', 'back\\slash', 'hash#tag', 'what?', '100%', '~tilde', 'line\nbreak', 'bell\u0007', 'del\u007f', 'ünïcödé ☎'];
    for (const [i, id] of awkward.entries()) {
      await repo.create({ site: 'site/with#odd?chars', id, name: `n${i}`, serials: [`serial/${i}#?`] });
    }
    for (const id of awkward) expect((await repo.require('site/with#odd?chars', id)).value.id).toBe(id);
    expect((await repo.findByIndex('site/with#odd?chars', 'serial', 'serial/5#?'))?.value.id).toBe('what?');

    const listed = [];
    for await (const d of repo.listAll('site/with#odd?chars')) listed.push(d.value.id);
    expect(listed.sort()).toEqual([...awkward].sort());

    const raw = TableClient.fromConnectionString(testConnectionString(), store.tableName(devices.table), { allowInsecureConnection: true });
    for await (const row of raw.listEntities()) {
      for (const key of [row.partitionKey!, row.rowKey!]) expect(key).not.toMatch(/[/\\#?\u0000-\u001f\u007f-\u009f]/);
    }
  });

  it('pages through 2,600 entities with continuation tokens and skips index rows', async () => {
    const values = Array.from({ length: 2600 }, (_, i) => ({ site: 'bulk', id: `d${String(i).padStart(5, '0')}`, name: `n${i}`, serials: [`S${i}`] }));
    const created = await repo.createMany(values);
    expect(created).toHaveLength(2600);
    // Each ETag is the entity's own: a conditional update with it succeeds.
    const last = created[created.length - 1]!;
    await expect(repo.update(last, { ...last.value, name: 'renamed' })).resolves.toBeDefined();
    await repo.update(await repo.require('bulk', last.value.id), last.value);

    const first = await repo.listPage('bulk', { pageSize: 1000 });
    expect(first.items).toHaveLength(1000);
    expect(first.continuationToken).toBeDefined();
    const second = await repo.listPage('bulk', { pageSize: 1000, continuationToken: first.continuationToken! });
    const third = await repo.listPage('bulk', { pageSize: 1000, continuationToken: second.continuationToken! });
    expect(second.items).toHaveLength(1000);
    expect(third.items).toHaveLength(600);
    expect(third.continuationToken).toBeUndefined();

    const ids = new Set<string>();
    for await (const d of repo.listAll('bulk')) ids.add(d.value.id);
    expect(ids.size).toBe(2600);
    expect(ids.has('d02599')).toBe(true);
  });
});

describe('Repository bulk reads and writes', () => {
  /** Notes without unique indexes: what updateMany is for. */
  const notes: RepositoryDefinition<{ board: string; id: string; text: string }> = {
    table: 'notes',
    entityName: 'note',
    partitionOf: (n) => n.board,
    idOf: (n) => n.id,
    toEntity: (n) => ({ text: n.text }),
    fromEntity: (p, keys) => ({ board: keys.partition, id: keys.id, text: String(p.text) }),
  };

  it('reads many entities by id in a few queries, skipping the missing', async () => {
    const store = testStore();
    await store.ensureTables([notes.table]);
    const repo = new Repository(store, notes);
    await repo.createMany(Array.from({ length: 40 }, (_, i) => ({ board: 'b', id: `n${i}/x#?`, text: `t${i}` })));
    const wanted = [...Array.from({ length: 35 }, (_, i) => `n${i}/x#?`), 'missing', "o'quote"];
    const found = await repo.getMany('b', wanted);
    expect(found.size).toBe(35);
    expect(found.get('n34/x#?')?.value.text).toBe('t34');
    expect(found.has('n35/x#?')).toBe(false);
  });

  it('updates many conditionally; a batch with a stale ETag is retried one by one, and only the stale one fails', async () => {
    const store = testStore();
    await store.ensureTables([notes.table]);
    const repo = new Repository(store, notes);
    const created = await repo.createMany(Array.from({ length: 150 }, (_, i) => ({ board: 'b', id: `n${String(i).padStart(3, '0')}`, text: 'v1' })));
    // Someone else changes one of them first.
    const stale = created[120]!;
    await repo.update(stale, { ...stale.value, text: 'theirs' });

    const results = await repo.updateMany(created.map((current) => ({ current, next: { ...current.value, text: 'v2' } })));
    const failed = results.flatMap((r, i) => (r instanceof Error ? [[i, r] as const] : []));
    expect(failed.map(([i]) => i)).toEqual([120]);
    expect(failed[0]![1]).toBeInstanceOf(ConflictError);
    expect((await repo.require('b', 'n120')).value.text).toBe('theirs');
    expect((await repo.require('b', 'n000')).value.text).toBe('v2');
    expect((await repo.require('b', 'n149')).value.text).toBe('v2');
    // The returned ETags are current: another update with them succeeds.
    const saved = results[0] as { value: { board: string; id: string; text: string }; etag: string };
    await expect(repo.update(saved, { ...saved.value, text: 'v3' })).resolves.toBeDefined();
  });
});

describe('Repository with sharded partitions', () => {
  /** Jobs of a queue spread over 4 shards, with a work list of the pending ones. */
  interface Job {
    queue: string;
    id: string;
    pending: boolean;
  }
  const jobs: RepositoryDefinition<Job> = {
    table: 'jobs',
    entityName: 'job',
    partitionOf: (j) => j.queue,
    idOf: (j) => j.id,
    toEntity: (j) => ({ pending: j.pending }),
    fromEntity: (p, keys) => ({ queue: keys.partition, id: keys.id, pending: p.pending === true }),
    indexes: [{ name: 'pending', keys: (j) => (j.pending ? [j.id] : []), conflictMessage: (key) => `Job ${key} is already pending.` }],
    shards: 4,
  };

  let store: TableStore;
  let repo: Repository<Job>;
  const ids = Array.from({ length: 60 }, (_, i) => `job-${String(i).padStart(2, '0')}`);

  beforeAll(async () => {
    store = testStore();
    await store.ensureTables([jobs.table]);
    repo = new Repository(store, jobs);
    for (const id of ids) await repo.create({ queue: 'q/1', id, pending: true });
  });

  it('spreads one partition over its shards and reads each entity back under its partition', async () => {
    const partitions = new Set<string>();
    for await (const row of store.client(jobs.table).listEntities()) partitions.add(String(row.partitionKey));
    expect([...partitions].sort()).toEqual(['q%2F1~00', 'q%2F1~01', 'q%2F1~02', 'q%2F1~03']);
    expect((await repo.require('q/1', 'job-07')).value).toEqual({ queue: 'q/1', id: 'job-07', pending: true });
    const many = await repo.getMany('q/1', [...ids.slice(0, 20), 'job-missing']);
    expect([...many.keys()].sort()).toEqual(ids.slice(0, 20));
    const all: string[] = [];
    for await (const job of repo.listAll('q/1')) all.push(job.value.id);
    expect(all.sort()).toEqual(ids);
  });

  it('lists an index across shards in key order, page by page, and follows updates', async () => {
    const done = await repo.require('q/1', 'job-10');
    await repo.update(done, { ...done.value, pending: false });
    const seen: string[] = [];
    let continuationToken: string | undefined;
    let pages = 0;
    do {
      const page = await repo.listIndex('q/1', 'pending', { pageSize: 7, ...(continuationToken ? { continuationToken } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items.map((item) => item.holderId));
      continuationToken = page.continuationToken;
      pages++;
    } while (continuationToken);
    expect(seen).toEqual(ids.filter((id) => id !== 'job-10'));
    expect(pages).toBeGreaterThanOrEqual(9);
  });

  it('refuses a damaged page token and operations that need one partition', async () => {
    await expect(repo.listIndex('q/1', 'pending', { continuationToken: 'not-a-token' })).rejects.toThrow(/continuation token/);
    await expect(repo.listPage('q/1')).rejects.toThrow(/sharded/);
    await expect(repo.findByIndex('q/1', 'pending', 'job-01')).rejects.toThrow(/sharded/);
  });
});

describe('Repository with a shard basis', () => {
  interface Job {
    queue: string;
    id: string;
  }
  /** Ids `{batch}.{n}`: the batch picks the shard, as an outbound message's acceptance window does. */
  const batched: RepositoryDefinition<Job> = {
    table: 'batchedjobs',
    entityName: 'job',
    partitionOf: (j) => j.queue,
    idOf: (j) => j.id,
    toEntity: () => ({}),
    fromEntity: (_p, keys) => ({ queue: keys.partition, id: keys.id }),
    shards: 8,
    shardBasis: (id) => id.split('.')[0]!,
    groupCommit: true,
  };

  it('keeps ids of one basis in one shard, so their concurrent writes share a transaction', async () => {
    const store = testStore();
    await store.ensureTables([batched.table]);
    const repo = new Repository(store, batched);
    const counter = countRequests(store);
    await Promise.all(Array.from({ length: 12 }, (_, n) => repo.create({ queue: 'q', id: `b7.${n}` })));
    expect(counter.requests()).toBe(1);
    const partitions = new Set<string>();
    for await (const row of store.client(batched.table).listEntities()) partitions.add(String(row.partitionKey));
    expect(partitions.size).toBe(1);
    expect((await repo.getMany('q', ['b7.3', 'b7.11'])).size).toBe(2);
    // One id is a point read (cheaper than a query), found or not.
    const pointReads = jest.spyOn(repo, 'get');
    expect([...(await repo.getMany('q', ['b7.5'])).keys()]).toEqual(['b7.5']);
    expect((await repo.getMany('q', ['b7.99'])).size).toBe(0);
    expect(pointReads).toHaveBeenCalledTimes(2);
  });
});

describe('Repository against a faulty service', () => {
  const connectionVia = (endpoint: string) => testConnectionString().replace(/TableEndpoint=[^;]+/, `TableEndpoint=${endpoint}`);

  it('retries 503 and 500 answers with backoff and then succeeds', async () => {
    const proxy = await startFaultProxy(/TableEndpoint=([^;]+)/.exec(testConnectionString())![1]!);
    try {
      const store = new TableStore(connectionVia(proxy.endpoint), { tablePrefix: testStore().tablePrefix, retry: { baseDelayMs: 5 } });
      const repo = await repositoryOn(store);
      let failures = 2;
      proxy.setRule(() => (failures-- > 0 ? { status: failures === 1 ? 503 : 500, body: '{}' } : 'forward'));
      const before = proxy.requests;
      await repo.create({ site: 'r', id: 'd1', name: 'survivor', serials: [] });
      expect(proxy.requests - before).toBe(3);
      expect((await repo.require('r', 'd1')).value.name).toBe('survivor');
    } finally {
      await proxy.close();
    }
  });

  it('retries a request that times out', async () => {
    const proxy = await startFaultProxy(/TableEndpoint=([^;]+)/.exec(testConnectionString())![1]!);
    try {
      const store = new TableStore(connectionVia(proxy.endpoint), { tablePrefix: testStore().tablePrefix, retry: { baseDelayMs: 5, attemptTimeoutMs: 300 } });
      const repo = await repositoryOn(store);
      await repo.create({ site: 'r', id: 'slow', name: 'slow', serials: [] });
      let stalls = 1;
      proxy.setRule(() => (stalls-- > 0 ? 'hang' : 'forward'));
      expect((await repo.require('r', 'slow')).value.name).toBe('slow');
      expect(stalls).toBeLessThan(0);
    } finally {
      await proxy.close();
    }
  });

  it('gives up after the last attempt and does not retry answers such as 404', async () => {
    const proxy = await startFaultProxy(/TableEndpoint=([^;]+)/.exec(testConnectionString())![1]!);
    try {
      const store = new TableStore(connectionVia(proxy.endpoint), { tablePrefix: testStore().tablePrefix, retry: { baseDelayMs: 1, attempts: 3 } });
      const repo = await repositoryOn(store);
      const before = proxy.requests;
      expect(await repo.get('r', 'missing')).toBeUndefined();
      expect(proxy.requests - before).toBe(1);
      proxy.setRule(() => ({ status: 503, body: '{}' }));
      const start = proxy.requests;
      await expect(repo.get('r', 'missing')).rejects.toMatchObject({ statusCode: 503 });
      expect(proxy.requests - start).toBe(3);
    } finally {
      await proxy.close();
    }
  });

  it('skips empty pages the service returns with a continuation token', async () => {
    // Azurite encodes continuation keys as base64 of the next key.
    const continueAt = (partition: string, row: string) => ({
      'x-ms-continuation-NextPartitionKey': Buffer.from(partition).toString('base64'),
      'x-ms-continuation-NextRowKey': Buffer.from(row).toString('base64'),
    });
    const proxy = await startFaultProxy(/TableEndpoint=([^;]+)/.exec(testConnectionString())![1]!);
    try {
      const store = new TableStore(connectionVia(proxy.endpoint), { tablePrefix: testStore().tablePrefix });
      const repo = await repositoryOn(store);
      await repo.createMany([1, 2, 3].map((i) => ({ site: 'e', id: `d${i}`, name: `n${i}`, serials: [] })));
      // The first query answers like Table Storage does when a scan hits a partition
      // boundary: no rows, but continuation headers pointing at where to go on.
      let emptyPagesLeft = 2;
      proxy.setRule((req) =>
        req.method === 'GET' && req.url?.includes('()') && !req.url.includes('NextRowKey') && emptyPagesLeft-- > 0
          ? { status: 200, body: '{"value":[]}', headers: continueAt('e', 'd1') }
          : 'forward',
      );
      const page = await repo.listPage('e', { pageSize: 2 });
      expect(page.items.map((d) => d.value.id)).toEqual(['d1', 'd2']);
      expect(page.continuationToken).toBeDefined();
    } finally {
      await proxy.close();
    }
  });
});
