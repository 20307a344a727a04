import { createHash, createHmac } from 'node:crypto';
import { WebhookAuthError } from './errors';
import {
  badResponse,
  callCarrier,
  checkOutbound,
  constantTimeEqual,
  DEFAULT_CARRIER_TIMEOUT_MS,
  header,
  httpFailure,
  isRecord,
  isRetryableStatus,
  isoTime,
  joinUrl,
  normalizeAddress,
  parseJsonBody,
  reasonForStatus,
  str,
  type FetchLike,
} from './http';
import { CarrierError } from './errors';
import type { CarrierAdapter, CarrierAdapterOptions, DeliveryStatus, OutboundMessage, SendResult, WebhookEvent, WebhookRequest } from './types';

/**
 * Azure Communication Services SMS: `POST {endpoint}/sms?api-version=2021-03-07` signed
 * with HMAC-SHA256 (the resource's access key); inbound messages and delivery reports
 * arrive through Event Grid, which signs nothing: the webhook carries a shared secret.
 */
export interface AcsCredentials {
  /** https://{resource}.communication.azure.com */
  endpoint: string;
  /** The resource's access key (base64), as in its connection string. */
  accessKey: string;
  /**
   * Shared secret of the Event Grid subscription: sent in the `x-switchboard-secret`
   * header (an Event Grid delivery property marked secret, preferred) or as the
   * `secret` query parameter of the webhook URL.
   */
  webhookSecret: string;
}

export const ACS_SMS_API_VERSION = '2021-03-07';
export const ACS_WEBHOOK_SECRET_HEADER = 'x-switchboard-secret';
export const ACS_WEBHOOK_SECRET_PARAM = 'secret';

export const EVENT_GRID_VALIDATION = 'Microsoft.EventGrid.SubscriptionValidationEvent';
export const ACS_SMS_RECEIVED = 'Microsoft.Communication.SMSReceived';
export const ACS_SMS_DELIVERY_REPORT = 'Microsoft.Communication.SMSDeliveryReportReceived';

/** "endpoint=https://x.communication.azure.com/;accesskey=..." → its parts. */
export function parseAcsConnectionString(connectionString: string): { endpoint: string; accessKey: string } {
  const parts = new Map(
    connectionString
      .split(';')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const at = part.indexOf('=');
        return [part.slice(0, at).toLowerCase(), part.slice(at + 1)] as const;
      }),
  );
  const endpoint = parts.get('endpoint');
  const accessKey = parts.get('accesskey');
  if (!endpoint || !accessKey) throw new Error('An ACS connection string reads "endpoint=https://...;accesskey=...".');
  return { endpoint: endpoint.replace(/\/+$/, ''), accessKey };
}

/** `{VERB}\n{path and query}\n{x-ms-date};{host};{x-ms-content-sha256}`: what ACS HMAC authentication signs. */
export function acsStringToSign(method: string, pathAndQuery: string, date: string, host: string, contentHash: string): string {
  return `${method.toUpperCase()}\n${pathAndQuery}\n${date};${host};${contentHash}`;
}

export function acsContentHash(body: string | Buffer): string {
  return createHash('sha256').update(body).digest('base64');
}

/** base64 HMAC-SHA256 of the string to sign, keyed with the base64-decoded access key. */
export function acsSignature(accessKey: string, stringToSign: string): string {
  return createHmac('sha256', Buffer.from(accessKey, 'base64')).update(stringToSign, 'utf8').digest('base64');
}

/** The headers that authenticate one ACS request (Host is the URL's host, which fetch sends itself). */
export function acsRequestHeaders(method: string, url: string | URL, body: string | Buffer, accessKey: string, date: Date = new Date()): Record<'x-ms-date' | 'x-ms-content-sha256' | 'authorization', string> {
  const target = typeof url === 'string' ? new URL(url) : url;
  const msDate = date.toUTCString();
  const contentHash = acsContentHash(body);
  const signature = acsSignature(accessKey, acsStringToSign(method, `${target.pathname}${target.search}`, msDate, target.host, contentHash));
  return {
    'x-ms-date': msDate,
    'x-ms-content-sha256': contentHash,
    authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  };
}

/** Delivery report statuses as ours (ACS sends "Delivered" and "Failed"; the rest are defensive). */
const STATUS: Record<string, DeliveryStatus> = {
  delivered: 'delivered',
  failed: 'failed',
  undelivered: 'undelivered',
  expired: 'undelivered',
  sent: 'sent',
};

/** Event Grid data fields are camelCase on the wire; the docs' samples show PascalCase: accept both. */
function field(data: Record<string, unknown>, name: string): unknown {
  if (name in data) return data[name];
  const pascal = name.charAt(0).toUpperCase() + name.slice(1);
  return data[pascal];
}

export class AcsAdapter implements CarrierAdapter {
  readonly type = 'acs' as const;
  private readonly endpoint: string;
  private readonly fetchImpl: FetchLike | undefined;
  private readonly timeoutMs: number;

