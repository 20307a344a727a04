/**
 * Teams' limits for one bot: per conversation 7 messages per second, 8 per 2 s, 60 per
 * 30 s and 1,800 per hour; 50 requests per second per app and tenant. Every post
 * and update reserves a slot here first, so Teams has no reason to answer 429.
 * Teams counts requests when they arrive, which is some time between sending and the
 * answer: so one request per conversation is in flight at a time, each counts from
 * when its answer came, and the windows are kept a little longer than Teams' own.
 */
export const CONVERSATION_WINDOWS = [
  { limit: 7, ms: 1_000 },
  { limit: 8, ms: 2_000 },
  { limit: 60, ms: 30_000 },
  { limit: 1_800, ms: 3_600_000 },
] as const;
export const TENANT_WINDOWS = [{ limit: 50, ms: 1_000 }] as const;
/** Extra time each window is kept: per conversation Teams is strict; per tenant a request or two over costs a retry at most. */
const CONVERSATION_GUARD_MS = 150;
const TENANT_GUARD_MS = 20;

interface Window {
  limit: number;
  ms: number;
}

/** Send times within the longest window, oldest first. */
export class SlidingWindows {
  private readonly stamps: number[] = [];
  constructor(
    private readonly windows: readonly Window[],
    private readonly guardMs: number,
  ) {}

  /** Milliseconds until one more request fits every window (0: now). */
  waitMs(now: number): number {
    const longest = Math.max(...this.windows.map((w) => w.ms + this.guardMs));
    while (this.stamps.length > 0 && this.stamps[0]! <= now - longest) this.stamps.shift();
    let wait = 0;
    for (const { limit, ms } of this.windows) {
      if (this.stamps.length < limit) continue;
      // The request `limit` back from the end must leave the window first.
      const freeAt = this.stamps[this.stamps.length - limit]! + ms + this.guardMs;
      wait = Math.max(wait, freeAt - now);
    }
    return wait;
  }

  add(now: number): void {
    this.stamps.push(now);
  }

  /** The request sent at `sentAt` was answered at `doneAt`: it counts from then. */
  settle(sentAt: number, doneAt: number): void {
    const at = this.stamps.lastIndexOf(sentAt);
    if (at === -1) return;
    this.stamps.splice(at, 1);
    let insert = this.stamps.length;
    while (insert > 0 && this.stamps[insert - 1]! > doneAt) insert--;
    this.stamps.splice(insert, 0, doneAt);
  }

  get idle(): boolean {
    return this.stamps.length === 0;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** In-process pacing of requests to Teams, per conversation and per tenant, first come first served. */
export class ConversationPacer {
  private readonly conversations = new Map<string, { windows: SlidingWindows; tail: Promise<void>; open: number }>();
  private readonly tenants = new Map<string, SlidingWindows>();
  private sweeps = 0;

  /**
   * Resolves when a request to `conversationId` may leave, with the slot taken; call
   * the answer (`done`) when the request has been answered, failed or not.
   */
  reserve(conversationId: string, tenantId: string): Promise<() => void> {
    let entry = this.conversations.get(conversationId);
    if (!entry) {
      entry = { windows: new SlidingWindows(CONVERSATION_WINDOWS, CONVERSATION_GUARD_MS), tail: Promise.resolve(), open: 0 };
      this.conversations.set(conversationId, entry);
    }
    const conversation = entry.windows;
    const counted = entry;
    counted.open++;
    let tenant = this.tenants.get(tenantId);
    if (!tenant) {
      tenant = new SlidingWindows(TENANT_WINDOWS, TENANT_GUARD_MS);
      this.tenants.set(tenantId, tenant);
    }
    const tenantWindows = tenant;
    let finished!: () => void;
    const answered = new Promise<void>((resolve) => (finished = resolve));
    const granted = entry.tail.then(async () => {
      for (;;) {
        const now = Date.now();
        const wait = Math.max(conversation.waitMs(now), tenantWindows.waitMs(now));
        if (wait <= 0) {
          conversation.add(now);
          tenantWindows.add(now);
          let once = false;
          return () => {
            if (once) return;
            once = true;
            conversation.settle(now, Date.now());
            counted.open--;
            finished();
          };
        }
        await sleep(wait);
      }
    });
    // The next request to this conversation waits for this one's answer.
    entry.tail = answered;
    if (++this.sweeps % 1000 === 0) this.forgetIdle();
    return granted;
  }

  /** Resolves when a request to `conversationId` could leave now (nothing is reserved). */
  async whenFree(conversationId: string, tenantId: string): Promise<void> {
    const entry = this.conversations.get(conversationId);
    if (!entry) return;
    await entry.tail;
    for (;;) {
      const now = Date.now();
      const wait = Math.max(entry.windows.waitMs(now), this.tenants.get(tenantId)?.waitMs(now) ?? 0);
      if (wait <= 0) return;
      await sleep(wait);
    }
  }

  /** Conversations quiet for an hour are forgotten (memory stays bounded). */
  private forgetIdle(): void {
    const now = Date.now();
    for (const [id, entry] of this.conversations) if (entry.open === 0 && entry.windows.waitMs(now) === 0 && entry.windows.idle) this.conversations.delete(id);
    for (const [id, windows] of this.tenants) if (windows.waitMs(now) === 0 && windows.idle) this.tenants.delete(id);
  }
}
