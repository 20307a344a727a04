import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { simulatorSignature, SIMULATOR_SIGNATURE_HEADER, SIMULATOR_TIMESTAMP_HEADER, type DeliveryStatus, type SimulatorCredentials, type SimulatorEvent, type WebhookRequest } from '../../carriers';
import { isE164 } from '../../rules';
import { FaultPlan, type FaultSwitches } from '../graph/faults';
import { bearerToken, deliverWebhook, record, sendJson, startLoopbackServer, type LoopbackServer, type RecordedCarrierRequest, type ServerOptions } from './http';

/**
 * The embedded carrier for `npm start` and tests: a small JSON API of its own
 * (`POST /messages`), status callbacks (queued → sent → delivered, or a failure for
 * numbers marked undeliverable), and a "customer phone" that texts enterprise numbers
 * (`POST /phone/send`), whose conversation a dev page can read (`GET /phone/{n}/messages`).
 * Every webhook is signed like a real carrier's (see carriers/simulator.ts).
 */
export interface SimulatorAccountConfig extends SimulatorCredentials {
  /** Where inbound messages to this account's numbers go (unless the number has its own URL). */
  inboundWebhookUrl?: string;
  /** Where status callbacks go when a send names no status_callback_url. */
  statusWebhookUrl?: string;
  /** Enterprise numbers the account holds (E.164). */
  numbers?: string[];
}

export interface CarrierSimulatorOptions extends ServerOptions {
  accounts?: SimulatorAccountConfig[];
  /** Pause before each status callback (default 50 ms; 0 for as fast as possible). */
  stepDelayMs?: number;
  /** Attempts per webhook until a 2xx (default 3), and the pause between them (default 200 ms). */
  webhookAttempts?: number;
  webhookRetryDelayMs?: number;
}

export interface SimulatedMessage {
  id: string;
  /** outbound: enterprise → phone (sent through POST /messages); inbound: phone → enterprise. */
  direction: 'outbound' | 'inbound';
  from: string;
  to: string;
  text: string;
  media: Array<{ url: string; content_type: string }>;
  /** Outbound: the carrier status; inbound: 'delivered' once our webhook took it, 'failed' if it never did. */
  status: DeliveryStatus | 'received';
  error_code?: string;
  error_message?: string;
  client_reference?: string;
  created_at: string;
}

export interface WebhookDelivery {
  url: string;
  eventType: SimulatorEvent['type'];
  messageId: string;
  /** DeliveryStatus for status events. */
  status?: string;
  attempt: number;
  /** HTTP status our endpoint answered, or 0 when it could not be reached. */
  httpStatus: number;
  at: string;
}

export interface UndeliverableOptions {
  /** 'failed' (the carrier could not send: queued → failed) or 'undelivered' (the handset never got it: queued → sent → undelivered). Default 'failed'. */
  status?: 'failed' | 'undelivered';
  errorCode?: string;
  errorMessage?: string;
}

export interface PhoneSendInput {
  from: string;
  to: string;
  text?: string;
  /** URLs (content type guessed as image/jpeg) or { url, content_type }. */
  media?: Array<string | { url: string; content_type?: string }>;
}

export interface PhoneSendResult {
  message: SimulatedMessage;
  /** Whether our inbound webhook accepted it (2xx). */
  delivered: boolean;
  /** The last HTTP status of our webhook (0: unreachable). */
  webhookStatus: number;
}

export interface CarrierSimulator extends LoopbackServer {
  addAccount(account: SimulatorAccountConfig): void;
  /** Gives `number` to the account with `apiKey`; `inboundWebhookUrl` overrides the account's for this number. */
  assignNumber(number: string, apiKey: string, inboundWebhookUrl?: string): void;
  /** Every message both ways, oldest first. */
  messages: SimulatedMessage[];
  /** The conversation of one number (either side), oldest first. */
  messagesFor(number: string): SimulatedMessage[];
  /** Every webhook attempt. */
  deliveries: WebhookDelivery[];
  requests: RecordedCarrierRequest[];
  /** For POST /messages only: throttle(n, s) → 429 + Retry-After, fail(n, 503), latency(ms). */
  faults: FaultSwitches;
  markUndeliverable(number: string, options?: UndeliverableOptions): void;
  clearUndeliverable(number: string): void;
  /** A customer phone texts an enterprise number (same as POST /phone/send). */
  sendFromPhone(input: PhoneSendInput): Promise<PhoneSendResult>;
  /** Resolves when no status callback or webhook retry is pending. */
  settled(): Promise<void>;
}

