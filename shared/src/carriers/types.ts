/**
 * The messaging engine's view of a carrier: send one SMS/MMS, verify and read the
 * webhooks it calls back with. One adapter per carrier connection (credentials + base URL).
 */
export type CarrierType = 'twilio' | 'telnyx' | 'acs' | 'simulator';

export const CARRIER_TYPES: readonly CarrierType[] = ['twilio', 'telnyx', 'acs', 'simulator'];

export interface OutboundMessage {
  /** E.164. */
  from: string;
  /** E.164. */
  to: string;
  body: string;
  /** Public URLs the carrier fetches (MMS). */
  mediaUrls?: string[];
  /** Where the carrier posts delivery reports for this message (Twilio, Telnyx, simulator; ACS uses Event Grid). */
  statusCallbackUrl?: string;
  /** Our message id (sent where the carrier carries it back: ACS tag, simulator client_reference). */
  clientReference?: string;
}

export interface SendResult {
  carrierMessageId: string;
  status: 'queued' | 'sent' | 'accepted';
}

export interface InboundMedia {
  url: string;
  contentType: string;
}

export interface InboundMessage {
  carrierMessageId: string;
  /** E.164 when the carrier gave a phone number (short codes and sender ids are kept as sent). */
  from: string;
  to: string;
  body: string;
  media: InboundMedia[];
  /** ISO 8601. */
  receivedAt: string;
}

export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed';

export interface StatusUpdate {
  carrierMessageId: string;
  status: DeliveryStatus;
  errorCode?: string;
  errorMessage?: string;
  /** Our message id, when the carrier carries it back (ACS tag, simulator client_reference). */
  clientReference?: string;
  /** ISO 8601: when the carrier says it happened (or when we received it, if the carrier does not say). */
  at: string;
}

export interface WebhookRequest {
  /** The full public URL the carrier called, with the query string (Twilio signs it; ACS carries its secret in it). */
  url: string;
  /** As Node gives them (lower-case names); other casings are looked up too. */
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as received: signatures cover these bytes. */
  rawBody: Buffer;
}

export type WebhookEvent =
  | { kind: 'inbound'; message: InboundMessage }
  | { kind: 'status'; update: StatusUpdate }
  | { kind: 'validation'; response: unknown }
  | { kind: 'ignored'; reason: string };

export interface CarrierAdapter {
  readonly type: CarrierType;
  /** Throws CarrierError (see `retryable`, `retryAfterMs`). */
  send(message: OutboundMessage): Promise<SendResult>;
  /** Throws WebhookAuthError for forged, stale or unsigned requests. */
  verifyWebhook(request: WebhookRequest, now?: Date): void;
  /** Call after verifyWebhook. Event Grid posts several events at once. */
  parseWebhook(request: WebhookRequest): WebhookEvent[];
}

export interface CarrierAdapterOptions {
  /** The carrier's API origin (a loopback fake in tests). Defaults to the carrier's public API; required for the simulator. */
  baseUrl?: string;
  /** Replaces the built-in HTTP client (tests that change requests on their way). */
  fetch?: typeof fetch;
  /** Per API call (default 15 s); a timed-out send is reported retryable. */
  timeoutMs?: number;
  /** Accepted clock skew of signed webhook timestamps (Telnyx, simulator), default 300 s. */
  webhookToleranceSeconds?: number;
}
