import { TableClient } from '@azure/data-tables';
import { testConnectionString, uniqueTablePrefix } from '../../test/storage';
import { LeanTableClient, tableAccountOf } from './table-rest';

/**
 * The lean entity operations against the run's Azurite, read back and written through the
 * SDK's own client: the same entities, ETags and errors either way.
 */
const connectionString = testConnectionString();
let table: string;
let sdk: TableClient;
let lean: LeanTableClient;

beforeAll(async () => {
  table = `${uniqueTablePrefix()}lean`;
  sdk = TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });
  await sdk.createTable();
  lean = new LeanTableClient(tableAccountOf(connectionString)!, table, { allowInsecureConnection: true });
});

const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode;
const codeOf = (error: unknown) => (error as { code?: string }).code;

describe('LeanTableClient', () => {
  it('writes entities the SDK reads back alike, and reads what the SDK wrote', async () => {
    const odd = "it's 100% ~ ünïcode | ok";
    const created = await lean.createEntity({ partitionKey: `p'${odd}`, rowKey: `r~%25'x`, text: odd, count: 7, big: 1_763_700_000_123, ratio: 0.25, yes: true, none: null });
    expect(created.etag).toMatch(/^W\/"/);
    const viaSdk = await sdk.getEntity<Record<string, unknown>>(`p'${odd}`, `r~%25'x`);
    expect(viaSdk).toMatchObject({ text: odd, count: 7, big: 1_763_700_000_123, ratio: 0.25, yes: true, etag: created.etag });

    await sdk.createEntity({ partitionKey: 'p', rowKey: 'from-sdk', text: 'hello', n: 3, flag: false });
    const viaLean = await lean.getEntity<Record<string, unknown>>('p', 'from-sdk');
    const again = await sdk.getEntity<Record<string, unknown>>('p', 'from-sdk');
    const { timestamp: _a, ...leanRest } = viaLean as Record<string, unknown>;
    const { timestamp: _b, ...sdkRest } = again as Record<string, unknown>;
    expect(leanRest).toEqual(sdkRest);
  });

  it('updates, upserts and deletes on the ETag, and reports refusals as the SDK does', async () => {
    const first = await lean.createEntity({ partitionKey: 'q', rowKey: 'a', v: 1 });
    const duplicate = await lean.createEntity({ partitionKey: 'q', rowKey: 'a', v: 2 }).catch((e: unknown) => e);
    expect([statusOf(duplicate), codeOf(duplicate)]).toEqual([409, 'EntityAlreadyExists']);

    const second = await lean.updateEntity({ partitionKey: 'q', rowKey: 'a', v: 2 }, 'Replace', { etag: first.etag! });
    expect(second.etag).not.toBe(first.etag);
    const stale = await lean.updateEntity({ partitionKey: 'q', rowKey: 'a', v: 3 }, 'Replace', { etag: first.etag! }).catch((e: unknown) => e);
    expect(statusOf(stale)).toBe(412);
    expect((await sdk.getEntity<{ v: number }>('q', 'a')).v).toBe(2);

    await lean.upsertEntity({ partitionKey: 'q', rowKey: 'a', w: 'merged' }, 'Merge');
    expect(await sdk.getEntity('q', 'a')).toMatchObject({ v: 2, w: 'merged' });
    const current = await sdk.getEntity('q', 'a');
    const staleDelete = await lean.deleteEntity('q', 'a', { etag: first.etag! }).catch((e: unknown) => e);
    expect(statusOf(staleDelete)).toBe(412);
    await lean.deleteEntity('q', 'a', { etag: current.etag });
    expect(statusOf(await lean.getEntity('q', 'a').catch((e: unknown) => e))).toBe(404);
  });

  it('runs a transaction all or nothing, with each row’s ETag', async () => {
    await sdk.createEntity({ partitionKey: 't', rowKey: 'gone', v: 0 });
    const old = await sdk.createEntity({ partitionKey: 't', rowKey: 'kept', v: 0 });
    const done = await lean.submitTransaction([
      ['create', { partitionKey: 't', rowKey: 'new', v: 1 }],
      ['update', { partitionKey: 't', rowKey: 'kept', v: 1 }, 'Replace', { etag: old.etag! }],
      ['upsert', { partitionKey: 't', rowKey: 'up', v: 1 }, 'Replace'],
      ['delete', { partitionKey: 't', rowKey: 'gone' }],
    ]);
    expect(done.subResponses.map((r) => r.status)).toEqual([204, 204, 204, 204]);
    const kept = await sdk.getEntity('t', 'kept');
    expect(done.subResponses[1]!.etag).toBe(kept.etag);
    expect(done.subResponses[0]!.etag).toBe((await sdk.getEntity('t', 'new')).etag);
    expect(statusOf(await sdk.getEntity('t', 'gone').catch((e: unknown) => e))).toBe(404);

    // One refused action (a stale ETag) refuses them all.
    const refused = await lean
      .submitTransaction([
        ['create', { partitionKey: 't', rowKey: 'never', v: 1 }],
        ['update', { partitionKey: 't', rowKey: 'kept', v: 2 }, 'Replace', { etag: old.etag! }],
      ])
      .catch((e: unknown) => e);
    expect(statusOf(refused)).toBe(412);
    expect(statusOf(await sdk.getEntity('t', 'never').catch((e: unknown) => e))).toBe(404);
    expect((await sdk.getEntity<{ v: number }>('t', 'kept')).v).toBe(1);
  });

  it('stops when its abort signal fires', async () => {
    const aborted = await lean.getEntity('p', 'from-sdk', { abortSignal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect((aborted as { name?: string }).name).toBe('AbortError');
    expect(statusOf(aborted)).toBeUndefined();
  });

  it('signs for the account of a key-based connection string, and leaves other strings to the SDK', () => {
    expect(tableAccountOf('DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=a2V5;EndpointSuffix=core.windows.net')).toEqual({ endpoint: 'https://acme.table.core.windows.net', name: 'acme', key: 'a2V5' });
    expect(tableAccountOf('UseDevelopmentStorage=true')).toMatchObject({ name: 'devstoreaccount1', endpoint: 'http://127.0.0.1:10002/devstoreaccount1' });
    expect(tableAccountOf('TableEndpoint=https://acme.table.core.windows.net/;SharedAccessSignature=sv=2019&sig=x')).toBeUndefined();
  });
});
