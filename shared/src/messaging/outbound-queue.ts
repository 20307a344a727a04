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
}

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

  constructor(connectionString: string, options: { prefix?: string; name?: string } = {}) {
    const insecure = /DefaultEndpointsProtocol=http;|QueueEndpoint=http:/i.test(connectionString);
    const service = QueueServiceClient.fromConnectionString(connectionString, insecure ? { retryOptions: { maxTries: 4 } } : {});
    this.client = service.getQueueClient(queueName(options.prefix ?? '', options.name ?? 'outbound'));
  }

  async ensure(): Promise<void> {
    await this.client.createIfNotExists();
  }

  async enqueue(work: OutboundWork, delaySeconds = 0): Promise<void> {
    await this.client.sendMessage(JSON.stringify(work), { messageTimeToLive: -1, visibilityTimeout: Math.min(Math.max(0, Math.ceil(delaySeconds)), MAX_VISIBILITY_SECONDS) });
  }

  /** Up to `max` items (at most 32), each hidden from other workers for `visibilitySeconds`. */
  async receive(max: number, visibilitySeconds: number): Promise<ReceivedWork[]> {
    const response = await this.client.receiveMessages({ numberOfMessages: Math.min(32, Math.max(1, max)), visibilityTimeout: visibilitySeconds });
    const items: ReceivedWork[] = [];
    for (const item of response.receivedMessageItems) {
      let work: Partial<OutboundWork> = {};
      try {
        work = JSON.parse(item.messageText) as Partial<OutboundWork>;
      } catch {
        // Not ours: handed on with empty ids, so the worker drops it loudly.
      }
      items.push({ enterpriseId: String(work.enterpriseId ?? ''), messageId: String(work.messageId ?? ''), itemId: item.messageId, popReceipt: item.popReceipt, dequeueCount: item.dequeueCount });
    }
    return items;
  }

  /** Done with it. False when another worker received it meanwhile (our pop receipt is stale). */
  async delete(item: ReceivedWork): Promise<boolean> {
    try {
      await this.client.deleteMessage(item.itemId, item.popReceipt);
      return true;
    } catch (error) {
      if (statusOf(error) === 404 || statusOf(error) === 400) return false;
      throw error;
    }
  }

  /** Hides the item again for `seconds` (a retry's backoff). False when the pop receipt is stale. */
  async hide(item: ReceivedWork, seconds: number): Promise<boolean> {
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