/** The request the simulator would POST for `event`, signed with `signingSecret` at `signedAt` (default now). */
export function signSimulatorWebhook(url: string, event: SimulatorEvent, signingSecret: string, signedAt: Date = new Date()): WebhookRequest {
  const rawBody = Buffer.from(JSON.stringify(event), 'utf8');
  const timestamp = String(Math.floor(signedAt.getTime() / 1000));
  return {
    url,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'switchboard-carrier-simulator/1',
      [SIMULATOR_TIMESTAMP_HEADER]: timestamp,
      [SIMULATOR_SIGNATURE_HEADER]: simulatorSignature(signingSecret, timestamp, rawBody),
    },
    rawBody,
  };
}

function simError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

const guessType = (url: string) => (/\.png$/i.test(url) ? 'image/png' : /\.gif$/i.test(url) ? 'image/gif' : /\.mp4$/i.test(url) ? 'video/mp4' : 'image/jpeg');

export async function startCarrierSimulator(options: CarrierSimulatorOptions = {}): Promise<CarrierSimulator> {
  const stepDelayMs = options.stepDelayMs ?? 50;
  const attempts = Math.max(1, options.webhookAttempts ?? 3);
  const retryDelayMs = options.webhookRetryDelayMs ?? 200;
  const accounts = new Map<string, SimulatorAccountConfig>();
  const numbers = new Map<string, { apiKey: string; inboundWebhookUrl?: string }>();
  const undeliverable = new Map<string, UndeliverableOptions>();
  const messages: SimulatedMessage[] = [];
  const deliveries: WebhookDelivery[] = [];
  const requests: RecordedCarrierRequest[] = [];
  const faults = new FaultPlan();
  const pending = new Set<Promise<unknown>>();
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let stopped = false;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopped || ms <= 0) return resolve();
      const entry = { timer: setTimeout(() => { timers.delete(entry); resolve(); }, ms), resolve };
      timers.add(entry);
    });
  const track = (work: Promise<unknown>) => {
    const p = work.catch(() => undefined).finally(() => pending.delete(p));
    pending.add(p);
  };

  function addAccount(account: SimulatorAccountConfig): void {
    if (!account.apiKey || !account.signingSecret) throw new Error('A simulator account needs an apiKey and a signingSecret.');
    accounts.set(account.apiKey, account);
    for (const number of account.numbers ?? []) assignNumber(number, account.apiKey);
  }
  function assignNumber(number: string, apiKey: string, inboundWebhookUrl?: string): void {
    if (!isE164(number)) throw new Error(`"${number}" is not an E.164 number.`);
    if (!accounts.has(apiKey)) throw new Error('No simulator account has that API key.');
    numbers.set(number, { apiKey, ...(inboundWebhookUrl ? { inboundWebhookUrl } : {}) });
  }
  for (const account of options.accounts ?? []) addAccount(account);

  /** Posts one event, retrying until a 2xx or the attempts run out; the last HTTP status (0: unreachable). */
  async function post(url: string, event: SimulatorEvent, account: SimulatorAccountConfig): Promise<number> {
    let httpStatus = 0;
    for (let attempt = 1; attempt <= attempts && !stopped; attempt++) {
      if (attempt > 1) await pause(retryDelayMs);
      try {
        httpStatus = (await deliverWebhook(signSimulatorWebhook(url, event, account.signingSecret), 5000)).status;
      } catch {
        httpStatus = 0;
      }
      deliveries.push({ url, eventType: event.type, messageId: event.data.id, ...(event.data.status ? { status: event.data.status } : {}), attempt, httpStatus, at: new Date().toISOString() });
      if (httpStatus >= 200 && httpStatus < 300) break;
    }
    return httpStatus;
  }

  async function progress(message: SimulatedMessage, account: SimulatorAccountConfig, callbackUrl: string | undefined): Promise<void> {
    const failure = undeliverable.get(message.to);
    const steps: DeliveryStatus[] = !failure ? ['queued', 'sent', 'delivered'] : failure.status === 'undelivered' ? ['queued', 'sent', 'undelivered'] : ['queued', 'failed'];
    for (const status of steps) {
      await pause(stepDelayMs);
      if (stopped) return;
      message.status = status;
      const final = status === 'failed' || status === 'undelivered';
      if (final) {
        message.error_code = failure?.errorCode ?? (status === 'failed' ? '30008' : '30003');
        message.error_message = failure?.errorMessage ?? (status === 'failed' ? 'Unknown error (simulated).' : 'Unreachable destination handset (simulated).');
      }
      if (!callbackUrl) continue;
      await post(callbackUrl, {
        id: `evt_${randomUUID()}`,
        type: 'message.status',
        occurred_at: new Date().toISOString(),
        data: {
          id: message.id,
          status,
          ...(final ? { error_code: message.error_code!, error_message: message.error_message! } : {}),
          ...(message.client_reference ? { client_reference: message.client_reference } : {}),
        },
      }, account);
    }
  }

  function readJson(body: Buffer): Record<string, unknown> | undefined {
    try {
      const value: unknown = JSON.parse(body.toString('utf8'));
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  function sendMessage(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const fault = faults.next();
    if (fault) {
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
      return simError(res, fault.status, fault.status === 429 ? 'rate_limited' : 'unavailable', fault.status === 429 ? 'Too many requests (simulated).' : 'The carrier is unavailable (simulated).', headers);
    }
    const account = accounts.get(bearerToken(req) ?? '');
    if (!account) return simError(res, 401, 'unauthorized', 'Missing or unknown API key (Authorization: Bearer ...).');
    if (!/^application\/json/i.test(req.headers['content-type'] ?? '')) return simError(res, 415, 'unsupported_media_type', 'Send JSON (content-type: application/json).');
    const input = readJson(body);
    if (!input) return simError(res, 400, 'invalid_request', 'The body is not a JSON object.');
    const from = typeof input.from === 'string' ? input.from : '';
    const to = typeof input.to === 'string' ? input.to : '';
    const text = typeof input.text === 'string' ? input.text : '';
    const mediaUrls = Array.isArray(input.media_urls) ? input.media_urls.filter((u): u is string => typeof u === 'string') : [];
    if (!isE164(from)) return simError(res, 400, 'invalid_number', `from "${from}" is not an E.164 number.`);
    if (!isE164(to)) return simError(res, 400, 'invalid_number', `to "${to}" is not an E.164 number.`);
    if (!text && mediaUrls.length === 0) return simError(res, 400, 'invalid_request', 'Give a text or media_urls.');
    const holder = numbers.get(from);
    if (holder && holder.apiKey !== account.apiKey) return simError(res, 403, 'number_not_owned', `${from} belongs to another account.`);
    if (!holder) numbers.set(from, { apiKey: account.apiKey }); // first use claims a free number

    const message: SimulatedMessage = {
      id: `sim_${randomUUID()}`,
      direction: 'outbound',
      from,
      to,
      text,
      media: mediaUrls.map((url) => ({ url, content_type: guessType(url) })),
      status: 'queued',
      ...(typeof input.client_reference === 'string' ? { client_reference: input.client_reference } : {}),
      created_at: new Date().toISOString(),
    };
    messages.push(message);
    const callbackUrl = typeof input.status_callback_url === 'string' ? input.status_callback_url : account.statusWebhookUrl;
    track(progress(message, account, callbackUrl));
    sendJson(res, 200, { id: message.id, status: 'queued', from, to, created_at: message.created_at });
  }

  async function sendFromPhone(input: PhoneSendInput): Promise<PhoneSendResult> {
    if (!isE164(input.from)) throw Object.assign(new Error(`from "${input.from}" is not an E.164 number.`), { status: 400, code: 'invalid_number' });
    const holder = numbers.get(input.to);
    const account = holder ? accounts.get(holder.apiKey) : undefined;
    if (!holder || !account) throw Object.assign(new Error(`${input.to} is not a number of any simulator account.`), { status: 404, code: 'unknown_number' });
    const media = (input.media ?? []).map((m) => (typeof m === 'string' ? { url: m, content_type: guessType(m) } : { url: m.url, content_type: m.content_type ?? guessType(m.url) }));
    if (!input.text && media.length === 0) throw Object.assign(new Error('Give a text or media.'), { status: 400, code: 'invalid_request' });
    const message: SimulatedMessage = { id: `sim_${randomUUID()}`, direction: 'inbound', from: input.from, to: input.to, text: input.text ?? '', media, status: 'received', created_at: new Date().toISOString() };
    messages.push(message);
    const url = holder.inboundWebhookUrl ?? account.inboundWebhookUrl;
    if (!url) {
      message.status = 'failed';
      return { message, delivered: false, webhookStatus: 0 };
    }
    const work = post(url, {
      id: `evt_${randomUUID()}`,
      type: 'message.received',
      occurred_at: message.created_at,
      data: { id: message.id, from: message.from, to: message.to, text: message.text, media: message.media, received_at: message.created_at },
    }, account);
    track(work);
    const webhookStatus = await work;
    const delivered = webhookStatus >= 200 && webhookStatus < 300;
    message.status = delivered ? 'delivered' : 'failed';
    return { message, delivered, webhookStatus };
  }

  const messagesFor = (number: string) => messages.filter((m) => m.from === number || m.to === number);

  async function handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname;
    if (path === '/messages' && req.method === 'POST') {
      if (faults.latencyMs > 0) await pause(faults.latencyMs);
      return sendMessage(req, body, res);
    }
    const numberRoute = /^\/numbers\/([^/]+)$/.exec(path);
    if ((numberRoute && req.method === 'PUT') || (path === '/numbers' && req.method === 'GET')) {
      const apiKey = bearerToken(req) ?? '';
      if (!accounts.has(apiKey)) return simError(res, 401, 'unauthorized', 'Missing or unknown API key (Authorization: Bearer ...).');
      if (!numberRoute) {
        return sendJson(res, 200, { numbers: [...numbers].filter(([, n]) => n.apiKey === apiKey).map(([number, n]) => ({ number, inbound_webhook_url: n.inboundWebhookUrl ?? null })) });
      }
      const number = decodeURIComponent(numberRoute[1]!);
      const input = readJson(body) ?? {};
      const holder = numbers.get(number);
      if (!isE164(number)) return simError(res, 400, 'invalid_number', `"${number}" is not an E.164 number.`);
      if (holder && holder.apiKey !== apiKey) return simError(res, 409, 'number_taken', `${number} belongs to another account.`);
      const inbound = typeof input.inbound_webhook_url === 'string' ? input.inbound_webhook_url : undefined;
      assignNumber(number, apiKey, inbound);
      return sendJson(res, 200, { number, inbound_webhook_url: inbound ?? null });
    }
    if (path === '/phone/send' && req.method === 'POST') {
      const input = readJson(body);
      if (!input) return simError(res, 400, 'invalid_request', 'The body is not a JSON object.');
      try {
        const result = await sendFromPhone({
          from: String(input.from ?? ''),
          to: String(input.to ?? ''),
          ...(typeof input.text === 'string' ? { text: input.text } : {}),
          ...(Array.isArray(input.media) ? { media: input.media as PhoneSendInput['media'] } : {}),
        });
        return sendJson(res, 200, { id: result.message.id, status: result.message.status, delivered: result.delivered, webhook_status: result.webhookStatus });
      } catch (error) {
        const e = error as Error & { status?: number; code?: string };
        return simError(res, e.status ?? 500, e.code ?? 'failed', e.message);
      }
    }
    const phoneRoute = /^\/phone\/([^/]+)\/messages$/.exec(path);
    if (phoneRoute && req.method === 'GET') return sendJson(res, 200, { messages: messagesFor(decodeURIComponent(phoneRoute[1]!)) });
    return simError(res, 404, 'not_found', `No route ${req.method} ${path}.`);
  }

  const server = await startLoopbackServer(async (req, body, res) => {
    await handle(req, body, res);
    requests.push(record(req, body, res.statusCode));
  }, options);

  return {
    ...server,
    async stop() {
      stopped = true;
      for (const entry of timers) {
        clearTimeout(entry.timer);
        entry.resolve();
      }
      timers.clear();
      await Promise.allSettled([...pending]);
      await server.stop();
    },
    addAccount,
    assignNumber,
    messages,
    messagesFor,
    deliveries,
    requests,
    faults,
    markUndeliverable: (number, undeliverableOptions = {}) => void undeliverable.set(number, undeliverableOptions),
    clearUndeliverable: (number) => void undeliverable.delete(number),
    sendFromPhone,
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
