import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HS256 JWTs signed with a per-simulator secret. Real Graph tokens are RS256, but
 * Graph clients treat access tokens as opaque, so only the simulator itself has to
 * verify them; a shared secret keeps that to a few lines.
 */
export type JwtClaims = Record<string, unknown>;

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function signature(secret: Buffer, signingInput: string): string {
  return createHmac('sha256', secret).update(signingInput).digest('base64url');
}

export function signJwt(claims: JwtClaims, secret: Buffer): string {
  const signingInput = `${encode({ typ: 'JWT', alg: 'HS256' })}.${encode(claims)}`;
  return `${signingInput}.${signature(secret, signingInput)}`;
}

/** The claims when the token is well formed and signed with `secret`; why not otherwise. */
export function verifyJwt(token: string, secret: Buffer): { claims: JwtClaims } | { problem: 'malformed' | 'signature' } {
  const parts = token.split('.');
  if (parts.length !== 3) return { problem: 'malformed' };
  const [header, payload, given] = parts as [string, string, string];
  const expected = Buffer.from(signature(secret, `${header}.${payload}`));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return { problem: 'signature' };
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return { problem: 'malformed' };
    return { claims: claims as JwtClaims };
  } catch {
    return { problem: 'malformed' };
  }
}
