import { AcsAdapter } from './acs';
import type { CarrierCredentialsByType } from './credentials';
import { SimulatorAdapter } from './simulator';
import { TelnyxAdapter } from './telnyx';
import { TwilioAdapter } from './twilio';
import type { CarrierAdapter, CarrierAdapterOptions, CarrierType, WebhookEvent } from './types';

/** One adapter for one carrier connection. Throws on credentials that cannot work (e.g. a malformed Telnyx public key). */
export function createCarrierAdapter<K extends CarrierType>(type: K, credentials: CarrierCredentialsByType[K], options: CarrierAdapterOptions = {}): CarrierAdapter {
  switch (type) {
    case 'twilio':
      return new TwilioAdapter(credentials as CarrierCredentialsByType['twilio'], options);
    case 'telnyx':
      return new TelnyxAdapter(credentials as CarrierCredentialsByType['telnyx'], options);
    case 'acs':
      return new AcsAdapter(credentials as CarrierCredentialsByType['acs'], options);
    case 'simulator':
      return new SimulatorAdapter(credentials as CarrierCredentialsByType['simulator'], options);
    default:
      throw new Error(`Unknown carrier type "${String(type)}".`);
  }
}

export interface WebhookAnswer {
  status: number;
  contentType: string;
  body: string;
}

/**
 * What to answer a verified webhook once its events are safely recorded: Event Grid's
 * validation handshake wants `{ validationResponse }`; Twilio wants TwiML (an empty
 * `<Response/>` sends no automatic reply); the others only look at the status.
 * Answer 2xx only after the events are stored: carriers retry anything else.
 */
export function webhookAnswer(type: CarrierType, events: readonly WebhookEvent[]): WebhookAnswer {
  const validation = events.find((e): e is Extract<WebhookEvent, { kind: 'validation' }> => e.kind === 'validation');
  if (validation) return { status: 200, contentType: 'application/json', body: JSON.stringify(validation.response) };
  if (type === 'twilio') return { status: 200, contentType: 'text/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Response></Response>' };
  return { status: 200, contentType: 'application/json', body: '{}' };
}
