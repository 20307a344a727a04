import type { CarrierType } from '../../api/numbers';

/** One credential field of a carrier, as the add/edit dialog shows it. */
export interface CredentialField {
  name: string;
  label: string;
  secret: boolean;
  optional?: boolean;
  hint?: string;
}

export const CARRIER_NAMES: Record<CarrierType, string> = { twilio: 'Twilio', telnyx: 'Telnyx', acs: 'Azure Communication Services', simulator: 'Simulator' };

/** The carriers' credential fields; secrets are write-only (the server never sends them back). */
export const CREDENTIAL_FIELDS: Record<CarrierType, readonly CredentialField[]> = {
  twilio: [
    { name: 'accountSid', label: 'Account SID', secret: false, hint: '"AC" and 32 hex digits (Twilio Console → Account info).' },
    { name: 'authToken', label: 'Auth token', secret: true, hint: 'Twilio signs webhooks with it, so it is needed even with an API key.' },
    { name: 'apiKeySid', label: 'API key SID', secret: false, optional: true, hint: '"SK" and 32 hex digits; optional, with its secret.' },
    { name: 'apiKeySecret', label: 'API key secret', secret: true, optional: true },
  ],
  telnyx: [
    { name: 'apiKey', label: 'API key', secret: true },
    { name: 'publicKey', label: 'Public key', secret: false, hint: '44 base64 characters (Portal → Keys & Credentials → Public Key).' },
    { name: 'messagingProfileId', label: 'Messaging profile ID', secret: false, optional: true },
  ],
  acs: [
    { name: 'endpoint', label: 'Endpoint', secret: false, hint: 'https://<resource>.communication.azure.com' },
    { name: 'accessKey', label: 'Access key', secret: true, hint: 'Keys → Primary key.' },
    { name: 'webhookSecret', label: 'Webhook secret', secret: true, hint: 'At least 24 characters; Event Grid sends it back with each event.' },
  ],
  simulator: [
    { name: 'apiKey', label: 'API key', secret: true },
    { name: 'signingSecret', label: 'Signing secret', secret: true, hint: 'At least 16 characters.' },
  ],
};

/**
 * The credentials to send: every filled field, trimmed. Required fields left empty are
 * named (by their API path) so the dialog shows the problem beside them before a round trip.
 */
export function credentialsFrom(type: CarrierType, values: Record<string, string>): { credentials: Record<string, string>; missing: Record<string, string> } {
  const credentials: Record<string, string> = {};
  const missing: Record<string, string> = {};
  for (const field of CREDENTIAL_FIELDS[type]) {
    const value = (values[field.name] ?? '').trim();
    if (value) credentials[field.name] = value;
    else if (!field.optional) missing[`credentials.${field.name}`] = `Enter the ${field.label.toLowerCase()}.`;
  }
  return { credentials, missing };
}

/** What the list says about a stored credential: identifiers as stored, secrets only "Set". */
export function credentialState(field: CredentialField, stored: Record<string, string>): string {
  const value = stored[field.name];
  if (!value) return 'Not set';
  return field.secret ? 'Set' : value;
}
