import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Carrier credentials at rest: AES-256-GCM with a random 12-byte IV and a 16-byte tag,
 * sealed as `v1:{keyId}:{iv}:{ciphertext}:{tag}` (base64url parts). The key id lets
 * old values be read after a new key becomes current (rotation): keep the old key in
 * the keyring until every value has been re-encrypted (see `needsReencryption`).
 *
 * An optional `context` (e.g. the enterprise and connection id) is bound as associated
 * data: a sealed value copied onto another connection does not decrypt there.
 */
export interface CredentialKeyring {
  currentKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
}

export class CredentialDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialDecryptionError';
  }
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A 32-byte key from configuration: 64 hex digits, or base64 / base64url of 32 bytes. Never echoes the key in errors. */
export function parseEncryptionKey(text: string): Buffer {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) {
    const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === 32) return bytes;
  }
  throw new Error(`A credential encryption key must be 32 bytes, written as 64 hex digits or 44 base64 characters (this one has ${value.length} characters). Make one with: openssl rand -base64 32`);
}

/** A keyring from explicit keys; each key is a Buffer of 32 bytes or a string for parseEncryptionKey. */
export function createCredentialKeyring(currentKeyId: string, keys: Record<string, string | Buffer>): CredentialKeyring {
  const map = new Map<string, Buffer>();
  for (const [id, key] of Object.entries(keys)) {
    if (!KEY_ID.test(id)) throw new Error(`A credential key id is 1-32 letters, digits, "-" or "_"; "${id}" is not.`);
    const bytes = typeof key === 'string' ? parseEncryptionKey(key) : key;
    if (bytes.length !== 32) throw new Error(`Credential key "${id}" is ${bytes.length} bytes; AES-256 needs 32.`);
    map.set(id, Buffer.from(bytes));
  }
  if (!map.has(currentKeyId)) throw new Error(`The current credential key "${currentKeyId}" is not among the configured keys.`);
  return { currentKeyId, keys: map };
}

/**
 * A keyring from one setting: `keyId:key[,keyId:key...]`, the first being current,
 * e.g. `2025b:BASE64KEY,2025a:OLDKEY`. A bare key (no id) gets the id `default`.
 */
export function parseCredentialKeyring(setting: string): CredentialKeyring {
  const entries = setting
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const at = part.indexOf(':');
      return at < 0 ? (['default', part] as const) : ([part.slice(0, at).trim(), part.slice(at + 1).trim()] as const);
    });
  if (entries.length === 0) throw new Error('The credential key setting is empty: give at least one key (keyId:key).');
  const keys: Record<string, string> = {};
  for (const [id, key] of entries) {
    if (id in keys) throw new Error(`Credential key id "${id}" appears twice.`);
    keys[id] = key;
  }
  return createCredentialKeyring(entries[0]![0], keys);
}

const b64url = (bytes: Buffer) => bytes.toString('base64url');
const aad = (keyId: string, context: string | undefined) => Buffer.from(`switchboard-credentials:${VERSION}:${keyId}:${context ?? ''}`, 'utf8');

/** Encrypts any JSON value (credentials objects) with the keyring's current key. */
export function encryptCredentials(value: unknown, keyring: CredentialKeyring, context?: string): string {
  const keyId = keyring.currentKeyId;
  const key = keyring.keys.get(keyId);
  if (!key) throw new Error(`The current credential key "${keyId}" is not in the keyring.`);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(keyId, context));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return [VERSION, keyId, b64url(iv), b64url(ciphertext), b64url(cipher.getAuthTag())].join(':');
}

function parts(sealed: string): { keyId: string; iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const [version, keyId, iv, ciphertext, tag, ...rest] = sealed.split(':');
  if (version !== VERSION || !keyId || iv === undefined || ciphertext === undefined || tag === undefined || rest.length > 0) {
    throw new CredentialDecryptionError('The stored credentials are not in the v1:{keyId}:{iv}:{ciphertext}:{tag} form.');
  }
  const decoded = { keyId, iv: Buffer.from(iv, 'base64url'), ciphertext: Buffer.from(ciphertext, 'base64url'), tag: Buffer.from(tag, 'base64url') };
  if (decoded.iv.length !== IV_BYTES || decoded.tag.length !== TAG_BYTES) throw new CredentialDecryptionError('The stored credentials are damaged (IV or tag of the wrong size).');
  return decoded;
}

/** The id of the key a sealed value was encrypted with. */
export function credentialKeyIdOf(sealed: string): string {
  return parts(sealed).keyId;
}

/** True when the value was sealed with a key other than the current one: re-encrypt it. */
export function needsReencryption(sealed: string, keyring: CredentialKeyring): boolean {
  return credentialKeyIdOf(sealed) !== keyring.currentKeyId;
}

/** Decrypts a sealed value; throws CredentialDecryptionError for an unknown key, a wrong key or context, or any tampering. */
export function decryptCredentials<T = unknown>(sealed: string, keyring: CredentialKeyring, context?: string): T {
  const { keyId, iv, ciphertext, tag } = parts(sealed);
  const key = keyring.keys.get(keyId);
  if (!key) throw new CredentialDecryptionError(`The stored credentials were encrypted with key "${keyId}", which is not configured: add it back to the keyring.`);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(keyId, context));
    decipher.setAuthTag(tag);
    plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new CredentialDecryptionError(`The stored credentials do not decrypt with key "${keyId}": the key is wrong, they belong to another connection, or they were altered.`);
  }
  return JSON.parse(plain.toString('utf8')) as T;
}
