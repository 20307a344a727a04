import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * A throwaway self-signed TLS certificate for the loopback simulator, built with
 * node:crypto alone (a P-256 key and a hand-encoded X.509 v3 certificate), so it works
 * on any developer machine without openssl on the PATH and takes a few milliseconds.
 * The certificate is its own CA: clients trust exactly this PEM and nothing else.
 * Nothing is written to disk.
 */
export interface SelfSignedCertificate {
  /** PKCS#8 PEM private key. */
  key: string;
  /** PEM certificate; give it to clients as their trusted CA. */
  cert: string;
}

export interface CertificateOptions {
  commonName?: string;
  /** Host names and IP addresses for subjectAltName. */
  altNames?: string[];
  validDays?: number;
}

// --- minimal DER encoding (only what a certificate needs) ---

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, ...items);
const set = (...items: Buffer[]) => tlv(0x31, ...items);
const octetString = (value: Buffer) => tlv(0x04, value);
const bitString = (value: Buffer) => tlv(0x03, Buffer.from([0]), value); // 0 unused bits
const utf8String = (value: string) => tlv(0x0c, Buffer.from(value, 'utf8'));
const boolean = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0]));
const explicit = (tagNumber: number, content: Buffer) => tlv(0xa0 | tagNumber, content);

function integer(value: Buffer): Buffer {
  let bytes = value;
  while (bytes.length > 1 && bytes[0] === 0 && (bytes[1]! & 0x80) === 0) bytes = bytes.subarray(1);
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]); // keep it positive
  return tlv(0x02, bytes);
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [first! * 40 + second!];
  for (const part of rest) {
    const chunk = [part & 0x7f];
    for (let value = part >>> 7; value > 0; value >>>= 7) chunk.unshift(0x80 | (value & 0x7f));
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime up to 2049, GeneralizedTime after, as RFC 5280 requires. */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'; // YYYYMMDDHHMMSSZ
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}

function ipBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
  // IPv6: expand "::" and write eight 16-bit groups.
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = address.includes('::') && tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups] : headGroups;
  const buffer = Buffer.alloc(16);
  groups.forEach((group, index) => buffer.writeUInt16BE(parseInt(group, 16), index * 2));
  return buffer;
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

const OID = {
  commonName: '2.5.4.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

export function createSelfSignedCertificate(options: CertificateOptions = {}): SelfSignedCertificate {
  const { commonName = 'Switchboard Graph simulator', altNames = ['127.0.0.1', '::1', 'localhost'], validDays = 30 } = options;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // SubjectPublicKeyInfo ends with the BIT STRING of the EC point (65 bytes, uncompressed).
  const subjectKeyId = createHash('sha1').update(spki.subarray(spki.length - 65)).digest();

  const name = sequence(set(sequence(oid(OID.commonName), utf8String(commonName))));
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const now = Date.now();
  const validity = sequence(time(new Date(now - 60 * 60 * 1000)), time(new Date(now + validDays * 24 * 60 * 60 * 1000)));
  const generalNames = altNames.map((alt) => (isIP(alt) ? tlv(0x87, ipBytes(alt)) : tlv(0x82, Buffer.from(alt, 'ascii'))));
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;

  const extensions = sequence(
    // CA:TRUE lets the one certificate act as the trust anchor clients are given.
    extension(OID.basicConstraints, true, sequence(boolean(true))),
    // digitalSignature (bit 0) + keyCertSign (bit 5): 0b10000100, 2 unused trailing bits.
    extension(OID.keyUsage, true, tlv(0x03, Buffer.from([2, 0x84]))),
    extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))),
    extension(OID.subjectKeyIdentifier, false, octetString(subjectKeyId)),
    extension(OID.subjectAltName, false, sequence(...generalNames)),
  );

  const tbs = sequence(explicit(0, integer(Buffer.from([2]))), integer(serial), algorithm, name, validity, name, spki, explicit(3, extensions));
  const signature = sign('sha256', tbs, privateKey); // DER-encoded ECDSA signature, as X.509 wants
  const der = sequence(tbs, algorithm, bitString(signature));

  const base64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    cert: `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`,
  };
}
