import type { EnterpriseRepository } from '../enterprises/repository';
import { ConflictError } from '../errors';
import { INFLIGHT_INDEX, type MessageRepository, type SmsMessage } from './message';
import type { InboundSms } from './messages';
import type { OutboundQueue } from './outbound-queue';

export interface MessageSweepDeps {
  enterprises: EnterpriseRepository;
  messages: MessageRepository;
  inbound: InboundSms;
  queue: OutboundQueue;
  /** Follow-up work of a stored outbound message, run again (idempotent). */
  afterStored?: (message: SmsMessage) => Promise<void>;
  onError?: (error: unknown, context: { enterpriseId: string; messageId?: string }) => void;
}

export interface SweepResult {
  rerouted: number;
  requeued: number;
}

/**
 * Finishes work a crash left half done. Every message still to route or send has an
 * in-flight index row (written in the same transaction as the message), so the sweep
 * reads only those, oldest first, and picks up the ones nobody touched for `staleMs`:
 * inbound ones are routed again, outbound ones queued again (the worker's claim makes
 * a second queue item harmless).
 */
export class MessageSweep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepResult> | undefined;

  constructor(
    private readonly deps: MessageSweepDeps,
    private readonly staleMs = 120_000,
  ) {}

  start(intervalMs = 60_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sweep().catch(() => undefined), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass over every enterprise (one at a time; a pass in progress is shared). */
  sweep(now = Date.now()): Promise<SweepResult> {
    this.running ??= this.pass(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(now: number): Promise<SweepResult> {
    const result: SweepResult = { rerouted: 0, requeued: 0 };
    for await (const { value: enterprise } of this.deps.enterprises.all()) {
      try {
        await this.sweepEnterprise(enterprise.id, now, result);
      } catch (error) {
        this.deps.onError?.(error, { enterpriseId: enterprise.id });
      }
    }
    return result;
  }

  private async sweepEnterprise(enterpriseId: string, now: number, result: SweepResult): Promise<void> {
    const cutoff = new Date(now - this.staleMs).toISOString();
    let continuationToken: string | undefined;
    do {
      const page = await this.deps.messages.listIndex(enterpriseId, INFLIGHT_INDEX, { pageSize: 200, ...(continuationToken ? { continuationToken } : {}) });
      for (const { key, holderId } of page.items) {
        // Keys start with the creation time: everything after the cutoff is too young.
        if (key.slice(0, key.indexOf('|')) > cutoff) return;
        try {
          await this.sweepMessage(enterpriseId, holderId, cutoff, result);
        } catch (error) {
          this.deps.onError?.(error, { enterpriseId, messageId: holderId });
        }
      }
      continuationToken = page.continuationToken;
    } while (continuationToken);
  }

  private async sweepMessage(enterpriseId: string, id: string, cutoff: string, result: SweepResult): Promise<void> {
    const current = await this.deps.messages.get(enterpriseId, id);
    if (!current || current.value.updatedAt > cutoff) return;
    const message = current.value;
    if (message.direction === 'inbound') {
      await this.deps.inbound.route(enterpriseId, id);
      result.rerouted++;
      return;
    }
    if (message.nextAttemptAt && message.nextAttemptAt > cutoff) return; // waiting for its retry
    if (message.claimUntil && message.claimUntil > new Date().toISOString()) return; // a worker holds it
    // Touch it first: the next sweep leaves it alone while the queue item is fresh.
    try {
      await this.deps.messages.update(current, { ...message, updatedAt: new Date().toISOString() });
    } catch (error) {
      if (error instanceof ConflictError) return; // it moved meanwhile: someone is on it
      throw error;
    }
    await this.deps.queue.enqueue({ enterpriseId, messageId: id });
    await this.deps.afterStored?.(message);
    result.requeued++;
  }
}
