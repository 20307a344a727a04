import { QueueClient, QueueServiceClient } from '@azure/storage-queue';

/** What a queue item names: the message row is the truth, the item only says "look at it". */
export interface OutboundWork {
  enterpriseId: string;
  messageId: string;
}

export interface ReceivedWork extends OutboundWork {
  /** The queue's ids for this delivery of the item (a new pop receipt each time it is received or hidden). */
  itemId: string;
  popReceipt: string;
  /** How many times the queue has handed the item out. */
  dequeueCount: number;
  /** Set when the item names several messages: what this one's delete or hide means for the shared item. */
  shared?: SharedItem;
}

/** A queue item naming several messages: deleted once each of them is done (sent, failed, or queued again alone). */
interface SharedItem {
  itemId: string;
  popReceipt: string;
  open: number;
}

/** Messages one queue item names at most (sends accepted at the same moment share an item). */
export const MAX_MESSAGES_PER_ITEM = 16;

/** Azure Storage Queues' limit on how long an item may be hidden. */
const MAX_VISIBILITY_SECONDS = 7 * 24 * 3600;

function queueName(prefix: string, name: string): string {
  const full = `${prefix}${name}`.toLowerCase();
  if (!/^[a-z0-9][a-z0-9-]{2,62}$/.test(full)) throw new Error(`Invalid queue name "${full}": lower-case letters, digits and dashes, 3-63 characters.`);
  return full;
}

const statusOf = (error: unknown): number | undefined => (typeof error === 'object' && error !== null ? (error as { statusCode?: number }).statusCode : undefined);

/**
 * The outbound queue on Azure Storage Queues (Azurite locally). Items never expire:
 * a message waits in the queue until a worker has dealt with it.
 */
export class OutboundQueue {
  private readonly client: QueueClient;
  /** Work accepted in this turn of the event loop (or while the last item is on its way): it leaves as one item. */
  private pending: Array<{ work: OutboundWork; resolve: () => void; reject: (error: unknown) => void }> = [];
  /** An item is on its way (one at a time: what is accepted meanwhile leaves together in the next). */
  private sending = false;
  private scheduled = false;
  private readonly enqueued = new Set<() => void>();

  constructor(connectionString: string, options: { prefix?: string; name?: string } = {}) {
    const insecure = /DefaultEndpointsProtocol=http;|QueueEndpoint=http:/i.test(connectionString);
    const service = QueueServiceClient.fromConnectionString(connectionString, insecure ? { retryOptions: { maxTries: 4 } } : {});
    this.client = service.getQueueClient(queueName(options.prefix ?? '', options.name ?? 'outbound'));
  }

  async ensure(): Promise<void> {
    await this.client.createIfNotExists();
  }

  /**
   * Resolves once an item naming the message is in the queue. Work queued at the same
   * moment by many sends shares one item (`{ messages: [...] }`), so a burst costs a
   * few queue requests rather than one per message; with a delay, the item is its own.
   */
  async enqueue(work: OutboundWork, delaySeconds = 0): Promise<void> {
    if (delaySeconds > 0) {
      await this.send([work], delaySeconds);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      this.pending.push({ work, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.sending || this.pending.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.sending || this.pending.length === 0) return;
      const batch = this.pending.splice(0, MAX_MESSAGES_PER_ITEM);
      this.sending = true;
      void this.send(batch.map((entry) => entry.work), 0)
        .then(
          () => batch.forEach((entry) => entry.resolve()),
          (error: unknown) => batch.forEach((entry) => entry.reject(error)),
        )
        .finally(() => {
          this.sending = false;
          this.schedule();
        });
    });
  }

  private async send(work: OutboundWork[], delaySeconds: number): Promise<void> {
    const text = work.length === 1 ? JSON.stringify(work[0]) : JSON.stringify({ messages: work });
    await this.client.sendMessage(text, { messageTimeToLive: -1, visibilityTimeout: Math.min(Math.max(0, Math.ceil(delaySeconds)), MAX_VISIBILITY_SECONDS) });
    if (delaySeconds <= 0) for (const listener of this.enqueued) listener();
  }

  /** Calls `listener` whenever this process queued work due now (a worker here polls at once); answers the unsubscribe. */
  onEnqueued(listener: () => void): () => void {
    this.enqueued.add(listener);
    return () => this.enqueued.delete(listener);
  }

  /**
   * Up to `max` items (at most 32), each hidden from other workers for `visibilitySeconds`,
   * one entry per message they name (an item naming several gives several entries).
   */
  async receive(max: number, visibilitySeconds: number): Promise<ReceivedWork[]> {
    const response = await this.client.receiveMessages({ numberOfMessages: Math.min(32, Math.max(1, max)), visibilityTimeout: visibilitySeconds });
    const items: ReceivedWork[] = [];
    for (const item of response.receivedMessageItems) {
      let parsed: Partial<OutboundWork> & { messages?: Array<Partial<OutboundWork>> } = {};
      try {
        parsed = JSON.parse(item.messageText) as typeof parsed;
      } catch {
        // Not ours: handed on with empty ids, so the worker drops it loudly.
      }
      const named = Array.isArray(parsed.messages) && parsed.messages.length > 0 ? parsed.messages : [parsed];
      const shared: SharedItem | undefined = named.length > 1 ? { itemId: item.messageId, popReceipt: item.popReceipt, open: named.length } : undefined;
      for (const work of named) {
        items.push({
          enterpriseId: String(work.enterpriseId ?? ''),
          messageId: String(work.messageId ?? ''),
          itemId: item.messageId,
          popReceipt: item.popReceipt,
          dequeueCount: item.dequeueCount,
          ...(shared ? { shared } : {}),
        });
      }
    }
    return items;
  }

  /** Done with it. False when another worker received it meanwhile (our pop receipt is stale). */
  async delete(item: ReceivedWork): Promise<boolean> {
    if (item.shared) return this.settleShared(item.shared);
    try {
      await this.client.deleteMessage(item.itemId, item.popReceipt);
      return true;
    } catch (error) {
      if (statusOf(error) === 404 || statusOf(error) === 400) return false;
      throw error;
    }
  }

  /** One message of a shared item is done: the last one deletes the item. */
  private async settleShared(shared: SharedItem): Promise<boolean> {
    shared.open--;
    if (shared.open > 0) return true;
    try {
      await this.client.deleteMessage(shared.itemId, shared.popReceipt);
      return true;
    } catch (error) {
      if (statusOf(error) === 404 || statusOf(error) === 400) return false;
      throw error;
    }
  }

  /**
   * Hides the item again for `seconds` (a retry's backoff). False when the pop receipt is
   * stale. A message of a shared item gets an item of its own, due then, and leaves the shared one.
   */
  async hide(item: ReceivedWork, seconds: number): Promise<boolean> {
    if (item.shared) {
      await this.send([{ enterpriseId: item.enterpriseId, messageId: item.messageId }], seconds);
      const shared = item.shared;
      delete item.shared;
      return this.settleShared(shared);
    }
    try {
      const result = await this.client.updateMessage(item.itemId, item.popReceipt, undefined, Math.min(Math.max(0, Math.ceil(seconds)), MAX_VISIBILITY_SECONDS));
      if (result.popReceipt) item.popReceipt = result.popReceipt;
      return true;
    } catch (error) {
      if (statusOf(error) === 404 || statusOf(error) === 400) return false;
      throw error;
    }
  }

  /** Items waiting (approximate, as the service counts them): for health and the dashboard. */
  async depth(): Promise<number> {
    const properties = await this.client.getProperties();
    return properties.approximateMessagesCount ?? 0;
  }
}
