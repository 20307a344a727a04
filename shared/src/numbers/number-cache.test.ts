import { randomUUID } from 'node:crypto';
import { testStore } from '../../test/storage';
import type { E164 } from '../rules/phone';
import { newNumberEntry } from './number';
import { NumberCache } from './number-cache';
import { NumberRepository } from './number-repository';

/**
 * The number rows that sends and routing read: two caches on one store stand for two
 * server processes, with a clock each, so "a few seconds later" is exact.
 */
const NUMBER = '+14155550777' as E164;

async function world() {
  const store = testStore();
  const numbers = new NumberRepository(store);
  await store.ensureTables(['numbers']);
  const enterpriseId = `ent-${randomUUID().slice(0, 8)}`;
  let now = 1_000_000;
  const clock = () => now;
  const reads = jest.spyOn(numbers, 'get');
  const stored = await numbers.create(newNumberEntry(enterpriseId, NUMBER, new Date(now).toISOString()));
  return {
    numbers,
    enterpriseId,
    stored,
    here: new NumberCache(numbers, { clock }),
    elsewhere: new NumberCache(new NumberRepository(store), { clock }),
    reads: () => reads.mock.calls.length,
    advance: (ms: number) => (now += ms),
  };
}

describe('NumberCache.row', () => {
  it('reads a number once for concurrent and repeated callers within its age', async () => {
    const w = await world();
    const rows = await Promise.all([w.here.row(w.enterpriseId, NUMBER), w.here.row(w.enterpriseId, NUMBER)]);
    expect(rows.map((row) => row?.value.number)).toEqual([NUMBER, NUMBER]);
    w.advance(4_000);
    await w.here.row(w.enterpriseId, NUMBER);
    expect(w.reads()).toBe(1);
    w.advance(1_000);
    await w.here.row(w.enterpriseId, NUMBER);
    expect(w.reads()).toBe(2);
    expect(await w.here.row(w.enterpriseId, '+14155550778')).toBeUndefined();
  });

  it('shows this process\'s writes at once and another process\'s within five seconds', async () => {
    const w = await world();
    expect((await w.elsewhere.row(w.enterpriseId, NUMBER))?.value.holder).toBeNull();
    expect((await w.here.row(w.enterpriseId, NUMBER))?.value.holder).toBeNull();
    // This process assigns the number (as the SMS assignments do: write, then tell the cache).
    const saved = await w.numbers.update(w.stored, { ...w.stored.value, holder: { type: 'user', id: 'uma', name: 'Uma' } });
    w.here.apply(w.enterpriseId, [saved]);
    expect((await w.here.row(w.enterpriseId, NUMBER))?.value.holder).toMatchObject({ id: 'uma' });
    // The other process still has its row for a few seconds, then reads again.
    w.advance(4_900);
    expect((await w.elsewhere.row(w.enterpriseId, NUMBER))?.value.holder).toBeNull();
    w.advance(200);
    expect((await w.elsewhere.row(w.enterpriseId, NUMBER))?.value.holder).toMatchObject({ id: 'uma' });
    // A number removed here is gone here at once.
    w.here.apply(w.enterpriseId, [], [NUMBER]);
    expect(await w.here.row(w.enterpriseId, NUMBER)).toBeUndefined();
  });
});
