import { z } from 'zod';
import { parseOrThrow } from '../validation';
import type { AcsCredentials } from './acs';
import type { SimulatorCredentials } from './simulator';
import type { TelnyxCredentials } from './telnyx';
import type { TwilioCredentials } from './twilio';
import type { CarrierType } from './types';

/** The secrets and settings of one carrier connection, by carrier. */
export interface CarrierCredentialsByType {
  twilio: TwilioCredentials;
  telnyx: TelnyxCredentials;
  acs: AcsCredentials;
  simulator: SimulatorCredentials;
}

export type CarrierCredentials = CarrierCredentialsByType[CarrierType];

/** Credentials with their carrier, for storage and APIs. */
export type TypedCarrierCredentials = { [K in CarrierType]: { type: K; credentials: CarrierCredentialsByType[K] } }[CarrierType];

/** The fields that are secrets, by carrier: never returned by an API, never logged. */
export const SECRET_CREDENTIAL_FIELDS: { readonly [K in CarrierType]: readonly (keyof CarrierCredentialsByType[K])[] } = {
  twilio: ['authToken', 'apiKeySecret'],
  telnyx: ['apiKey'],
  acs: ['accessKey', 'webhookSecret'],
  simulator: ['apiKey', 'signingSecret'],
};

/** Every field a carrier's credentials may have (anything else is dropped from views). */
const KNOWN_FIELDS: { readonly [K in CarrierType]: readonly (keyof CarrierCredentialsByType[K])[] } = {
  twilio: ['accountSid', 'authToken', 'apiKeySid', 'apiKeySecret'],
  telnyx: ['apiKey', 'publicKey', 'messagingProfileId'],
  acs: ['endpoint', 'accessKey', 'webhookSecret'],
  simulator: ['apiKey', 'signingSecret'],
};

/** What a secret reads as in API answers and logs. */
export const REDACTED = '••••••••';

export type RedactedCredentials<K extends CarrierType> = { [F in keyof CarrierCredentialsByType[K]]?: string };

/**
 * A view of the credentials with every secret replaced by REDACTED (absent secrets stay
 * absent, so the view still says which are set) and unknown fields dropped.
 */
export function redactCredentials<K extends CarrierType>(type: K, credentials: CarrierCredentialsByType[K]): RedactedCredentials<K> {
  const secrets = new Set<PropertyKey>(SECRET_CREDENTIAL_FIELDS[type]);
  const source = credentials as unknown as Record<string, unknown>;
  const view: Record<string, string> = {};
  for (const name of KNOWN_FIELDS[type] as readonly string[]) {
    const value = source[name];
    if (value === undefined || value === null || value === '') continue;
    view[name] = secrets.has(name) ? REDACTED : String(value);
  }
  return view as RedactedCredentials<K>;
}

const base64Of = (bytes: number) => (value: string) => {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  return Buffer.from(value, 'base64').length === bytes;
};

const secret = (what: string, min = 1) => z.string().trim().min(min, `${what} must have at least ${min} characters.`).max(512, `${what} is too long.`);

const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;
const endpointUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || (url.protocol === 'http:' && loopback.test(url.hostname));
    } catch {
      return false;
    }
  }, 'Give the resource endpoint as an https URL, e.g. https://contoso.communication.azure.com.')
  .transform((value) => value.replace(/\/+$/, ''));

export const carrierCredentialSchemas = {
  twilio: z
    .object({
      accountSid: z.string().trim().regex(/^AC[0-9a-fA-F]{32}$/, 'A Twilio Account SID is "AC" and 32 hex digits.'),
      authToken: z.string().trim().regex(/^[0-9a-fA-F]{32}$/, 'A Twilio Auth Token is 32 hex digits (Twilio signs webhooks with it, so it is needed even with an API key).'),
      apiKeySid: z.string().trim().regex(/^SK[0-9a-fA-F]{32}$/, 'A Twilio API key SID is "SK" and 32 hex digits.').optional(),
      apiKeySecret: secret('The API key secret', 16).optional(),
    })
    .strict()
    .refine((c) => Boolean(c.apiKeySid) === Boolean(c.apiKeySecret), { message: 'Give both apiKeySid and apiKeySecret, or neither.', path: ['apiKeySecret'] }),
  telnyx: z
    .object({
      apiKey: secret('The Telnyx API key', 8),
      publicKey: z.string().trim().refine(base64Of(32), 'The Telnyx public key is 44 base64 characters (Portal → Keys & Credentials → Public Key).'),
      messagingProfileId: z.string().trim().min(1).max(100).optional(),
    })
    .strict(),
  acs: z
    .object({
      endpoint: endpointUrl,
      accessKey: z.string().trim().refine((v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length >= 16, 'The access key is the base64 key of the resource (Keys → Primary key).'),
      webhookSecret: secret('The webhook secret', 24),
    })
    .strict(),
  simulator: z.object({ apiKey: secret('The simulator API key'), signingSecret: secret('The signing secret', 16) }).strict(),
} satisfies { [K in CarrierType]: z.ZodType };

/** Validates credentials typed in by an administrator; throws ValidationError naming each bad field. */
export function parseCarrierCredentials<K extends CarrierType>(type: K, input: unknown): CarrierCredentialsByType[K] {
  const schema = carrierCredentialSchemas[type] as z.ZodType;
  return parseOrThrow(schema, input, `${type} credentials`) as CarrierCredentialsByType[K];
}
