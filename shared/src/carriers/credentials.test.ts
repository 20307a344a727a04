import { randomBytes } from 'node:crypto';
import { ValidationError } from '../errors';
import { parseCarrierCredentials, redactCredentials, REDACTED } from './credentials';
import {
  createCredentialKeyring,
  credentialKeyIdOf,
  CredentialDecryptionError,
  decryptCredentials,
  encryptCredentials,
  needsReencryption,
  parseCredentialKeyring,
  parseEncryptionKey,
} from './credentials-crypto';

const twilio = { accountSid: `AC${'a'.repeat(32)}`, authToken: 'b'.repeat(32), apiKeySid: `SK${'c'.repeat(32)}`, apiKeySecret: 'key-secret-value-123' };

describe('credentials at rest (AES-256-GCM)', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const keyring = createCredentialKeyring('k1', { k1 });

  it('round-trips, with a fresh IV each time and the key id in front', () => {
    const a = encryptCredentials(twilio, keyring, 'contoso/conn-1');
    const b = encryptCredentials(twilio, keyring, 'contoso/conn-1');
    expect(a).toMatch(/^v1:k1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]{22}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(twilio.authToken);
    expect(decryptCredentials(a, keyring, 'contoso/conn-1')).toEqual(twilio);
  });

  it('detects tampering, a wrong key and a wrong context', () => {
    const sealed = encryptCredentials(twilio, keyring, 'contoso/conn-1');
    const [v, id, iv, ct, tag] = sealed.split(':') as [string, string, string, string, string];
    const flipped = Buffer.from(ct, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => decryptCredentials([v, id, iv, flipped.toString('base64url'), tag].join(':'), keyring, 'contoso/conn-1')).toThrow(CredentialDecryptionError);
    expect(() => decryptCredentials(sealed, createCredentialKeyring('k1', { k1: k2 }), 'contoso/conn-1')).toThrow(/do not decrypt/);
    expect(() => decryptCredentials(sealed, keyring, 'fabrikam/conn-1')).toThrow(CredentialDecryptionError);
    expect(() => decryptCredentials(sealed.replace(':k1:', ':k9:'), keyring, 'contoso/conn-1')).toThrow(/key "k9"/);
    expect(() => decryptCredentials('plain text', keyring)).toThrow(CredentialDecryptionError);
  });

  it('rotates: old values still decrypt, and say they need re-encryption', () => {
    const old = encryptCredentials(twilio, keyring);
    const rotated = parseCredentialKeyring(`k2:${k2.toString('base64')},k1:${k1.toString('hex')}`);
    expect(rotated.currentKeyId).toBe('k2');
    expect(needsReencryption(old, rotated)).toBe(true);
    const again = encryptCredentials(decryptCredentials(old, rotated), rotated);
    expect(credentialKeyIdOf(again)).toBe('k2');
    expect(needsReencryption(again, rotated)).toBe(false);
  });

  it('reads keys as hex or base64 and refuses anything but 32 bytes, without echoing them', () => {
    const key = randomBytes(32);
    expect(parseEncryptionKey(key.toString('hex'))).toEqual(key);
    expect(parseEncryptionKey(key.toString('base64'))).toEqual(key);
    expect(parseEncryptionKey(key.toString('base64url'))).toEqual(key);
    expect(() => parseEncryptionKey('c2VjcmV0LXRvby1zaG9ydA==')).toThrow(/32 bytes/);
    expect(() => parseEncryptionKey('c2VjcmV0LXRvby1zaG9ydA==')).not.toThrow(/c2VjcmV0/);
    expect(parseCredentialKeyring(key.toString('base64')).currentKeyId).toBe('default');
    expect(() => parseCredentialKeyring('a:x,a:y')).toThrow();
  });
});

describe('redactCredentials', () => {
  it('masks every secret, keeps identifiers, drops unknown fields', () => {
    expect(redactCredentials('twilio', { ...twilio, extra: 'leak' } as typeof twilio)).toEqual({ accountSid: twilio.accountSid, authToken: REDACTED, apiKeySid: twilio.apiKeySid, apiKeySecret: REDACTED });
    expect(redactCredentials('telnyx', { apiKey: 'KEY123', publicKey: 'pub', messagingProfileId: 'p1' })).toEqual({ apiKey: REDACTED, publicKey: 'pub', messagingProfileId: 'p1' });
    expect(redactCredentials('acs', { endpoint: 'https://x.communication.azure.com', accessKey: 'k', webhookSecret: 's' })).toEqual({ endpoint: 'https://x.communication.azure.com', accessKey: REDACTED, webhookSecret: REDACTED });
    expect(redactCredentials('simulator', { apiKey: 'a', signingSecret: 'b' })).toEqual({ apiKey: REDACTED, signingSecret: REDACTED });
    expect(JSON.stringify(redactCredentials('twilio', { accountSid: twilio.accountSid, authToken: twilio.authToken }))).not.toContain(twilio.authToken);
  });
});

describe('parseCarrierCredentials', () => {
  it('accepts well-formed credentials and names each bad field', () => {
    expect(parseCarrierCredentials('twilio', twilio)).toEqual(twilio);
    expect(parseCarrierCredentials('acs', { endpoint: 'https://x.communication.azure.com/', accessKey: randomBytes(32).toString('base64'), webhookSecret: 'w'.repeat(32) }).endpoint).toBe('https://x.communication.azure.com');
    let error: unknown;
    try {
      parseCarrierCredentials('twilio', { accountSid: 'AC1', authToken: 'b'.repeat(32), apiKeySid: `SK${'c'.repeat(32)}` });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details.map((d) => d.path).sort()).toEqual(['accountSid', 'apiKeySecret']);
    expect(() => parseCarrierCredentials('telnyx', { apiKey: 'KEY12345678', publicKey: 'short' })).toThrow(ValidationError);
    expect(() => parseCarrierCredentials('acs', { endpoint: 'http://x.communication.azure.com', accessKey: randomBytes(32).toString('base64'), webhookSecret: 'w'.repeat(32) })).toThrow(ValidationError);
  });
});