  constructor(
    private readonly credentials: AcsCredentials,
    options: CarrierAdapterOptions = {},
  ) {
    if (!credentials.accessKey) throw new Error('ACS credentials need an accessKey.');
    if (!credentials.webhookSecret) throw new Error('ACS credentials need a webhookSecret: Event Grid signs nothing, the secret is what protects the webhook.');
    this.endpoint = options.baseUrl ?? credentials.endpoint;
    if (!this.endpoint) throw new Error('ACS credentials need an endpoint.');
    this.fetchImpl = options.fetch;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CARRIER_TIMEOUT_MS;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    checkOutbound('acs', message);
    if (message.mediaUrls && message.mediaUrls.length > 0) {
      throw new CarrierError('Azure Communication Services sends text only (no MMS): remove the media.', { carrier: 'acs', retryable: false, reason: 'invalid_request', code: 'invalid_request' });
    }
    const url = new URL(joinUrl(this.endpoint, `/sms?api-version=${ACS_SMS_API_VERSION}`));
    const smsSendOptions: Record<string, unknown> = { enableDeliveryReport: true };
    if (message.clientReference) smsSendOptions.tag = message.clientReference;
    const body = JSON.stringify({ from: message.from, smsRecipients: [{ to: message.to }], message: message.body, smsSendOptions });
    const response = await callCarrier('acs', this.fetchImpl, url.toString(), {
      method: 'POST',
      headers: { ...acsRequestHeaders('POST', url, body, this.credentials.accessKey), 'content-type': 'application/json', accept: 'application/json' },
      body,
    }, this.timeoutMs);
    const json = isRecord(response.json) ? response.json : {};
    if (response.status < 200 || response.status >= 300) {
      const error = isRecord(json.error) ? json.error : {};
      const code = str(error.code);
      throw httpFailure('acs', response, { ...(code !== undefined ? { code } : {}), message: str(error.message) ?? (response.text.slice(0, 200) || 'no details') });
    }
    const result = Array.isArray(json.value) && isRecord(json.value[0]) ? json.value[0] : undefined;
    if (!result) throw badResponse('acs', response, 'a result for the recipient');
    const messageId = str(result.messageId);
    if (result.successful !== true || !messageId) {
      const status = typeof result.httpStatusCode === 'number' ? result.httpStatusCode : 400;
      const text = str(result.errorMessage) ?? 'no details';
      const invalid = status === 400 && /phone number|\bto\b|recipient/i.test(text);
      throw new CarrierError(`Azure Communication Services refused the message for ${message.to} (HTTP ${status}): ${text}`, {
        carrier: 'acs',
        retryable: isRetryableStatus(status),
        reason: invalid ? 'invalid_number' : reasonForStatus(status),
        status,
        code: String(status),
      });
    }
    return { carrierMessageId: messageId, status: 'accepted' };
  }

  verifyWebhook(request: WebhookRequest): void {
    let fromQuery: string | null = null;
    try {
      fromQuery = new URL(request.url).searchParams.get(ACS_WEBHOOK_SECRET_PARAM);
    } catch {
      fromQuery = null;
    }
    const given = header(request, ACS_WEBHOOK_SECRET_HEADER) ?? fromQuery;
    if (!given) throw new WebhookAuthError('unsigned', `The Event Grid webhook carries no secret (header ${ACS_WEBHOOK_SECRET_HEADER} or ?${ACS_WEBHOOK_SECRET_PARAM}=).`);
    if (!constantTimeEqual(given, this.credentials.webhookSecret)) throw new WebhookAuthError('bad_signature', 'The Event Grid webhook secret is not this connection\'s.');
  }

  parseWebhook(request: WebhookRequest): WebhookEvent[] {
    const body = parseJsonBody(request);
    const events = Array.isArray(body) ? body : isRecord(body) ? [body] : [];
    if (events.length === 0) return [{ kind: 'ignored', reason: 'The Event Grid webhook holds no events.' }];
    const now = new Date();
    return events.map((event): WebhookEvent => {
      if (!isRecord(event)) return { kind: 'ignored', reason: 'An Event Grid event is not an object.' };
      const type = str(event.eventType) ?? str(event.type); // Event Grid schema, or CloudEvents
      const data = isRecord(event.data) ? event.data : {};
      const eventTime = isoTime(event.eventTime ?? event.time, now);
      switch (type) {
        case EVENT_GRID_VALIDATION: {
          const code = str(field(data, 'validationCode'));
          return code ? { kind: 'validation', response: { validationResponse: code } } : { kind: 'ignored', reason: 'The validation event has no validationCode.' };
        }
        case ACS_SMS_RECEIVED: {
          const id = str(field(data, 'messageId'));
          if (!id) return { kind: 'ignored', reason: 'The SMSReceived event has no messageId.' };
          return {
            kind: 'inbound',
            message: {
              carrierMessageId: id,
              from: normalizeAddress(field(data, 'from')),
              to: normalizeAddress(field(data, 'to')),
              body: str(field(data, 'message')) ?? '',
              media: [],
              receivedAt: isoTime(field(data, 'receivedTimestamp'), new Date(eventTime)),
            },
          };
        }
        case ACS_SMS_DELIVERY_REPORT: {
          const id = str(field(data, 'messageId'));
          const word = str(field(data, 'deliveryStatus'));
          const status = word ? STATUS[word.toLowerCase()] : undefined;
          if (!id || !status) return { kind: 'ignored', reason: `The delivery report ${id ?? '(no messageId)'} has status "${word ?? '(none)'}", which has no meaning here.` };
          const details = str(field(data, 'deliveryStatusDetails'));
          const tag = str(field(data, 'tag'));
          return {
            kind: 'status',
            update: {
              carrierMessageId: id,
              status,
              ...(status !== 'delivered' && status !== 'sent' ? { errorCode: word, ...(details ? { errorMessage: details } : {}) } : {}),
              ...(tag ? { clientReference: tag } : {}),
              at: isoTime(field(data, 'receivedTimestamp'), new Date(eventTime)),
            },
          };
        }
        default:
          return { kind: 'ignored', reason: `Event Grid event ${type ?? '(no type)'} is not handled.` };
      }
    });
  }
}
