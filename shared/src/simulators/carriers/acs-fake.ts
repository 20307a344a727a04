import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ACS_SMS_DELIVERY_REPORT,
  ACS_SMS_RECEIVED,
  ACS_WEBHOOK_SECRET_HEADER,
  ACS_WEBHOOK_SECRET_PARAM,
  EVENT_GRID_VALIDATION,
  type AcsCredentials,
  type WebhookRequest,
} from '../../carriers';
import { isE164 } from '../../rules';
import { FaultPlan, type FaultSwitches } from '../graph/faults';
import { deliverWebhook, record, sendJson, sleep, startLoopbackServer, type DeliveryResult, type LoopbackServer, type RecordedCarrierRequest, type ServerOptions } from './http';

/**
 * A loopback Azure Communication Services SMS endpoint: `POST /sms?api-version=2021-03-07`
 * authenticated the way ACS does it (the HMAC-SHA256 signature is recomputed from the
 * access key, the body hash and the date are checked; a mismatch answers 401), and an
 * Event Grid stand-in that posts SMSReceived / SMSDeliveryReportReceived / validation events.
 */
export interface AcsFakeOptions extends ServerOptions {
  /** base64; default 32 random bytes. */
  accessKey?: string;
  /** Default: random. */
  webhookSecret?: string;
  /** Where Event Grid puts the secret (default 'header': an Event Grid delivery property). */
  secretIn?: 'header' | 'query' | 'none';
  /** When given, only these from numbers are accepted. */
  numbers?: string[];
  /** Accepted x-ms-date skew (default 15 minutes). */
  maxClockSkewMinutes?: number;
}

export interface AcsFakeMessage {
  messageId: string;
  from: string;
  to: string;
  message: string;
  enableDeliveryReport: boolean;
  tag?: string;
  acceptedAt: string;
}

export interface EventGridEvent {
  id: string;
  topic: string;
  subject: string;
  data: Record<string, unknown>;
  eventType: string;
  dataVersion: string;
  metadataVersion: string;
  eventTime: string;
}

export interface AcsFake extends LoopbackServer {
  /** The resource endpoint (= baseUrl). */
  endpoint: string;
  accessKey: string;
  webhookSecret: string;
  credentials: AcsCredentials;
  messages: AcsFakeMessage[];
  requests: RecordedCarrierRequest[];
  faults: FaultSwitches;
  /** Sends to `number` come back unsuccessful for that recipient with this status and message. */
  failRecipient(number: string, httpStatusCode: number, errorMessage: string): void;
  smsReceivedEvent(input: { from: string; to: string; message: string; messageId?: string }): EventGridEvent;
  deliveryReportEvent(input: { messageId: string; deliveryStatus: string; deliveryStatusDetails?: string; from?: string; to?: string }): EventGridEvent;
  validationEvent(validationCode?: string): EventGridEvent;
  /** The request Event Grid would POST to `url` with these events (secret added per `secretIn`). */
  eventGridRequest(url: string, events: EventGridEvent[]): WebhookRequest;
  deliver(request: WebhookRequest): Promise<DeliveryResult>;
}

const API_VERSIONS = new Set(['2021-03-07']);
const TOPIC = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/switchboard/providers/Microsoft.Communication/CommunicationServices/fake';
const AUTH = /^HMAC-SHA256\s+SignedHeaders=([^&]+)&Signature=(.+)$/;

function acsError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

