import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { UnauthorizedError } from '../errors';
import { TokenVerifier } from './tokens';

/**
 * The verifier with a key set in memory and its own clock: a token checked once is
 * answered from memory while it is valid, and never after it expired.
 */
const AUTHORITY = 'https://login.example.test';
const AUDIENCE = randomUUID();
const TENANT = randomUUID();

let privateKey: KeyLike;
let jwks: { keys: Array<Record<string, unknown>> };

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
});

async function mint(issuedAt: number, lifetimeSeconds: number): Promise<string> {
  return new SignJWT({ tid: TENANT, oid: 'user-1', name: 'Uma User' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(`${AUTHORITY}/${TENANT}/v2.0`)
    .setAudience(AUDIENCE)
    .setIssuedAt(Math.floor(issuedAt / 1000))
    .setExpirationTime(Math.floor(issuedAt / 1000) + lifetimeSeconds)
    .sign(privateKey);
}

function verifierAt(clock: { now: number }, enterpriseOf: (tenantId: string) => string | undefined = () => 'ent-1'): TokenVerifier {
  return new TokenVerifier(
    { authority: AUTHORITY, audiences: [AUDIENCE], keys: { jwks: jwks as never }, clockToleranceSeconds: 60, now: () => clock.now },
    { isProviderTenant: () => false, enterpriseIdOfTenant: async (tenantId) => enterpriseOf(tenantId) },
  );
}

describe('TokenVerifier', () => {
  it('answers a token it verified from memory while valid, refuses it once expired, and still checks the tenant each time', async () => {
    const clock = { now: Date.parse('2026-11-21T10:00:00Z') };
    let enterprise: string | undefined = 'ent-1';
    const verifier = verifierAt(clock, () => enterprise);
    const token = await mint(clock.now, 600);

    expect(await verifier.verify(`Bearer ${token}`)).toMatchObject({ userId: 'user-1', tenantId: TENANT, enterpriseId: 'ent-1', role: 'user' });
    clock.now += 300_000;
    expect(await verifier.verify(`Bearer ${token}`)).toMatchObject({ userId: 'user-1', enterpriseId: 'ent-1' });

    // The organisation removed meanwhile: the remembered token does not outlive it.
    enterprise = undefined;
    await expect(verifier.verify(`Bearer ${token}`)).rejects.toThrow('not set up in Switchboard');
    enterprise = 'ent-1';

    // Past its expiry and the clock tolerance: refused, though it was accepted a moment ago.
    clock.now += 600_000;
    const expired = await verifier.verify(`Bearer ${token}`).catch((error: unknown) => error);
    expect(expired).toBeInstanceOf(UnauthorizedError);
    expect((expired as Error).message).toContain('it has expired');
  });

  it('never takes a changed token for a remembered one', async () => {
    const clock = { now: Date.now() };
    const verifier = verifierAt(clock);
    const token = await mint(clock.now, 600);
    await verifier.verify(`Bearer ${token}`);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, oid: 'someone-else' })).toString('base64url')}.${signature}`;
    await expect(verifier.verify(`Bearer ${forged}`)).rejects.toThrow('its signature does not match');
  });
});
