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
  joinUrl,
  normalizeAddress,
  str,
  type FetchLike,
} from './http';
import type { CarrierErrorReason } from './errors';
import type { CarrierAdapter, CarrierAdapterOptions, DeliveryStatus, OutboundMessage, SendResult, WebhookEvent, WebhookRequest } from './types';

/**
 * Twilio Programmable Messaging: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`
 * (form-encoded, HTTP Basic), webhooks signed with `X-Twilio-Signature`.
 */
export interface TwilioCredentials {
  /** AC + 32 hex. */
  accountSid: string;
  /** The account's primary Auth Token: Twilio signs webhooks with it even when the API is called with an API key. */
  authToken: string;
  /** SK + 32 hex; when given with apiKeySecret, API calls use the key instead of the Auth Token. */
  apiKeySid?: string;
  apiKeySecret?: string;
}

export const TWILIO_API_BASE_URL = 'https://api.twilio.com';
export const TWILIO_SIGNATURE_HEADER = 'x-twilio-signature';

export type TwilioParams = URLSearchParams | Record<string, string | readonly string[]>;

function paramEntries(params: TwilioParams): Map<string, string[]> {
  const map = new Map<string, string[]>();
  const add = (name: string, value: string) => map.set(name, [...(map.get(name) ?? []), value]);
  if (params instanceof URLSearchParams) {
    for (const [name, value] of params) add(name, value);
  } else {
    for (const [name, value] of Object.entries(params)) for (const v of typeof value === 'string' ? [value] : value) add(name, v);
  }
  return map;
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * X-Twilio-Signature: base64 HMAC-SHA1 (key: the Auth Token) of the full URL followed by
 * every POST parameter's name and value, sorted by name (case-sensitive); a repeated
 * name contributes each of its distinct values, sorted (as Twilio's own libraries do).
 */
export function twilioSignature(authToken: string, url: string, params: TwilioParams = {}): string {
  let data = url;
  const entries = paramEntries(params);
  for (const name of [...entries.keys()].sort(byCodeUnit)) {
    for (const value of [...new Set(entries.get(name))].sort(byCodeUnit)) data += name + value;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

const URL_PARTS = /^([a-z][a-z0-9+.-]*:\/\/)([^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(:\d+)?(.*)$/is;

/**
 * The URL as given, without its port, and with the scheme's default port: Twilio signs
 * whichever form its own URL had, and proxies add or drop ports (as Twilio's libraries
 * accept). Scheme and host keep their case: Twilio signs the URL as it was configured.
 */
export function twilioUrlVariants(url: string): string[] {
  const match = URL_PARTS.exec(url);
  if (!match) return [url];
  const [, scheme = '', userInfo = '', host = '', port, rest = ''] = match;
  const variants = [url, `${scheme}${userInfo}${host}${rest}`];
  if (!port) {
    const defaultPort = /^https:/i.test(scheme) ? ':443' : /^http:/i.test(scheme) ? ':80' : '';
    if (defaultPort) variants.push(`${scheme}${userInfo}${host}${defaultPort}${rest}`);
  }
  return [...new Set(variants)];
}

/** True when `signature` is the one Twilio would send for this URL and these parameters. */
export function validateTwilioSignature(authToken: string, signature: string, url: string, params: TwilioParams = {}): boolean {
  return twilioUrlVariants(url).some((candidate) => constantTimeEqual(twilioSignature(authToken, candidate, params), signature));
}

/** Twilio's status words, as ours. Inbound (receiving/received) and unknown ones map to undefined. */
const STATUS: Record<string, DeliveryStatus> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'failed',
};

/** Twilio error codes that say more than the HTTP status. */
function reasonForCode(code: string | undefined): CarrierErrorReason | undefined {
  switch (code) {
    case '21610': // Attempt to send to unsubscribed recipient
      return 'opted_out';
    case '21211': // Invalid 'To' Phone Number
    case '21614': // 'To' number is not a valid mobile number
    case '21217': // Phone number does not appear to be valid
      return 'invalid_number';
    case '20003': // Authenticate
      return 'unauthorized';
    case '20429': // Too Many Requests
      return 'rate_limited';
    default:
      return undefined;
  }
}

function formParams(request: WebhookRequest): URLSearchParams {
  const type = header(request, 'content-type') ?? 'application/x-www-form-urlencoded';
  return /application\/x-www-form-urlencoded/i.test(type) ? new URLSearchParams(request.rawBody.toString('utf8')) : new URLSearchParams();
}

export class TwilioAdapter implements CarrierAdapter {
  readonly type = 'twilio' as const;
  private readonly baseUrl: string;
  private readonly fetchImpl: FetchLike | undefined;
  private readonly timeoutMs: number;

  constructor(
    private readonly credentials: TwilioCredentials,
    options: CarrierAdapterOptions = {},
  ) {
    if (!credentials.accountSid || !credentials.authToken) throw new Error('Twilio credentials need an accountSid and an authToken.');
    if (Boolean(credentials.apiKeySid) !== Boolean(credentials.apiKeySecret)) throw new Error('A Twilio API key needs both apiKeySid and apiKeySecret.');
    this.baseUrl = options.baseUrl ?? TWILIO_API_BASE_URL;
    this.fetchImpl = options.fetch;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CARRIER_TIMEOUT_MS;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    checkOutbound('twilio', message);
    const { accountSid, authToken, apiKeySid, apiKeySecret } = this.credentials;
    const form = new URLSearchParams();
    form.append('To', message.to);
    form.append('From', message.from);
    if (message.body !== '') form.append('Body', message.body);
    for (const url of message.mediaUrls ?? []) form.append('MediaUrl', url);
    if (message.statusCallbackUrl) form.append('StatusCallback', message.statusCallbackUrl);
    const user = apiKeySid && apiKeySecret ? `${apiKeySid}:${apiKeySecret}` : `${accountSid}:${authToken}`;
    const response = await callCarrier('twilio', this.fetchImpl, joinUrl(this.baseUrl, `/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`), {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(user, 'utf8').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
    }, this.timeoutMs);
    const body = isRecord(response.json) ? response.json : {};
    if (response.status < 200 || response.status >= 300) {
      const code = str(body.code);
      const reason = reasonForCode(code);
      throw httpFailure('twilio', response, { ...(code !== undefined ? { code } : {}), message: str(body.message) ?? (response.text.slice(0, 200) || 'no details'), ...(reason ? { reason } : {}) });
    }
    const sid = str(body.sid);
    if (!sid) throw badResponse('twilio', response, 'a message sid');
    const status = str(body.status);
    return { carrierMessageId: sid, status: status === 'accepted' ? 'accepted' : status === 'sending' || status === 'sent' ? 'sent' : 'queued' };
  }

  verifyWebhook(request: WebhookRequest): void {
    const signature = header(request, TWILIO_SIGNATURE_HEADER);
    if (!signature) throw new WebhookAuthError('unsigned', 'The Twilio webhook has no X-Twilio-Signature header.');
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      throw new WebhookAuthError('bad_signature', 'The Twilio webhook URL could not be read.');
    }
    const bodyHash = url.searchParams.get('bodySHA256');
    if (bodyHash !== null) {
      // JSON webhooks: the URL (with the body's SHA-256) is signed, the body checked against the hash.
      const actual = createHash('sha256').update(request.rawBody).digest('hex');
      if (!constantTimeEqual(actual, bodyHash.toLowerCase()) || !validateTwilioSignature(this.credentials.authToken, signature, request.url)) {
        throw new WebhookAuthError('bad_signature', 'The Twilio webhook signature or body hash does not match.');
      }
      return;
    }
    if (!validateTwilioSignature(this.credentials.authToken, signature, request.url, formParams(request))) {
      throw new WebhookAuthError('bad_signature', 'The X-Twilio-Signature does not match this URL, these parameters and the account Auth Token (is PUBLIC_BASE_URL the URL Twilio calls?).');
    }
  }

  parseWebhook(request: WebhookRequest): WebhookEvent[] {
    const p = formParams(request);
    const get = (name: string) => p.get(name) ?? undefined;
    const sid = get('MessageSid') ?? get('SmsMessageSid') ?? get('SmsSid');
    if (!sid) return [{ kind: 'ignored', reason: 'The Twilio webhook has no MessageSid.' }];
    const accountSid = get('AccountSid');
    if (accountSid && accountSid !== this.credentials.accountSid) return [{ kind: 'ignored', reason: `The Twilio webhook is for account ${accountSid}, not this connection's.` }];
    const now = new Date();
    const messageStatus = get('MessageStatus') ?? get('SmsStatus');
    if (messageStatus && messageStatus !== 'received' && messageStatus !== 'receiving') {
      const status = STATUS[messageStatus];
      if (!status) return [{ kind: 'ignored', reason: `Twilio status "${messageStatus}" has no meaning here.` }];
      const errorCode = get('ErrorCode');
      const errorMessage = get('ErrorMessage');
      return [{ kind: 'status', update: { carrierMessageId: sid, status, ...(errorCode ? { errorCode } : {}), ...(errorMessage ? { errorMessage } : {}), at: now.toISOString() } }];
    }
    const count = Math.min(Number.parseInt(get('NumMedia') ?? '0', 10) || 0, 10);
    const media = [];
    for (let i = 0; i < count; i++) {
      const url = get(`MediaUrl${i}`);
      if (url) media.push({ url, contentType: get(`MediaContentType${i}`) ?? 'application/octet-stream' });
    }
    return [{ kind: 'inbound', message: { carrierMessageId: sid, from: normalizeAddress(get('From')), to: normalizeAddress(get('To')), body: get('Body') ?? '', media, receivedAt: now.toISOString() } }];
  }
}