export async function startAcsFake(options: AcsFakeOptions = {}): Promise<AcsFake> {
  const accessKey = options.accessKey ?? randomBytes(32).toString('base64');
  const webhookSecret = options.webhookSecret ?? randomBytes(24).toString('base64url');
  const secretIn = options.secretIn ?? 'header';
  const skewMs = (options.maxClockSkewMinutes ?? 15) * 60_000;
  const numbers = options.numbers ? new Set(options.numbers) : undefined;
  const failing = new Map<string, { httpStatusCode: number; errorMessage: string }>();
  const messages: AcsFakeMessage[] = [];
  const requests: RecordedCarrierRequest[] = [];
  const faults = new FaultPlan();

  /** Why the request's HMAC authentication fails, or undefined when it holds. */
  function authProblem(req: IncomingMessage, body: Buffer): string | undefined {
    const auth = AUTH.exec((req.headers.authorization ?? '').trim());
    if (!auth) return 'no HMAC-SHA256 Authorization header';
    if (auth[1] !== 'x-ms-date;host;x-ms-content-sha256') return `unexpected SignedHeaders ${auth[1]}`;
    const date = req.headers['x-ms-date'];
    const contentHash = req.headers['x-ms-content-sha256'];
    const host = req.headers.host;
    if (typeof date !== 'string' || typeof contentHash !== 'string' || typeof host !== 'string') return 'x-ms-date, x-ms-content-sha256 or host missing';
    const at = Date.parse(date);
    if (Number.isNaN(at) || Math.abs(Date.now() - at) > skewMs) return 'x-ms-date missing or too far from now';
    // Computed here from the wire, independently of the adapter's signing code.
    if (contentHash !== createHash('sha256').update(body).digest('base64')) return 'x-ms-content-sha256 does not match the body';
    const stringToSign = `${req.method ?? 'POST'}\n${req.url ?? '/'}\n${date};${host};${contentHash}`;
    const expected = createHmac('sha256', Buffer.from(accessKey, 'base64')).update(stringToSign, 'utf8').digest('base64');
    return expected === auth[2] ? undefined : 'signature mismatch';
  }

  function handle(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname !== '/sms' || req.method !== 'POST') return acsError(res, 404, 'NotFound', 'The resource or endpoint does not exist.');
    const version = url.searchParams.get('api-version');
    if (!version || !API_VERSIONS.has(version)) return acsError(res, 400, 'UnsupportedApiVersion', `The api-version '${version ?? ''}' is not supported; use 2021-03-07.`);
    const fault = faults.next();
    if (fault) {
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
      return acsError(res, fault.status, fault.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', fault.status === 429 ? 'Rate limit exceeded.' : 'The service is temporarily unavailable.', headers);
    }
    if (authProblem(req, body)) return acsError(res, 401, 'Denied', 'Denied by the resource provider.');
    if (!/^application\/json/i.test(req.headers['content-type'] ?? '')) return acsError(res, 415, 'UnsupportedMediaType', 'The request content type must be application/json.');
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new Error('not an object');
    } catch {
      return acsError(res, 400, 'BadRequest', 'The request body is not valid JSON.');
    }
    const from = typeof input.from === 'string' ? input.from : '';
    const text = typeof input.message === 'string' ? input.message : '';
    const recipients = Array.isArray(input.smsRecipients) ? input.smsRecipients : [];
    const options = typeof input.smsSendOptions === 'object' && input.smsSendOptions !== null ? (input.smsSendOptions as Record<string, unknown>) : {};
    if (!from || !isE164(from) || (numbers && !numbers.has(from))) return acsError(res, 400, 'BadRequest', 'Invalid From phone number format, or the number does not belong to this resource.');
    if (recipients.length === 0 || recipients.length > 100) return acsError(res, 400, 'BadRequest', 'smsRecipients must hold 1 to 100 recipients.');
    if (!text) return acsError(res, 400, 'BadRequest', 'The message is required.');
    if (typeof options.enableDeliveryReport !== 'boolean') return acsError(res, 400, 'BadRequest', 'smsSendOptions.enableDeliveryReport is required.');

    const value = recipients.map((recipient: unknown) => {
      const to = typeof recipient === 'object' && recipient !== null && typeof (recipient as { to?: unknown }).to === 'string' ? (recipient as { to: string }).to : '';
      if (!isE164(to)) return { to, httpStatusCode: 400, successful: false, errorMessage: 'Invalid To phone number format.' };
      const failure = failing.get(to);
      if (failure) return { to, httpStatusCode: failure.httpStatusCode, successful: false, errorMessage: failure.errorMessage };
      const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
      const message: AcsFakeMessage = {
        messageId: `Outgoing_${stamp}${randomUUID()}_noam`,
        from,
        to,
        message: text,
        enableDeliveryReport: options.enableDeliveryReport as boolean,
        ...(typeof options.tag === 'string' ? { tag: options.tag } : {}),
        acceptedAt: new Date().toISOString(),
      };
      messages.push(message);
      return { to, messageId: message.messageId, httpStatusCode: 202, successful: true };
    });
    sendJson(res, 202, { value });
  }

  const server = await startLoopbackServer(async (req, body, res) => {
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    handle(req, body, res);
    requests.push(record(req, body, res.statusCode));
  }, options);

  const envelope = (eventType: string, subject: string, data: Record<string, unknown>, dataVersion = '1.0'): EventGridEvent => ({
    id: randomUUID(),
    topic: TOPIC,
    subject,
    data,
    eventType,
    dataVersion,
    metadataVersion: '1',
    eventTime: new Date().toISOString(),
  });

  return {
    ...server,
    endpoint: server.baseUrl,
    accessKey,
    webhookSecret,
    credentials: { endpoint: server.baseUrl, accessKey, webhookSecret },
    messages,
    requests,
    faults,
    failRecipient: (number, httpStatusCode, errorMessage) => void failing.set(number, { httpStatusCode, errorMessage }),
    smsReceivedEvent(input) {
      const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
      return envelope(ACS_SMS_RECEIVED, `/phonenumber/${input.to.replace(/^\+/, '')}`, {
        messageId: input.messageId ?? `Incoming_${stamp}${randomUUID()}`,
        from: input.from,
        to: input.to,
        message: input.message,
        receivedTimestamp: new Date().toISOString(),
      });
    },
    deliveryReportEvent(input) {
      const known = messages.find((m) => m.messageId === input.messageId);
      const to = input.to ?? known?.to ?? '';
      const now = new Date().toISOString();
      return envelope(ACS_SMS_DELIVERY_REPORT, `/phonenumber/${to.replace(/^\+/, '')}`, {
        messageId: input.messageId,
        from: input.from ?? known?.from ?? '',
        to,
        deliveryStatus: input.deliveryStatus,
        deliveryStatusDetails: input.deliveryStatusDetails ?? (input.deliveryStatus === 'Delivered' ? 'No error.' : 'Delivery failed.'),
        deliveryAttempts: [{ timestamp: now, segmentsSucceeded: input.deliveryStatus === 'Delivered' ? 1 : 0, segmentsFailed: input.deliveryStatus === 'Delivered' ? 0 : 1 }],
        receivedTimestamp: now,
        ...(known?.tag ? { tag: known.tag } : {}),
      });
    },
    validationEvent(validationCode = randomUUID()) {
      return envelope(EVENT_GRID_VALIDATION, '', { validationCode, validationUrl: `https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/switchboard/validate?id=${validationCode}` }, '1');
    },
    eventGridRequest(url, events) {
      const validation = events.some((e) => e.eventType === EVENT_GRID_VALIDATION);
      const target = new URL(url);
      if (secretIn === 'query') target.searchParams.set(ACS_WEBHOOK_SECRET_PARAM, webhookSecret);
      return {
        url: secretIn === 'query' ? target.toString() : url,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'aeg-event-type': validation ? 'SubscriptionValidation' : 'Notification',
          'aeg-subscription-name': 'SWITCHBOARD',
          'aeg-delivery-count': '0',
          ...(secretIn === 'header' ? { [ACS_WEBHOOK_SECRET_HEADER]: webhookSecret } : {}),
        },
        rawBody: Buffer.from(JSON.stringify(events), 'utf8'),
      };
    },
    deliver: (request) => deliverWebhook(request),
  };
}
