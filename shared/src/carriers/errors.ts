import { AppError } from '../errors';
import type { CarrierType } from './types';

/**
 * What went wrong, in words the messaging engine can act on: `opted_out` and
 * `invalid_number` are final for that recipient, `rate_limited`, `unavailable`,
 * `network` and `timeout` are worth a later retry.
 */
export type CarrierErrorReason =
  | 'opted_out'
  | 'invalid_number'
  | 'invalid_request'
  | 'unauthorized'
  | 'rate_limited'
  | 'unavailable'
  | 'rejected'
  | 'network'
  | 'timeout'
  | 'bad_response';

export interface CarrierErrorInit {
  carrier: CarrierType;
  retryable: boolean;
  reason: CarrierErrorReason;
  /** The carrier's HTTP status (per recipient for ACS). */
  status?: number;
  /** The carrier's own error code (Twilio 21610, Telnyx 10009, ACS "Denied", ...). */
  code?: string;
  /** From Retry-After, when the carrier sent one. */
  retryAfterMs?: number;
}

/** A send the carrier refused or could not take; the message carries the carrier's words. */
export class CarrierError extends Error {
  readonly carrier: CarrierType;
  readonly retryable: boolean;
  readonly reason: CarrierErrorReason;
  readonly status?: number;
  readonly code?: string;
  readonly retryAfterMs?: number;

  constructor(message: string, init: CarrierErrorInit) {
    super(message);
    this.name = 'CarrierError';
    this.carrier = init.carrier;
    this.retryable = init.retryable;
    this.reason = init.reason;
    if (init.status !== undefined) this.status = init.status;
    if (init.code !== undefined) this.code = init.code;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }
}

export type WebhookAuthFailure = 'unsigned' | 'bad_signature' | 'stale_timestamp';

/**
 * A webhook request that cannot be trusted. `status` is what to answer: 401 when it
 * carries no signature (or secret) at all, 403 when it carries a wrong or stale one.
 * The message is safe to log; it never contains a secret.
 */
export class WebhookAuthError extends AppError {
  readonly code = 'webhook_unauthorized';
  readonly status: 401 | 403;
  readonly reason: WebhookAuthFailure;

  constructor(reason: WebhookAuthFailure, message: string) {
    super(message);
    this.reason = reason;
    this.status = reason === 'unsigned' ? 401 : 403;
  }
}
