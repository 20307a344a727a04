import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { twilioSignature, type TwilioCredentials, type WebhookRequest } from '../../carriers';
import { isE164 } from '../../rules';
import { FaultPlan, type FaultSwitches } from '../graph/faults';
import { basicAuth, deliverWebhook, record, sendJson, sleep, startLoopbackServer, type DeliveryResult, type LoopbackServer, type RecordedCarrierRequest, type ServerOptions } from './http';

/**
 * A loopback Twilio Messaging API: `POST /2010-04-01/Accounts/{sid}/Messages.json`,
 * checked the way Twilio checks it (Basic auth with the Auth Token or an API key, the
 * account in the path, form fields, Twilio's error codes), and signed webhooks
 * (inbound and status) built and delivered exactly as Twilio signs them.
 */
export interface TwilioFakeOptions extends ServerOptions {
  /** Default: a random AC... sid. */
  accountSid?: string;
  /** Default: 32 random hex digits. */
  authToken?: string;
  /** API keys accepted besides the Auth Token: SK... sid → secret. */
  apiKeys?: Record<string, string>;
  /** When given, only these From numbers are accepted (else 21606). */
  numbers?: string[];
}

export interface TwilioFakeMessage {
  sid: string;
  accountSid: string;
  from: string;
  to: string;
  body: string;
  mediaUrls: string[];
  statusCallback?: string;
  messagingServiceSid?: string;
  status: string;
  dateCreated: string;
  /** Which credential the request used. */
  authenticatedAs: 'auth_token' | 'api_key';
}

export interface TwilioInboundInput {
  from: string;
  to: string;
  body?: string;
  media?: Array<{ url: string; contentType: string }>;
  messageSid?: string;
  messagingServiceSid?: string;
}

export interface TwilioStatusInput {
  messageSid: string;
  status: 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'read' | 'canceled' | 'accepted';
  errorCode?: string;
  from?: string;
  to?: string;
}

export interface TwilioFake extends LoopbackServer {
  accountSid: string;
  authToken: string;
  /** Credentials an adapter needs to talk to this fake (Auth Token flavour). */
  credentials: TwilioCredentials;
  /** Accepted messages, in order. */
  messages: TwilioFakeMessage[];
  requests: RecordedCarrierRequest[];
  /** 429/5xx for the next sends (Twilio's error shape), latency. */
  faults: FaultSwitches;
  /** The recipient texted STOP: sends to it answer 400 / 21610. */
  optOut(number: string): void;
  optIn(number: string): void;
  /** A signed inbound-message webhook for `url` (the full public URL configured in Twilio). */
  inboundWebhook(url: string, input: TwilioInboundInput): WebhookRequest;
  /** A signed status-callback webhook for `url`. */
  statusWebhook(url: string, input: TwilioStatusInput): WebhookRequest;
  /** Posts a status callback to the StatusCallback a recorded message was sent with. */
  sendStatus(messageSid: string, status: TwilioStatusInput['status'], errorCode?: string): Promise<DeliveryResult>;
  /** POSTs a webhook request built above. */
  deliver(request: WebhookRequest): Promise<DeliveryResult>;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const sid = (prefix: string) => `${prefix}${hex(16)}`;

function twilioError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers);
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

