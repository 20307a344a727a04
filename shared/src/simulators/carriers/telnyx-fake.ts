import { generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TelnyxCredentials, WebhookRequest } from '../../carriers';
import { isE164 } from '../../rules';
import { FaultPlan, type FaultSwitches } from '../graph/faults';
import { bearerToken, deliverWebhook, record, sendJson, sleep, startLoopbackServer, type DeliveryResult, type LoopbackServer, type RecordedCarrierRequest, type ServerOptions } from './http';

/**
 * A loopback Telnyx Messaging API v2: `POST /v2/messages` checked as Telnyx checks it
 * (Bearer API key, JSON, required fields, Telnyx's `{ errors: [...] }` shape), and
 * webhooks signed with a fresh Ed25519 key exactly as Telnyx signs them.
 */
export interface TelnyxFakeOptions extends ServerOptions {
  /** Default: "KEY" + random characters. */
  apiKey?: string;
  /** When given, only these from numbers are accepted (else 40305). */
  numbers?: string[];
}

export interface TelnyxFakeMessage {
  id: string;
  from: string;
  to: string;
  text: string;
  mediaUrls: string[];
  webhookUrl?: string;
  useProfileWebhooks?: boolean;
  messagingProfileId?: string;
  status: string;
  receivedAt: string;
}

export interface TelnyxInboundInput {
  from: string;
  to: string;
  text?: string;
  media?: Array<{ url: string; contentType: string }>;
  messageId?: string;
  /** When the event is signed (default now): set it in the past to test replay protection. */
  signedAt?: Date;
}

export type TelnyxRecipientStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'sending_failed' | 'delivery_failed' | 'delivery_unconfirmed';

export interface TelnyxStatusInput {
  messageId: string;
  eventType: 'message.sent' | 'message.finalized';
  status: TelnyxRecipientStatus;
  errors?: Array<{ code: string; title: string; detail?: string }>;
  signedAt?: Date;
}

export interface TelnyxFake extends LoopbackServer {
  apiKey: string;
  /** base64 of the raw 32-byte Ed25519 public key, as the Telnyx portal shows it. */
  publicKey: string;
  credentials: TelnyxCredentials;
  messages: TelnyxFakeMessage[];
  requests: RecordedCarrierRequest[];
  faults: FaultSwitches;
  optOut(number: string): void;
  optIn(number: string): void;
  inboundWebhook(url: string, input: TelnyxInboundInput): WebhookRequest;
  statusWebhook(url: string, input: TelnyxStatusInput): WebhookRequest;
  /** Posts a message.sent / message.finalized event to the webhook_url a recorded message was sent with. */
  sendStatus(messageId: string, eventType: TelnyxStatusInput['eventType'], status: TelnyxRecipientStatus, errors?: TelnyxStatusInput['errors']): Promise<DeliveryResult>;
  /** Telnyx's headers for any raw body (signed at `signedAt`, default now). */
  signatureHeaders(rawBody: Buffer, signedAt?: Date): Record<string, string>;
  deliver(request: WebhookRequest): Promise<DeliveryResult>;
}

const ERRORS = {
  notFound: ['10005', 'Resource not found', 'The requested resource or URL could not be found.'],
  auth: ['10009', 'Authentication failed', 'The required authentication headers were either invalid or not included in the request.'],
  tooMany: ['10011', 'Too many requests', 'You have exceeded the maximum number of allowed requests.'],
  unexpected: ['10007', 'Unexpected error', 'An unexpected error occured.'],
  mediaType: ['10014', 'Unsupported Media Type', 'The request failed because the server does not support the media type.'],
  json: ['10023', 'Invalid JSON', 'The supplied JSON is invalid.'],
} as const;

function telnyxError(res: ServerResponse, status: number, [code, title, detail]: readonly [string, string, string], pointer?: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { errors: [{ code, title, detail, ...(pointer ? { source: { pointer } } : {}), meta: { url: `https://developers.telnyx.com/docs/overview/errors/${code}` } }] }, headers);
}

