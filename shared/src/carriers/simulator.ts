import { createHmac } from 'node:crypto';
import { WebhookAuthError, type CarrierErrorReason } from './errors';
import {
  badResponse,
  callCarrier,
  checkOutbound,
  checkTimestamp,
  constantTimeEqual,
  DEFAULT_CARRIER_TIMEOUT_MS,
  header,
  httpFailure,
  isRecord,
  isoTime,
  joinUrl,
  normalizeAddress,
  parseJsonBody,
  str,
  type FetchLike,
} from './http';
import type { CarrierAdapter, CarrierAdapterOptions, DeliveryStatus, InboundMedia, OutboundMessage, SendResult, WebhookEvent, WebhookRequest } from './types';

/**
 * The embedded carrier simulator (shared/src/simulators/carriers): a small JSON API of
 * its own, for `npm start` and tests. `POST {baseUrl}/messages` with a Bearer key;
 * webhooks signed with HMAC-SHA256 over `{timestamp}.{raw body}`.
 */
export interface SimulatorCredentials {
  apiKey: string;
  /** Shared with the simulator account; signs its webhooks. */
  signingSecret: string;
}

export const SIMULATOR_SIGNATURE_HEADER = 'x-simulator-signature';
export const SIMULATOR_TIMESTAMP_HEADER = 'x-simulator-timestamp';

/** Event types the simulator posts. */
export type SimulatorEventType = 'message.received' | 'message.status';

/** What the simulator posts to a webhook (one event per request). */
export interface SimulatorEvent {
  id: string;
  type: SimulatorEventType;
  occurred_at: string;
  data: {
    id: string;
    from?: string;
    to?: string;
    text?: string;
    media?: Array<{ url: string; content_type: string }>;
    received_at?: string;
    status?: DeliveryStatus;
    error_code?: string;
    error_message?: string;
    client_reference?: string;
  };
}

/** hex HMAC-SHA256(signingSecret, `${timestamp}.${rawBody}`). */
export function simulatorSignature(signingSecret: string, timestamp: string, rawBody: Buffer | string): string {
  return createHmac('sha256', signingSecret).update(`${timestamp}.`, 'utf8').update(rawBody).digest('hex');
}

const STATUSES: readonly DeliveryStatus[] = ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed'];

function reasonForCode(code: string | undefined): CarrierErrorReason | undefined {
  if (code === 'opted_out') return 'opted_out';
  if (code === 'invalid_number') return 'invalid_number';
  return undefined;
}

export class SimulatorAdapter implements CarrierAdapter {
  readonly type = 'simulator' as const;
  private readonly baseUrl: string;
  private readonly fetchImpl: FetchLike | undefined;
  private readonly timeoutMs: number;
  private readonly toleranceSeconds: number;

  constructor(
    private readonly credentials: SimulatorCredentials,
    options: CarrierAdapterOptions = {},
  ) {
    if (!options.baseUrl) throw new Error('The simulator carrier needs the simulator\'s baseUrl.');
    if (!credentials.apiKey || !credentials.signingSecret) throw new Error('Simulator credentials need an apiKey and a signingSecret.');
    this.baseUrl = options.baseUrl;
    this.fetchImpl = options.fetch;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CARRIER_TIMEOUT_MS;
    this.toleranceSeconds = options.webhookToleranceSeconds ?? 300;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    checkOutbound('simulator', message);
    const body: Record<string, unknown> = { from: message.from, to: message.to, text: message.body };
    if (message.mediaUrls && message.mediaUrls.length > 0) body.media_urls = message.mediaUrls;
    if (message.statusCallbackUrl) body.status_callback_url = message.statusCallbackUrl;
    if (message.clientReference) body.client_reference = message.clientReference;
    const response = await callCarrier('simulator', this.fetchImpl, joinUrl(this.baseUrl, '/messages'), {
      method: 'POST',
      headers: { authorization: `Bearer ${this.credentials.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    }, this.timeoutMs);
    const json = isRecord(response.json) ? response.json : {};
    if (response.status < 200 || response.status >= 300) {
      const error = isRecord(json.error) ? json.error : {};
      const code = str(error.code);
      const reason = reasonForCode(code);
      throw httpFailure('simulator', response, { ...(code !== undefined ? { code } : {}), message: str(error.message) ?? (response.text.slice(0, 200) || 'no details'), ...(reason ? { reason } : {}) });
    }
    const id = str(json.id);
    if (!id) throw badResponse('simulator', response, 'a message id');
    return { carrierMessageId: id, status: 'queued' };
  }

  verifyWebhook(request: WebhookRequest, now: Date = new Date()): void {
    const signature = header(request, SIMULATOR_SIGNATURE_HEADER);
    const timestamp = header(request, SIMULATOR_TIMESTAMP_HEADER);
    if (!signature || !timestamp) throw new WebhookAuthError('unsigned', 'The simulator webhook has no x-simulator-signature or x-simulator-timestamp header.');
    if (!constantTimeEqual(simulatorSignature(this.credentials.signingSecret, timestamp, request.rawBody), signature.trim().toLowerCase())) {
      throw new WebhookAuthError('bad_signature', 'The x-simulator-signature does not match this connection\'s signing secret.');
    }
    checkTimestamp(timestamp, now, this.toleranceSeconds, 'simulator');
  }

  parseWebhook(request: WebhookRequest): WebhookEvent[] {
    const body = parseJsonBody(request);
    const data = isRecord(body) && isRecord(body.data) ? body.data : undefined;
    const type = isRecord(body) ? str(body.type) : undefined;
    const id = str(data?.id);
    if (!data || !type || !id) return [{ kind: 'ignored', reason: 'The simulator webhook is not an event ({ type, data: { id } }).' }];
    const at = isoTime(isRecord(body) ? body.occurred_at : undefined, new Date());
    if (type === 'message.received') {
      const media: InboundMedia[] = (Array.isArray(data.media) ? data.media.filter(isRecord) : [])
        .filter((m) => typeof m.url === 'string')
        .map((m) => ({ url: m.url as string, contentType: str(m.content_type) ?? 'application/octet-stream' }));
      return [{ kind: 'inbound', message: { carrierMessageId: id, from: normalizeAddress(data.from), to: normalizeAddress(data.to), body: str(data.text) ?? '', media, receivedAt: isoTime(data.received_at, new Date(at)) } }];
    }
    if (type === 'message.status') {
      const status = STATUSES.find((s) => s === data.status);
      if (!status) return [{ kind: 'ignored', reason: `Simulator status "${str(data.status) ?? '(none)'}" has no meaning here.` }];
      const errorCode = str(data.error_code);
      const errorMessage = str(data.error_message);
      const clientReference = str(data.client_reference);
      return [{ kind: 'status', update: { carrierMessageId: id, status, ...(errorCode ? { errorCode } : {}), ...(errorMessage ? { errorMessage } : {}), ...(clientReference ? { clientReference } : {}), at } }];
    }
    return [{ kind: 'ignored', reason: `Simulator event ${type} is not handled.` }];
  }
}
