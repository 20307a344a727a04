import { randomBytes } from 'node:crypto';
import { CarrierError } from '../carriers/errors';
import { createCarrierAdapter } from '../carriers/factory';
import type { CarrierAdapter, CarrierType } from '../carriers/types';
import { ConflictError, NotFoundError } from '../errors';
import { DEFAULT_SEGMENTS_PER_SECOND } from '../numbers/number';
import type { NumberCache } from '../numbers/number-cache';
import { formatInternational } from '../rules/phone';
import type { Stored } from '../store/repository';
import type { CarrierConnections } from './carrier-connections';
import type { CarrierReferences } from './carrier-references';
import { deliveryRank, withStatus, type MessageRepository, type SmsMessage } from './message';
import { MAX_MESSAGES_PER_ITEM, type OutboundQueue, type ReceivedWork } from './outbound-queue';
import type { SenderPacer } from './sender-pacing';

export interface OutboundWorkerOptions {
  /** Names this worker in claims (default: random). */
  workerId?: string;
  /** Carrier API origins per type (loopback fakes in tests; the simulator's is required to send through it). */
  carrierBaseUrls?: Partial<Record<CarrierType, string>>;
  fetch?: typeof fetch;
  /** Sends in progress at once (default 64). */
  concurrency?: number;
  /** How long a received item stays hidden from other workers (default 60 s). */
  visibilitySeconds?: number;
  /** Attempts before a message is dead-lettered (default 6). */
  maxAttempts?: number;
  /** Retry backoff: base and cap of the exponential delay (defaults 2 s and 5 min); full jitter. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Pause between polls of an empty queue (default 250 ms). */
  idlePollMs?: number;
  /** A pacing wait longer than this puts the item back in the queue instead of holding it (default 20 s). */
  maxPacingHoldMs?: number;
  /** Per carrier API call (default 15 s). */
  carrierTimeoutMs?: number;
  random?: () => number;
  /** An item that came before its message's row is looked at again after this long (default 2 s), MISSING_ROW_LOOKS times at most. */
  missingRowRetrySeconds?: number;
}

export interface OutboundWorkerDeps {
  messages: MessageRepository;
  queue: OutboundQueue;
  connections: CarrierConnections;
  numberCache: NumberCache;
  pacer: SenderPacer;
  references: CarrierReferences;
  /** The carrier said the recipient opted out: record it so nobody tries again. */
  onCarrierOptOut?: (message: SmsMessage) => Promise<void>;
  /** The message moved (sent, failed, dead-lettered): the conversation and the sender want to know. */
  onChange?: (message: SmsMessage) => Promise<void>;
  onError?: (error: unknown, context: { messageId?: string; enterpriseId?: string }) => void;
}

/**
 * Carriers whose status reports always bring our message id back: the callback URL we
 * give them carries `?ref=` (Twilio, Telnyx, the simulator), or the report carries the
 * tag we set (Azure Communication Services). Their sends write no CarrierReferences row.
 */
const REPORTS_CARRY_REFERENCE: ReadonlySet<CarrierType> = new Set<CarrierType>(['twilio', 'telnyx', 'acs', 'simulator']);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A send's row and queue item are written at once, so an item may arrive before its row.
 * It is looked at this many times, this far apart, before it is taken for one whose row
 * was never written (the write failed, and the sender was told).
 */
const MISSING_ROW_LOOKS = 5;
const MISSING_ROW_RETRY_SECONDS = 2;

/**
 * Sends queued messages: claims each message row with a conditional write (so two
 * processes never send one message), waits for the sending number's pace, calls the
 * carrier, and records the outcome. Retryable failures go back to the queue with
 * exponential backoff and jitter; the last failure dead-letters the message.
 */
