/** Carrier adapters of the messaging engine (see README.md). */
export * from './types';
export { CarrierError, WebhookAuthError, type CarrierErrorReason, type CarrierErrorInit, type WebhookAuthFailure } from './errors';
export { createCarrierAdapter, webhookAnswer, type WebhookAnswer } from './factory';
export {
  carrierCredentialSchemas,
  parseCarrierCredentials,
  redactCredentials,
  REDACTED,
  SECRET_CREDENTIAL_FIELDS,
  type CarrierCredentials,
  type CarrierCredentialsByType,
  type RedactedCredentials,
  type TypedCarrierCredentials,
} from './credentials';
export {
  createCredentialKeyring,
  credentialKeyIdOf,
  CredentialDecryptionError,
  decryptCredentials,
  encryptCredentials,
  needsReencryption,
  parseCredentialKeyring,
  parseEncryptionKey,
  type CredentialKeyring,
} from './credentials-crypto';
export { TwilioAdapter, twilioSignature, twilioUrlVariants, validateTwilioSignature, TWILIO_API_BASE_URL, TWILIO_SIGNATURE_HEADER, type TwilioCredentials, type TwilioParams } from './twilio';
export { TelnyxAdapter, telnyxPublicKey, verifyTelnyxSignature, TELNYX_API_BASE_URL, TELNYX_SIGNATURE_HEADER, TELNYX_TIMESTAMP_HEADER, type TelnyxCredentials } from './telnyx';
export {
  AcsAdapter,
  acsContentHash,
  acsRequestHeaders,
  acsSignature,
  acsStringToSign,
  parseAcsConnectionString,
  ACS_SMS_API_VERSION,
  ACS_SMS_DELIVERY_REPORT,
  ACS_SMS_RECEIVED,
  ACS_WEBHOOK_SECRET_HEADER,
  ACS_WEBHOOK_SECRET_PARAM,
  EVENT_GRID_VALIDATION,
  type AcsCredentials,
} from './acs';
export { SimulatorAdapter, simulatorSignature, SIMULATOR_SIGNATURE_HEADER, SIMULATOR_TIMESTAMP_HEADER, type SimulatorCredentials, type SimulatorEvent, type SimulatorEventType } from './simulator';