export async function startTwilioFake(options: TwilioFakeOptions = {}): Promise<TwilioFake> {
  const accountSid = options.accountSid ?? sid('AC');
  const authToken = options.authToken ?? hex(16);
  const apiKeys = new Map(Object.entries(options.apiKeys ?? {}));
  const numbers = options.numbers ? new Set(options.numbers) : undefined;
  const optedOut = new Set<string>();
  const messages: TwilioFakeMessage[] = [];
  const requests: RecordedCarrierRequest[] = [];
  const faults = new FaultPlan();

  function handle(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const route = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
    if (!route) return twilioError(res, 404, 20404, `The requested resource ${path} was not found`);
    if (req.method !== 'POST') return twilioError(res, 405, 20004, 'Method not allowed');
    const fault = faults.next();
    if (fault) {
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
      if (fault.status === 429) return twilioError(res, 429, 20429, 'Too Many Requests', headers);
      return twilioError(res, fault.status, fault.status === 503 ? 20503 : 20500, fault.status === 503 ? 'Service unavailable' : 'Internal server error', headers);
    }
    const auth = basicAuth(req);
    const authenticatedAs = auth?.user === accountSid && auth.password === authToken ? 'auth_token' : auth && apiKeys.get(auth.user) === auth.password ? 'api_key' : undefined;
    if (!authenticatedAs) return twilioError(res, 401, 20003, 'Authenticate', { 'www-authenticate': 'Basic realm="Twilio API"' });
    if (decodeURIComponent(route[1]!) !== accountSid) return twilioError(res, 404, 20404, `The requested resource ${path} was not found`);

    // Twilio reads form fields only; any other body reads as no fields at all.
    const form = /application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '') ? new URLSearchParams(body.toString('utf8')) : new URLSearchParams();
    const to = form.get('To') ?? '';
    const from = form.get('From') ?? '';
    const text = form.get('Body') ?? '';
    const mediaUrls = form.getAll('MediaUrl');
    const messagingServiceSid = form.get('MessagingServiceSid') ?? undefined;
    const statusCallback = form.get('StatusCallback') ?? undefined;
    if (!to) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
    if (!from && !messagingServiceSid) return twilioError(res, 400, 21603, "A 'From' phone number is required.");
    if (!text && mediaUrls.length === 0) return twilioError(res, 400, 21602, 'Message body is required.');
    if (!isE164(to)) return twilioError(res, 400, 21211, `Invalid 'To' Phone Number: ${to}`);
    if (from && (!isE164(from) || (numbers && !numbers.has(from)))) {
      return twilioError(res, 400, 21606, `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`);
    }
    if (text.length > 1600) return twilioError(res, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    if (mediaUrls.length > 10 || mediaUrls.some((u) => !isHttpUrl(u))) return twilioError(res, 400, 21620, 'Invalid media URL(s)');
    if (statusCallback !== undefined && !isHttpUrl(statusCallback)) return twilioError(res, 400, 21609, 'Invalid StatusCallback url');
    if (optedOut.has(to)) return twilioError(res, 400, 21610, 'Attempt to send to unsubscribed recipient');

    const message: TwilioFakeMessage = {
      sid: sid(mediaUrls.length > 0 ? 'MM' : 'SM'),
      accountSid,
      from,
      to,
      body: text,
      mediaUrls,
      ...(statusCallback ? { statusCallback } : {}),
      ...(messagingServiceSid ? { messagingServiceSid } : {}),
      status: messagingServiceSid && !from ? 'accepted' : 'queued',
      dateCreated: new Date().toUTCString().replace('GMT', '+0000'),
      authenticatedAs,
    };
    messages.push(message);
    sendJson(res, 201, {
      sid: message.sid,
      account_sid: accountSid,
      api_version: '2010-04-01',
      body: text,
      date_created: message.dateCreated,
      date_updated: message.dateCreated,
      date_sent: null,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: from || null,
      messaging_service_sid: messagingServiceSid ?? null,
      num_media: String(mediaUrls.length),
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      status: message.status,
      to,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${message.sid}.json`,
      subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${message.sid}/Media.json` },
    });
  }

  const server = await startLoopbackServer(async (req, body, res) => {
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    handle(req, body, res);
    requests.push(record(req, body, res.statusCode));
  }, options);

  const signed = (url: string, params: URLSearchParams): WebhookRequest => ({
    url,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(authToken, url, params),
      'i-twilio-idempotency-token': randomUUID(),
      'user-agent': 'TwilioProxy/1.1',
    },
    rawBody: Buffer.from(params.toString(), 'utf8'),
  });

  const statusWebhook = (url: string, input: TwilioStatusInput): WebhookRequest => {
    const known = messages.find((m) => m.sid === input.messageSid);
    const params = new URLSearchParams();
    if (input.errorCode) params.append('ErrorCode', input.errorCode);
    params.append('SmsSid', input.messageSid);
    params.append('SmsStatus', input.status);
    params.append('MessageStatus', input.status);
    params.append('To', input.to ?? known?.to ?? '');
    params.append('MessageSid', input.messageSid);
    params.append('AccountSid', accountSid);
    params.append('From', input.from ?? known?.from ?? '');
    params.append('ApiVersion', '2010-04-01');
    return signed(url, params);
  };

  return {
    ...server,
    accountSid,
    authToken,
    credentials: { accountSid, authToken },
    messages,
    requests,
    faults,
    optOut: (number) => void optedOut.add(number),
    optIn: (number) => void optedOut.delete(number),
    inboundWebhook(url, input) {
      const messageSid = input.messageSid ?? sid(input.media && input.media.length > 0 ? 'MM' : 'SM');
      const params = new URLSearchParams();
      params.append('ToCountry', 'US');
      params.append('SmsMessageSid', messageSid);
      params.append('NumMedia', String(input.media?.length ?? 0));
      params.append('SmsSid', messageSid);
      params.append('SmsStatus', 'received');
      params.append('Body', input.body ?? '');
      params.append('To', input.to);
      params.append('NumSegments', '1');
      params.append('MessageSid', messageSid);
      params.append('AccountSid', accountSid);
      if (input.messagingServiceSid) params.append('MessagingServiceSid', input.messagingServiceSid);
      params.append('From', input.from);
      params.append('ApiVersion', '2010-04-01');
      (input.media ?? []).forEach((m, i) => {
        params.append(`MediaContentType${i}`, m.contentType);
        params.append(`MediaUrl${i}`, m.url);
      });
      return signed(url, params);
    },
    statusWebhook,
    async sendStatus(messageSid, status, errorCode) {
      const message = messages.find((m) => m.sid === messageSid);
      if (!message?.statusCallback) throw new Error(`Message ${messageSid} was not sent with a StatusCallback.`);
      message.status = status;
      return deliverWebhook(statusWebhook(message.statusCallback, { messageSid, status, ...(errorCode ? { errorCode } : {}) }));
    },
    deliver: (request) => deliverWebhook(request),
  };
}
