import { RecentReads } from './recent-reads';

describe('RecentReads', () => {
  it('shares a read on its way, reuses it for its age, forgets failures, and keeps at most `max` keys', async () => {
    let now = 0;
    const reads = new RecentReads<number>({ maxAgeMs: 1_000, max: 2, clock: () => now });
    let calls = 0;
    const read = (value: number) => async () => {
      calls++;
      return value;
    };
    expect(await Promise.all([reads.get('a', read(1)), reads.get('a', read(2))])).toEqual([1, 1]);
    now = 999;
    expect(await reads.get('a', read(3))).toBe(1);
    now = 1_000;
    expect(await reads.get('a', read(4))).toBe(4);
    expect(calls).toBe(2);

    await expect(reads.get('b', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await reads.get('b', read(5))).toBe(5);

    reads.set('a', 6); // a write of this process holds at once
    expect(await reads.get('a', read(7))).toBe(6);
    void reads.get('c', read(8)); // a third key: the longest unread ('b') goes
    expect(await reads.get('b', read(9))).toBe(9);
    reads.forget((key) => key === 'a');
    expect(await reads.get('a', read(10))).toBe(10);
  });
});
