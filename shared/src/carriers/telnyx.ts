import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { WebhookAuthError, type CarrierErrorReason } from './errors';
import {
  badResponse,
  callCarrier,
  checkOutbound,
  checkTimestamp,
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
 * Telnyx Messaging API v2: `POST /v2/messages` (JSON, Bearer API key); webhooks signed
 * with Ed25519 (`telnyx-signature-ed25519` over `{telnyx-timestamp}|{raw body}`).
 */
export interface TelnyxCredentials {
  /** API v2 key ("KEY..."). */
  apiKey: string;
  /** The account's webhook public key, as the portal shows it: base64 of the raw 32-byte Ed25519 key. */
  publicKey: string;
  /** Sent with each message when given (needed for alphanumeric senders and number pools). */
  messagingProfileId?: string;
}

export const TELNYX_API_BASE_URL = 'https://api.telnyx.com';
export const TELNYX_SIGNATURE_HEADER = 'telnyx-signature-ed25519';
export const TELNYX_TIMESTAMP_HEADER = 'telnyx-timestamp';

/** ASN.1 SubjectPublicKeyInfo prefix of an Ed25519 key (OID 1.3.101.112); the 32 key bytes follow. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A KeyObject from the portal's base64 public key (a PEM is accepted too). Throws when it is not an Ed25519 key. */
export function telnyxPublicKey(publicKey: string): KeyObject {
  const text = publicKey.trim();
  if (text.startsWith('-----BEGIN')) return createPublicKey(text);
  const raw = Buffer.from(text, 'base64');
  if (raw.length !== 32) throw new Error(`A Telnyx public key is 32 bytes in base64 (44 characters); this one decodes to ${raw.length} bytes.`);
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** True when `signature` (base64) is a valid Ed25519 signature of `{timestamp}|{rawBody}`. */
export function verifyTelnyxSignature(publicKey: KeyObject, signature: string, timestamp: string, rawBody: Buffer): boolean {
  const bytes = Buffer.from(signature.trim(), 'base64');
  if (bytes.length !== 64) return false;
  try {
    return verify(null, Buffer.concat([Buffer.from(`${timestamp}|`, 'utf8'), rawBody]), publicKey, bytes);
  } catch {
    return false;
  }
}

/** Telnyx message (recipient) statuses as ours. */
const STATUS: Record<string, DeliveryStatus> = {
  queued: 'queued',
  sending: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  sending_failed: 'failed',
  delivery_failed: 'undelivered',
  // Finalized without a handset receipt: it left Telnyx, nothing more will come.
  delivery_unconfirmed: 'sent',
};

function reasonForCode(code: string | undefined): CarrierErrorReason | undefined {
  switch (code) {
    case '40300': // Blocked due to STOP message
      return 'opted_out';
    case '10002': // Invalid phone number
    case '10016': // Phone number must be in +E.164 format
    case '40310': // Invalid 'to' address
    case '40012': // Invalid destination number
      return 'invalid_number';
    case '10009': // Authentication failed
    case '10010': // Authorization failed
      return 'unauthorized';
    case '10011': // Too many requests
      return 'rate_limited';
    default:
      return undefined;
  }
}

function firstError(errors: unknown): { code?: string; title?: string; detail?: string } | undefined {
  if (!Array.isArray(errors) || !isRecord(errors[0])) return undefined;
  const e = errors[0];
  return { code: str(e.code), title: str(e.title), detail: str(e.detail) };
}

export class TelnyxAdapter implements CarrierAdapter {
  readonly type = 'telnyx' as const;
  private readonly baseUrl: string;
  private readonly fetchImpl: FetchLike | undefined;
  private readonly timeoutMs: number;
  private readonly toleranceSeconds: number;
  private readonly key: KeyObject;

  constructor(
    private readonly credentials: TelnyxCredentials,
    options: CarrierAdapterOptions = {},
  ) {
    if (!credentials.apiKey) throw new Error('Telnyx credentials need an apiKey.');
    this.key = telnyxPublicKey(credentials.publicKey);
    this.baseUrl = options.baseUrl ?? TELNYX_API_BASE_URL;
    this.fetchImpl = options.fetch;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CARRIER_TIMEOUT_MS;
    this.toleranceSeconds = options.webhookToleranceSeconds ?? 300;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    checkOutbound('telnyx', message);
    const body: Record<string, unknown> = { from: message.from, to: message.to };
    if (message.body !== '') body.text = message.body;
    if (message.mediaUrls && message.mediaUrls.length > 0) body.media_urls = message.mediaUrls;
    if (this.credentials.messagingProfileId) body.messaging_profile_id = this.credentials.messagingProfileId;
    if (message.statusCallbackUrl) {
      body.webhook_url = message.statusCallbackUrl;
      // Otherwise Telnyx also posts the events to the profile's webhooks: each status twice.
      body.use_profile_webhooks = false;
    }
    const response = await callCarrier('telnyx', this.fetchImpl, joinUrl(this.baseUrl, '/v2/messages'), {
      method: 'POST',
      headers: { authorization: `Bearer ${this.credentials.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    }, this.timeoutMs);
    const json = isRecord(response.json) ? response.json : {};
    if (response.status < 200 || response.status >= 300) {
      const error = firstError(json.errors);
      const reason = reasonForCode(error?.code);
      throw httpFailure('telnyx', response, {
        ...(error?.code !== undefined ? { code: error.code } : {}),
        message: [error?.title, error?.detail].filter(Boolean).join(': ') || response.text.slice(0, 200) || 'no details',
        ...(reason ? { reason } : {}),
      });
    }
    const data = isRecord(json.data) ? json.data : undefined;
    const id = str(data?.id);
    if (!data || !id) throw badResponse('telnyx', response, 'a message id');
    const to = Array.isArray(data.to) && isRecord(data.to[0]) ? str(data.to[0].status) : undefined;
    return { carrierMessageId: id, status: to === 'sending' || to === 'sent' ? 'sent' : 'queued' };
  }

  verifyWebhook(request: WebhookRequest, now: Date = new Date()): void {
    const signature = header(request, TELNYX_SIGNATURE_HEADER);
    const timestamp = header(request, TELNYX_TIMESTAMP_HEADER);
    if (!signature || !timestamp) throw new WebhookAuthError('unsigned', 'The Telnyx webhook has no telnyx-signature-ed25519 or telnyx-timestamp header.');
    if (!verifyTelnyxSignature(this.key, signature, timestamp, request.rawBody)) {
      throw new WebhookAuthError('bad_signature', 'The telnyx-signature-ed25519 does not verify with this connection\'s public key.');
    }
    checkTimestamp(timestamp, now, this.toleranceSeconds, 'Telnyx');
  }

  parseWebhook(request: WebhookRequest): WebhookEvent[] {
    const body = parseJsonBody(request);
    const data = isRecord(body) && isRecord(body.data) ? body.data : undefined;
    const payload = data && isRecord(data.payload) ? data.payload : undefined;
    const eventType = str(data?.event_type);
    if (!data || !payload || !eventType) return [{ kind: 'ignored', reason: 'The Telnyx webhook is not an event ({ data: { event_type, payload } }).' }];
    const id = str(payload.id);
    if (!id) return [{ kind: 'ignored', reason: `The Telnyx ${eventType} event has no message id.` }];
    const now = new Date();
    const at = isoTime(data.occurred_at, now);
    const recipients = Array.isArray(payload.to) ? payload.to.filter(isRecord) : [];
    if (eventType === 'message.received') {
      const from = isRecord(payload.from) ? payload.from.phone_number : undefined;
      const media: InboundMedia[] = (Array.isArray(payload.media) ? payload.media.filter(isRecord) : [])
        .filter((m) => typeof m.url === 'string')
        .map((m) => ({ url: m.url as string, contentType: str(m.content_type) ?? 'application/octet-stream' }));
      return [{
        kind: 'inbound',
        message: { carrierMessageId: id, from: normalizeAddress(from), to: normalizeAddress(recipients[0]?.phone_number), body: str(payload.text) ?? '', media, receivedAt: isoTime(payload.received_at, new Date(at)) },
      }];
    }
    if (eventType === 'message.sent' || eventType === 'message.finalized') {
      const word = str(recipients[0]?.status) ?? (eventType === 'message.sent' ? 'sent' : undefined);
      const status = word ? STATUS[word] : undefined;
      if (!status) return [{ kind: 'ignored', reason: `Telnyx status "${word ?? '(none)'}" has no meaning here.` }];
      const error = firstError(payload.errors);
      const errorMessage = [error?.title, error?.detail].filter(Boolean).join(': ');
      return [{ kind: 'status', update: { carrierMessageId: id, status, ...(error?.code ? { errorCode: error.code } : {}), ...(errorMessage ? { errorMessage } : {}), at } }];
    }
    return [{ kind: 'ignored', reason: `Telnyx event ${eventType} is not handled.` }];
  }
}
