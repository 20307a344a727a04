import { createHash, timingSafeEqual } from 'node:crypto';
import { Agent, request } from 'undici';
import { isE164 } from '../rules';
import { CarrierError, WebhookAuthError, type CarrierErrorReason } from './errors';
import type { CarrierType, OutboundMessage, WebhookRequest } from './types';

/** Shared plumbing of the adapters: HTTP calls, error classification, webhook helpers. */

export type FetchLike = typeof fetch;

export interface CarrierResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** Default time a carrier API call may take before it is abandoned (and reported retryable). */
export const DEFAULT_CARRIER_TIMEOUT_MS = 15_000;

/** One carrier API request: always a POST of a text body here. */
export interface CarrierRequest {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

/**
 * Carrier calls share kept-alive connections. undici's `request` rather than `fetch`:
 * every send makes one, and fetch's WHATWG layers cost about five times the CPU per call.
 */
const carrierAgent = new Agent({ keepAliveTimeout: 30_000 });

/**
 * Calls a carrier's API; a timeout or an unreachable host is a retryable CarrierError.
 * `fetchImpl` replaces the built-in client (tests that alter requests on their way).
 */
export async function callCarrier(carrier: CarrierType, fetchImpl: FetchLike | undefined, url: string, init: CarrierRequest, timeoutMs: number): Promise<CarrierResponse> {
  let answer: { status: number; headers: Headers; text: string };
  try {
    answer = fetchImpl ? await viaFetch(fetchImpl, url, init, timeoutMs) : await viaUndici(url, init, timeoutMs);
  } catch (error) {
    const name = (error as { name?: string }).name;
    const code = (error as { code?: string }).code;
    if (name === 'TimeoutError' || name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
      throw new CarrierError(`${carrierName(carrier)} did not answer within ${timeoutMs} ms.`, { carrier, retryable: true, reason: 'timeout' });
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? code ?? cause?.message ?? (error as Error).message;
    throw new CarrierError(`${carrierName(carrier)} could not be reached (${detail}).`, { carrier, retryable: true, reason: 'network' });
  }
  let json: unknown;
  try {
    json = answer.text === '' ? undefined : JSON.parse(answer.text);
  } catch {
    json = undefined;
  }
  return { ...answer, json };
}

async function viaFetch(fetchImpl: FetchLike, url: string, init: CarrierRequest, timeoutMs: number): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  return { status: response.status, headers: response.headers, text: await response.text().catch(() => '') };
}

/**
 * The answer's headers must come within the timeout, and its body may not pause longer.
 * Redirects are not followed (a carrier API never redirects a send): a 3xx is a refusal.
 */
async function viaUndici(url: string, init: CarrierRequest, timeoutMs: number): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await request(url, { ...init, dispatcher: carrierAgent, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return { status: response.statusCode, headers, text: await response.body.text().catch(() => '') };
}

export function carrierName(carrier: CarrierType): string {
  return { twilio: 'Twilio', telnyx: 'Telnyx', acs: 'Azure Communication Services', simulator: 'The carrier simulator' }[carrier];
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** 429, 408 and 5xx are worth retrying; any other refusal is final. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

export function reasonForStatus(status: number): CarrierErrorReason {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status >= 500) return 'unavailable';
  return 'rejected';
}

/** The CarrierError for an HTTP refusal; `reason` overrides the one read from the status. */
export function httpFailure(carrier: CarrierType, response: CarrierResponse, detail: { code?: string; message: string; reason?: CarrierErrorReason }): CarrierError {
  const after = retryAfterMs(response.headers.get('retry-after'));
  return new CarrierError(`${carrierName(carrier)} refused the message (HTTP ${response.status}${detail.code ? `, code ${detail.code}` : ''}): ${detail.message}`, {
    carrier,
    retryable: isRetryableStatus(response.status),
    reason: detail.reason ?? reasonForStatus(response.status),
    status: response.status,
    ...(detail.code !== undefined ? { code: detail.code } : {}),
    ...(after !== undefined ? { retryAfterMs: after } : {}),
  });
}

/** A 2xx answer we cannot read: the carrier may have taken the message, so never retry it blindly. */
export function badResponse(carrier: CarrierType, response: CarrierResponse, what: string): CarrierError {
  return new CarrierError(`${carrierName(carrier)} answered HTTP ${response.status} without ${what}; the message may have been sent.`, {
    carrier,
    retryable: false,
    reason: 'bad_response',
    status: response.status,
  });
}

/** Refuses, before any network call, what no carrier would take. */
export function checkOutbound(carrier: CarrierType, message: OutboundMessage): void {
  const refuse = (text: string, reason: CarrierErrorReason) => new CarrierError(text, { carrier, retryable: false, reason, code: 'invalid_request' });
  if (!isE164(message.from)) throw refuse(`The sender "${message.from}" is not an E.164 number (e.g. +14155550123).`, 'invalid_number');
  if (!isE164(message.to)) throw refuse(`The recipient "${message.to}" is not an E.164 number (e.g. +14155550123).`, 'invalid_number');
  if (message.body === '' && !(message.mediaUrls && message.mediaUrls.length > 0)) throw refuse('A message needs a text or at least one media URL.', 'invalid_request');
}

/** A header value by name, whatever casing the server used; the first value of a repeated header. */
export function header(request: WebhookRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(request.headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** Equality that takes the same time wherever the strings differ (lengths are hidden by hashing). */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && Buffer.from(a).length === Buffer.from(b).length;
}

/** Refuses a unix-seconds timestamp outside `toleranceSeconds` of now (either way: replays and forged future stamps). */
export function checkTimestamp(value: string, now: Date, toleranceSeconds: number, carrier: string): void {
  if (!/^\d{1,12}$/.test(value.trim())) throw new WebhookAuthError('bad_signature', `The ${carrier} webhook timestamp "${value.slice(0, 20)}" is not a unix time.`);
  const skew = Math.abs(now.getTime() / 1000 - Number(value.trim()));
  if (skew > toleranceSeconds) {
    throw new WebhookAuthError('stale_timestamp', `The ${carrier} webhook timestamp is ${Math.round(skew)} s away from now (more than ${toleranceSeconds} s): refused as a possible replay.`);
  }
}

/** ISO 8601 for a carrier's timestamp; `fallback` when absent or unreadable. */
export function isoTime(value: unknown, fallback: Date): string {
  if (typeof value === 'string' && value !== '') {
    const at = Date.parse(value);
    if (!Number.isNaN(at)) return new Date(at).toISOString();
  }
  return fallback.toISOString();
}

/**
 * A carrier's address as E.164 where it is a phone number: "+14155550123" stays,
 * "14155550123" (ACS sometimes omits the plus) becomes "+14155550123"; short codes
 * and alphanumeric sender ids are kept as sent.
 */
export function normalizeAddress(value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (isE164(text)) return text;
  if (/^[1-9]\d{7,14}$/.test(text) && isE164(`+${text}`)) return `+${text}`;
  return text;
}

export function parseJsonBody(request: WebhookRequest): unknown {
  try {
    return JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** `{base}{path}` with exactly one slash between them. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
