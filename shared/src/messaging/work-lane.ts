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

  constructor(private readonly concurrency: number) {}

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
    while (this.running < this.concurrency && this.waiting.length > 0) {
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