export class OutboundWorker {
  readonly workerId: string;
  private readonly options: Required<Omit<OutboundWorkerOptions, 'workerId' | 'carrierBaseUrls' | 'fetch'>> & Pick<OutboundWorkerOptions, 'carrierBaseUrls' | 'fetch'>;
  private readonly adapters = new Map<string, { adapter: CarrierAdapter; until: number }>();
  private readonly active = new Set<Promise<void>>();
  private running = false;
  /** Messages per received queue item lately (sends accepted together share an item). */
  private messagesPerItem = 1;
  /** Work was queued here while a receive was on its way. */
  private poked = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly deps: OutboundWorkerDeps,
    options: OutboundWorkerOptions = {},
  ) {
    this.workerId = options.workerId ?? `w-${randomBytes(4).toString('hex')}`;
    this.options = {
      concurrency: options.concurrency ?? 64,
      visibilitySeconds: options.visibilitySeconds ?? 60,
      maxAttempts: options.maxAttempts ?? 6,
      backoffBaseMs: options.backoffBaseMs ?? 2_000,
      backoffMaxMs: options.backoffMaxMs ?? 300_000,
      idlePollMs: options.idlePollMs ?? 250,
      maxPacingHoldMs: options.maxPacingHoldMs ?? 20_000,
      carrierTimeoutMs: options.carrierTimeoutMs ?? 15_000,
      random: options.random ?? Math.random,
      missingRowRetrySeconds: options.missingRowRetrySeconds ?? MISSING_ROW_RETRY_SECONDS,
      carrierBaseUrls: options.carrierBaseUrls,
      fetch: options.fetch,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // Work queued by this process is picked up at once, not at the next poll.
    this.unsubscribe = this.deps.queue.onEnqueued(() => this.poke());
    this.loop = this.run();
  }

  /** Stops polling and waits for the sends in progress. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.active]);
  }

  /** Polls now instead of at the end of the idle pause (a message was just queued). */
  poke(): void {
    if (this.wake) this.wake();
    else this.poked = true; // a receive is on its way: the next pause is skipped
  }

  private async run(): Promise<void> {
    while (this.running) {
      const room = this.options.concurrency - this.active.size;
      let received: ReceivedWork[] = [];
      let asked = 0;
      // Room for a few sends at least: receiving one item at a time costs a request per item.
      const enoughRoom = room >= this.minimumRoom;
      if (enoughRoom) {
        // An item may name several messages: ask for about as many items as fill the room.
        asked = Math.min(32, Math.max(1, Math.floor(room / this.messagesPerItem)));
        try {
          received = await this.deps.queue.receive(asked, this.options.visibilitySeconds);
        } catch (error) {
          this.deps.onError?.(error, {});
        }
      }
      const items = new Set(received.map((work) => work.itemId)).size;
      if (items > 0) this.messagesPerItem = Math.min(MAX_MESSAGES_PER_ITEM, Math.max(1, 0.8 * this.messagesPerItem + 0.2 * (received.length / items)));
      for (const item of received) this.track(this.handle(item));
      // A full answer: more may be waiting. A short one: the queue is drained for now, so wait
      // for work queued here (a poke) or the next poll rather than asking again at once.
      const poked = this.poked;
      this.poked = false;
      if (!enoughRoom || (items < asked && !poked)) {
        // Woken early by a poke, or (when full) by sends finishing (see `track`).
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.idlePollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  private get minimumRoom(): number {
    return Math.max(1, Math.floor(this.options.concurrency / 4));
  }

  private track(work: Promise<void>): void {
    const tracked = work.finally(() => {
      this.active.delete(tracked);
      if (this.options.concurrency - this.active.size === this.minimumRoom) this.wake?.();
    });
    this.active.add(tracked);
  }

  /** One queue item, start to end. Storage errors leave the item to reappear (nothing is lost). */
  async handle(item: ReceivedWork): Promise<void> {
    try {
      await this.process(item);
    } catch (error) {
      this.deps.onError?.(error, { messageId: item.messageId, enterpriseId: item.enterpriseId });
    }
  }

  private async process(item: ReceivedWork, fresh = false): Promise<void> {
    if (!item.enterpriseId || !item.messageId) {
      this.deps.onError?.(new Error('A queue item names no message; removed.'), {});
      await this.deps.queue.delete(item);
      return;
    }
    // Usually this process accepted the message a moment ago: its own version saves a read (the claim checks the ETag).
    const current = fresh ? await this.deps.messages.get(item.enterpriseId, item.messageId) : await this.deps.messages.current(item.enterpriseId, item.messageId);
    if (!current && item.dequeueCount < MISSING_ROW_LOOKS) {
      // Queued while its row was being written (by another process): look again shortly.
      await this.deps.queue.hide(item, this.options.missingRowRetrySeconds);
      return;
    }
    if (!current || current.value.direction !== 'outbound') {
      if (!current) this.deps.onError?.(new Error(`A queue item names message ${item.messageId}, which was never stored; removed.`), { messageId: item.messageId, enterpriseId: item.enterpriseId });
      await this.deps.queue.delete(item);
      return;
    }
    const message = current.value;
    const now = Date.now();
    if (message.status === 'sending') {
      const claimUntil = Date.parse(message.claimUntil ?? '') || 0;
      if (claimUntil > now) {
        // Another worker is on it: look again once its claim runs out.
        await this.deps.queue.hide(item, (claimUntil - now) / 1000 + 1);
        return;
      }
      // Its worker stopped during the carrier call: the carrier may or may not have it.
      await this.giveUp(current, item, 'The sending process stopped during the carrier call. It was not sent again, so the recipient cannot get it twice; send it again if it did not arrive.', null);
      return;
    }
    if (message.status !== 'queued') {
      await this.deps.queue.delete(item);
      return;
    }
    const notBefore = Date.parse(message.nextAttemptAt ?? '') || 0;
    if (notBefore > now + 50) {
      await this.deps.queue.hide(item, (notBefore - now) / 1000);
      return;
    }

    // The pace changes rarely: the in-memory snapshot (write-through, 15 s at most behind) is enough.
    const number = (await this.deps.numberCache.snapshot(message.enterpriseId)).get(message.from)?.stored.value;
    const pace = number?.segmentsPerSecond ?? DEFAULT_SEGMENTS_PER_SECOND;
    const slot = await this.deps.pacer.reserve(message.enterpriseId, message.from, Math.max(1, message.segments), pace);
    const wait = slot - Date.now();
    if (wait > this.options.maxPacingHoldMs) {
      // A long backlog on this number: free the worker and come back at the slot.
      const saved = await this.tryUpdate(current, { ...message, nextAttemptAt: new Date(slot).toISOString(), updatedAt: new Date().toISOString() });
      if (saved) await this.deps.queue.hide(item, wait / 1000);
      return;
    }

    // Ready before the slot: the carrier call itself must start on time.
    let adapter: CarrierAdapter | undefined;
    let adapterProblem = '';
    try {
      adapter = await this.adapterFor(message.enterpriseId, message.connectionId);
    } catch (error) {
      adapterProblem = error instanceof Error ? error.message : String(error);
    }
    const claimed = await this.tryUpdate(current, {
      ...withStatus(message, 'sending', new Date().toISOString()),
      attempts: message.attempts + 1,
      claimedBy: this.workerId,
      claimUntil: new Date(Date.now() + Math.max(0, wait) + this.options.carrierTimeoutMs + 30_000).toISOString(),
      nextAttemptAt: null,
    });
    if (!claimed) {
      // Another worker claimed it first, or our version was behind: look once more at the stored one.
      if (!fresh) await this.process(item, true);
      return;
    }
    if (!adapter) {
      await this.giveUp(claimed, item, adapterProblem, null);
      return;
    }
    // Measured again: the claim took time, and the slot is what must be kept.
    const remaining = slot - Date.now();
    if (remaining > 0) await sleep(remaining);

    try {
      const result = await adapter.send({
        from: message.from,
        to: message.to,
        body: message.body,
        ...(message.media.length > 0 ? { mediaUrls: message.media.map((m) => m.url) } : {}),
        statusCallbackUrl: `${this.deps.connections.webhookUrl(message.carrierType, message.connectionId)}?ref=${encodeURIComponent(message.id)}`,
        clientReference: message.id,
      });
      await this.recordSent(claimed, result.carrierMessageId);
      await this.deps.queue.delete(item);
    } catch (error) {
      if (!(error instanceof CarrierError)) throw error;
      await this.recordFailure(claimed, item, error);
    }
  }

  private async adapterFor(enterpriseId: string, connectionId: string): Promise<CarrierAdapter> {
    const cached = this.adapters.get(connectionId);
    if (cached && cached.until > Date.now()) return cached.adapter;
    const resolved = await this.deps.connections.resolve(connectionId);
    if (!resolved || resolved.connection.enterpriseId !== enterpriseId) throw new NotFoundError(`The carrier connection ${connectionId} no longer exists.`);
    const baseUrl = this.options.carrierBaseUrls?.[resolved.connection.type];
    const adapter = createCarrierAdapter(resolved.connection.type, resolved.credentials, {
      ...(baseUrl ? { baseUrl } : {}),
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
      timeoutMs: this.options.carrierTimeoutMs,
    });
    // Briefly: changed credentials take effect within a minute.
    this.adapters.set(connectionId, { adapter, until: Date.now() + 60_000 });
    return adapter;
  }

  /** The carrier took it. A status report may have come in first: merge, never move back. */
  private async recordSent(claimed: Stored<SmsMessage>, carrierMessageId: string): Promise<void> {
    let current: Stored<SmsMessage> | undefined = claimed;
    for (let attempt = 0; attempt < 5 && current; attempt++) {
      const message = current.value;
      const at = new Date().toISOString();
      const moved = deliveryRank(message.status) < deliveryRank('sent') ? withStatus(message, 'sent', at) : message;
      // claimedBy stays: which worker sent it (claimUntil alone says whether a claim holds).
      const next: SmsMessage = { ...moved, carrierMessageId, claimUntil: null, updatedAt: at };
      try {
        await this.deps.messages.update(current, next);
        // Reports carrying our id (the callback URL's `ref`, the ACS tag) need no carrier-id mapping.
        if (!REPORTS_CARRY_REFERENCE.has(next.carrierType)) await this.deps.references.remember(next.enterpriseId, next.connectionId, carrierMessageId, next.id);
        await this.deps.onChange?.(next);
        return;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        current = await this.deps.messages.get(claimed.value.enterpriseId, claimed.value.id);
      }
    }
  }

  private async recordFailure(claimed: Stored<SmsMessage>, item: ReceivedWork, error: CarrierError): Promise<void> {
    const message = claimed.value;
    const code = error.code ?? error.reason;
    if (!error.retryable) {
      if (error.reason === 'opted_out') await this.deps.onCarrierOptOut?.(message);
      await this.finish(claimed, item, `${this.carrierName(message)} refused the message: ${error.message}`, code, false);
      return;
    }
    if (message.attempts >= this.options.maxAttempts) {
      await this.giveUp(claimed, item, `Gave up after ${message.attempts} attempts; the last one failed: ${error.message}`, code);
      return;
    }
    const delay = this.backoff(message.attempts, error.retryAfterMs);
    const at = new Date().toISOString();
    const next: SmsMessage = {
      ...withStatus(message, 'queued', at, code),
      failureReason: `Attempt ${message.attempts} failed (${error.message}); trying again.`,
      claimedBy: null,
      claimUntil: null,
      nextAttemptAt: new Date(Date.now() + delay).toISOString(),
    };
    if (await this.tryUpdate(claimed, next)) await this.deps.queue.hide(item, delay / 1000);
  }

  /** Exponential with full jitter, never sooner than the carrier's Retry-After. */
  backoff(attempt: number, retryAfterMs?: number): number {
    const ceiling = Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** Math.max(0, attempt - 1));
    const jittered = ceiling / 2 + this.options.random() * (ceiling / 2);
    return Math.max(retryAfterMs ?? 0, Math.round(jittered));
  }

  private giveUp(current: Stored<SmsMessage>, item: ReceivedWork, reason: string, code: string | null): Promise<void> {
    return this.finish(current, item, reason, code, true);
  }

  /** Final failure: recorded with the reason (and dead-lettered after retries), then the item is removed. */
  private async finish(current: Stored<SmsMessage>, item: ReceivedWork, reason: string, code: string | null, deadLetter: boolean): Promise<void> {
    const at = new Date().toISOString();
    const next: SmsMessage = {
      ...withStatus(current.value, 'failed', at, code),
      failureReason: reason,
      claimedBy: null,
      claimUntil: null,
      nextAttemptAt: null,
      deadLetteredAt: deadLetter ? at : null,
    };
    const saved = await this.tryUpdate(current, next);
    if (!saved) return;
    // Listeners first: the item stays until they ran, so a crash in between runs them again.
    await this.deps.onChange?.(next);
    await this.deps.queue.delete(item);
  }

  private carrierName(message: SmsMessage): string {
    return `The carrier (${message.carrierType}) for ${formatInternational(message.from)}`;
  }

  /** A conditional write; undefined when someone else changed the message first. */
  private async tryUpdate(current: Stored<SmsMessage>, next: SmsMessage): Promise<Stored<SmsMessage> | undefined> {
    try {
      return await this.deps.messages.update(current, { ...next, updatedAt: next.updatedAt > current.value.updatedAt ? next.updatedAt : new Date().toISOString() });
    } catch (error) {
      if (error instanceof ConflictError || error instanceof NotFoundError) return undefined;
      throw error;
    }
  }
}
