import { AnswerPressure } from './answer-pressure';

/**
 * Background work with a bound on how much runs at once. Webhook answers must not
 * wait behind the work they started: with the work unbounded, a burst of inbound
 * messages would fill storage with routing writes and slow the next acknowledgements.
 * Queued work is in memory only; what it stands for is durable (the in-flight rows),
 * so a crash loses nothing the sweep will not pick up.
 */
export class WorkLane {
  private readonly waiting: Array<() => Promise<void>> = [];
  private running = 0;
  private idle: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    /** While it is busy (requests waiting for their answer), the lane runs only `whileBusy` tasks. */
    private readonly yieldTo: Foreground = foreground,
    /** Default: a quarter of the concurrency (at least one task). */
    private readonly whileBusy: number = Math.max(1, Math.floor(concurrency / 4)),
  ) {}

  private readonly wake = () => this.next();

  get backlog(): number {
    return this.waiting.length + this.running;
  }

  push(task: () => Promise<void>): void {
    this.waiting.push(task);
    this.next();
  }

  /** Resolves when nothing is waiting or running. */
  settled(): Promise<void> {
    if (this.backlog === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private next(): void {
    // Answers first: follow-up work only trickles while requests are waiting, and never stops. A
    // quarter (by default) rather than one task keeps routing (and so Teams delivery) ahead of a steady
    // inbound flow. Once answers queue in storage, one task, also between requests: tasks started in
    // those short gaps would otherwise fill storage ahead of the next answers.
    const limit = this.yieldTo.pressed ? 1 : this.yieldTo.busy ? Math.min(this.whileBusy, this.concurrency) : this.concurrency;
    if (limit < this.concurrency && this.waiting.length > 0) this.yieldTo.whenIdle(this.wake);
    while (this.running < limit && this.waiting.length > 0) {
      const task = this.waiting.shift()!;
      this.running++;
      // Never synchronously inside the caller (a webhook answer is still being written).
      setImmediate(() => {
        task()
          .catch(() => undefined)
          .finally(() => {
            this.running--;
            this.next();
            if (this.backlog === 0) for (const resolve of this.idle.splice(0)) resolve();
          });
      });
    }
  }
}

/**
 * Requests someone is waiting on (a carrier for its webhook's answer, a user for their
 * send's 202). Follow-up lanes give way to them: the answer never queues behind work it
 * does not need (routing, conversations, Teams delivery), which catches up afterwards.
 */
export class Foreground {
  private active = 0;
  private readonly waiters = new Set<() => void>();
  /** How the answers fare: measured by the top foreground (webhooks and sends) for all below it. */
  private readonly pressure: AnswerPressure | undefined;

  /** With a parent: busy while either is (work that gives way to webhooks and sends, and that others give way to). */
  constructor(
    private readonly parent?: Foreground,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.pressure = parent ? undefined : new AnswerPressure(now);
  }

  get busy(): boolean {
    return this.active > 0 || (this.parent?.busy ?? false);
  }

  /** The answers have been queueing lately (see AnswerPressure). */
  get pressed(): boolean {
    return this.parent ? this.parent.pressed : this.pressure!.pressed;
  }

  /** Calls `listener` once, the next time nothing is in the foreground. */
  whenIdle(listener: () => void): void {
    if (this.active === 0 && this.parent) this.parent.whenIdle(listener);
    else this.waiters.add(listener);
  }

  /** Runs `work` as foreground work. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    this.active++;
    const started = this.now();
    try {
      return await work();
    } finally {
      this.active--;
      this.pressure?.record(this.now() - started);
      if (this.active === 0 && this.waiters.size > 0) {
        const waiters = [...this.waiters];
        this.waiters.clear();
        // A listener checks again: if the parent is busy now, it waits for the parent next.
        for (const listener of waiters) listener();
      }
    }
  }
}

/** The process's foreground: webhooks and sends (one server process, one event loop). */
export const foreground = new Foreground();

/**
 * Follow-up work someone is waiting for (routing an inbound message and handing it to
 * Teams): it gives way to the foreground, and other follow-up work gives way to it.
 */
export const urgent = new Foreground(foreground);