export async function startTelnyxFake(options: TelnyxFakeOptions = {}): Promise<TelnyxFake> {
  const apiKey = options.apiKey ?? `KEY${randomBytes(24).toString('base64url')}`;
  const { publicKey: publicKeyObject, privateKey } = generateKeyPairSync('ed25519');
  const publicKey = (publicKeyObject.export({ format: 'der', type: 'spki' }) as Buffer).subarray(12).toString('base64');
  const numbers = options.numbers ? new Set(options.numbers) : undefined;
  const optedOut = new Set<string>();
  const messages: TelnyxFakeMessage[] = [];
  const requests: RecordedCarrierRequest[] = [];
  const faults = new FaultPlan();

  function handle(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (path !== '/v2/messages' || req.method !== 'POST') return telnyxError(res, 404, ERRORS.notFound);
    const fault = faults.next();
    if (fault) {
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
      return telnyxError(res, fault.status, fault.status === 429 ? ERRORS.tooMany : ERRORS.unexpected, undefined, headers);
    }
    if (bearerToken(req) !== apiKey) return telnyxError(res, 401, ERRORS.auth);
    if (!/^application\/json/i.test(req.headers['content-type'] ?? '')) return telnyxError(res, 415, ERRORS.mediaType);
    let input: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      input = parsed as Record<string, unknown>;
    } catch {
      return telnyxError(res, 400, ERRORS.json);
    }
    const text = typeof input.text === 'string' ? input.text : '';
    const mediaUrls = Array.isArray(input.media_urls) ? input.media_urls.filter((u): u is string => typeof u === 'string') : [];
    const to = typeof input.to === 'string' ? input.to : '';
    const from = typeof input.from === 'string' ? input.from : '';
    const profile = typeof input.messaging_profile_id === 'string' ? input.messaging_profile_id : undefined;
    const missing = (field: string) => telnyxError(res, 400, ['10004', 'Missing required parameter', `The '${field}' parameter is required.`], `/${field}`);
    if (!to) return missing('to');
    if (!from && !profile) return missing('from');
    if (!text && mediaUrls.length === 0) return missing('text');
    if (!isE164(to)) return telnyxError(res, 400, ['40310', "Invalid 'to' address", "The 'to' address should be in +E.164 format."], '/to');
    if (from && (!isE164(from) || (numbers && !numbers.has(from)))) return telnyxError(res, 400, ['40305', "Invalid 'from' address", `The 'from' address ${from} is not a number on this account.`], '/from');
    if (optedOut.has(to)) return telnyxError(res, 400, ['40300', 'Blocked due to STOP message', 'The recipient has opted out of messages from this sender.'], '/to');

    const message: TelnyxFakeMessage = {
      id: randomUUID(),
      from,
      to,
      text,
      mediaUrls,
      ...(typeof input.webhook_url === 'string' ? { webhookUrl: input.webhook_url } : {}),
      ...(typeof input.use_profile_webhooks === 'boolean' ? { useProfileWebhooks: input.use_profile_webhooks } : {}),
      ...(profile ? { messagingProfileId: profile } : {}),
      status: 'queued',
      receivedAt: new Date().toISOString(),
    };
    messages.push(message);
    sendJson(res, 200, {
      data: {
        record_type: 'message',
        direction: 'outbound',
        id: message.id,
        type: mediaUrls.length > 0 ? 'MMS' : 'SMS',
        messaging_profile_id: profile ?? null,
        from: { phone_number: from, carrier: 'Telnyx', line_type: 'Wireless' },
        to: [{ phone_number: to, status: 'queued', carrier: 'T-MOBILE USA, INC.', line_type: 'Wireless' }],
        text,
        media: mediaUrls.map((url) => ({ url, content_type: null, sha256: null, size: null })),
        webhook_url: message.webhookUrl ?? null,
        encoding: 'GSM-7',
        parts: 1,
        tags: [],
        cost: null,
        received_at: message.receivedAt,
        sent_at: null,
        completed_at: null,
        valid_until: null,
        errors: [],
      },
    });
  }

  const server = await startLoopbackServer(async (req, body, res) => {
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    handle(req, body, res);
    requests.push(record(req, body, res.statusCode));
  }, options);

  const signatureHeaders = (rawBody: Buffer, signedAt: Date = new Date()): Record<string, string> => {
    const timestamp = String(Math.floor(signedAt.getTime() / 1000));
    const signature = sign(null, Buffer.concat([Buffer.from(`${timestamp}|`, 'utf8'), rawBody]), privateKey as KeyObject).toString('base64');
    return { 'content-type': 'application/json', 'telnyx-signature-ed25519': signature, 'telnyx-timestamp': timestamp, 'user-agent': 'telnyx-webhooks' };
  };

  const event = (url: string, eventType: string, payload: Record<string, unknown>, signedAt?: Date): WebhookRequest => {
    const rawBody = Buffer.from(
      JSON.stringify({ data: { event_type: eventType, id: randomUUID(), occurred_at: new Date().toISOString(), payload, record_type: 'event' }, meta: { attempt: 1, delivered_to: url } }),
      'utf8',
    );
    return { url, headers: signatureHeaders(rawBody, signedAt), rawBody };
  };

  const statusWebhook = (url: string, input: TelnyxStatusInput): WebhookRequest => {
    const known = messages.find((m) => m.id === input.messageId);
    const now = new Date().toISOString();
    return event(url, input.eventType, {
      record_type: 'message',
      direction: 'outbound',
      id: input.messageId,
      type: known && known.mediaUrls.length > 0 ? 'MMS' : 'SMS',
      from: { phone_number: known?.from ?? '', carrier: 'Telnyx', line_type: 'Wireless' },
      to: [{ phone_number: known?.to ?? '', status: input.status, carrier: 'T-MOBILE USA, INC.', line_type: 'Wireless' }],
      text: known?.text ?? '',
      media: [],
      errors: input.errors ?? [],
      sent_at: now,
      completed_at: input.eventType === 'message.finalized' ? now : null,
    }, input.signedAt);
  };

  return {
    ...server,
    apiKey,
    publicKey,
    credentials: { apiKey, publicKey },
    messages,
    requests,
    faults,
    optOut: (number) => void optedOut.add(number),
    optIn: (number) => void optedOut.delete(number),
    inboundWebhook(url, input) {
      return event(url, 'message.received', {
        record_type: 'message',
        direction: 'inbound',
        id: input.messageId ?? randomUUID(),
        type: input.media && input.media.length > 0 ? 'MMS' : 'SMS',
        from: { phone_number: input.from, carrier: 'T-Mobile USA', line_type: 'long_code' },
        to: [{ phone_number: input.to, status: 'webhook_delivered', carrier: 'Telnyx', line_type: 'Wireless' }],
        text: input.text ?? '',
        media: (input.media ?? []).map((m) => ({ url: m.url, content_type: m.contentType, sha256: null, size: null })),
        encoding: 'GSM-7',
        parts: 1,
        errors: [],
        received_at: new Date().toISOString(),
      }, input.signedAt);
    },
    statusWebhook,
    async sendStatus(messageId, eventType, status, errors) {
      const message = messages.find((m) => m.id === messageId);
      if (!message?.webhookUrl) throw new Error(`Message ${messageId} was not sent with a webhook_url.`);
      message.status = status;
      return deliverWebhook(statusWebhook(message.webhookUrl, { messageId, eventType, status, ...(errors ? { errors } : {}) }));
    },
    signatureHeaders,
    deliver: (request) => deliverWebhook(request),
  };
}
