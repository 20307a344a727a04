import type { EnterpriseRepository } from '../../enterprises/repository';
import type { DirectorySync } from './directory-sync';

export interface SchedulerLog {
  warn(details: object, message: string): void;
}

/**
 * Starts each enterprise's directory sync when it is due (its own interval, 15
 * minutes by default) and resumes runs whose process died (their lease expired).
 * Every server process runs one; the sync's lease makes sure only one run happens.
 */
export class SyncScheduler {
  private timer?: NodeJS.Timeout;
  private ticking = false;

  constructor(
    private readonly sync: DirectorySync,
    private readonly enterprises: EnterpriseRepository,
    private readonly log: SchedulerLog,
    private readonly options: { checkEveryMs?: number; now?: () => Date } = {},
  ) {}

  start(): void {
    if (!this.sync.configured || this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.checkEveryMs ?? 60_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One pass over all enterprises; exposed for tests and for a check right after start. */
  async tick(): Promise<string[]> {
    if (this.ticking) return [];
    this.ticking = true;
    const started: string[] = [];
    try {
      const now = (this.options.now ?? (() => new Date()))().getTime();
      for await (const { value: enterprise } of this.enterprises.all()) {
        const state = await this.sync.state(enterprise.id);
        const lastFinished = state.lastResult ? Date.parse(state.lastResult.finishedAt) : undefined;
        const due = lastFinished === undefined || now - lastFinished >= enterprise.settings.syncIntervalMinutes * 60_000;
        const abandoned = state.status === 'running' && (!state.leaseUntil || Date.parse(state.leaseUntil) <= now);
        if (!due && !abandoned) continue;
        try {
          const { started: didStart } = await this.sync.start(enterprise.id, 'schedule');
          if (didStart) started.push(enterprise.id);
        } catch (error) {
          this.log.warn({ err: error, enterpriseId: enterprise.id }, 'scheduled directory sync could not start');
        }
      }
    } finally {
      this.ticking = false;
    }
    return started;
  }
}
