/**
 * Reads reused for a short while, per key: a read on its way is shared by everyone who
 * asks meanwhile, a failed one is not kept (the next caller reads again), and at most
 * `max` keys are kept (the longest unread go first). What this process writes is `set`
 * at once; what others write shows once `maxAgeMs` has passed.
 */
export class RecentReads<V> {
  private readonly entries = new Map<string, { value: Promise<V>; at: number }>();

  constructor(private readonly options: { maxAgeMs: number; max: number; clock: () => number }) {}

  get(key: string, read: () => Promise<V>): Promise<V> {
    const now = this.options.clock();
    const kept = this.entries.get(key);
    if (kept && now - kept.at < this.options.maxAgeMs) return kept.value;
    const entry = { value: read(), at: now };
    this.keep(key, entry);
    entry.value.catch(() => this.entries.get(key) === entry && this.entries.delete(key));
    return entry.value;
  }

  /** A value this process wrote: it holds from now. */
  set(key: string, value: V): void {
    this.keep(key, { value: Promise.resolve(value), at: this.options.clock() });
  }

  /** Forgets the keys `matches` accepts: they are read afresh. */
  forget(matches: (key: string) => boolean): void {
    for (const key of this.entries.keys()) if (matches(key)) this.entries.delete(key);
  }

  private keep(key: string, entry: { value: Promise<V>; at: number }): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.options.max) this.entries.delete(this.entries.keys().next().value!);
  }
}
