import { describe, expect, it } from '@jest/globals';
import { CREDENTIAL_FIELDS, credentialState, credentialsFrom } from './carrierFields';

describe('carrier credential fields', () => {
  it('sends filled fields trimmed and names the required ones left empty by their API path', () => {
    expect(credentialsFrom('twilio', { accountSid: ' AC1 ', authToken: '' })).toEqual({
      credentials: { accountSid: 'AC1' },
      missing: { 'credentials.authToken': 'Enter the auth token.' },
    });
    expect(credentialsFrom('simulator', { apiKey: 'k', signingSecret: 's' }).missing).toEqual({});
  });

  it('shows identifiers as stored and secrets only as set', () => {
    const [sid, token] = CREDENTIAL_FIELDS.twilio;
    const stored = { accountSid: 'AC123', authToken: '••••••••' };
    expect(credentialState(sid!, stored)).toBe('AC123');
    expect(credentialState(token!, stored)).toBe('Set');
    expect(credentialState(CREDENTIAL_FIELDS.twilio[3]!, stored)).toBe('Not set');
  });
});
