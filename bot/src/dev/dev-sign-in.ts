import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { APP_ROLES, GLOBAL_ADMIN_ROLE_TEMPLATE, type Role } from '@switchboard/shared';

/**
 * Local development sign-in. It is a tiny identity provider of its own: a key
 * pair made at start, tokens shaped like Entra ID's (tid, oid, roles, wids), and
 * the same TokenVerifier as production checks them. It only exists when the
 * server runs with AUTH_MODE=dev on a loopback address.
 */
export const DEV_AUTHORITY = 'https://dev-sign-in.switchboard.invalid';
export const DEV_AUDIENCE = 'api://localhost/switchboard-dev';
export const DEV_PROVIDER_TENANT = '00000000-0000-4000-8000-00000000a11c';
export const DEV_TENANTS = {
  contoso: '11111111-1111-4111-8111-111111111111',
  fabrikam: '22222222-2222-4222-8222-222222222222',
} as const;

/** The client id the dev server uses with the built-in Graph simulator. */
export const DEV_GRAPH_CLIENT_ID = '00000000-0000-4000-8000-0000000061a9';

export interface DevIdentity {
  key: string;
  label: string;
  role: Role;
  tenantId: string;
  userId: string;
  name: string;
}

export const devIdentities: readonly DevIdentity[] = [
  { key: 'provider-admin', label: 'Pat Provider (provider admin)', role: 'provider-admin', tenantId: DEV_PROVIDER_TENANT, userId: 'aaaaaaaa-0000-4000-8000-000000000001', name: 'Pat Provider' },
  { key: 'contoso-global-admin', label: 'Grace Global (Contoso global admin)', role: 'global-admin', tenantId: DEV_TENANTS.contoso, userId: 'cccccccc-0000-4000-8000-000000000001', name: 'Grace Global' },
  { key: 'contoso-admin', label: 'Adam Admin (Contoso enterprise admin)', role: 'enterprise-admin', tenantId: DEV_TENANTS.contoso, userId: 'cccccccc-0000-4000-8000-000000000002', name: 'Adam Admin' },
  { key: 'contoso-user', label: 'Uma User (Contoso user)', role: 'user', tenantId: DEV_TENANTS.contoso, userId: 'cccccccc-0000-4000-8000-000000000003', name: 'Uma User' },
  { key: 'fabrikam-global-admin', label: 'Frank Fabrikam (Fabrikam global admin)', role: 'global-admin', tenantId: DEV_TENANTS.fabrikam, userId: 'ffffffff-0000-4000-8000-000000000001', name: 'Frank Fabrikam' },
];

function claimsFor(identity: DevIdentity): Record<string, unknown> {
  switch (identity.role) {
    case 'provider-admin':
      return { roles: [APP_ROLES.providerAdmin] };
    case 'global-admin':
      return { wids: [GLOBAL_ADMIN_ROLE_TEMPLATE] };
    case 'enterprise-admin':
      return { roles: [APP_ROLES.enterpriseAdmin] };
    case 'user':
      return {};
  }
}

export class DevSignIn {
  private constructor(
    private readonly privateKey: KeyLike,
    readonly publicJwk: JWK,
  ) {}

  static async create(): Promise<DevSignIn> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    return new DevSignIn(privateKey, { ...(await exportJWK(publicKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' });
  }

  get jwks() {
    return { keys: [this.publicJwk] };
  }

  async signIn(key: string): Promise<{ token: string; expiresAt: string } | undefined> {
    const identity = devIdentities.find((candidate) => candidate.key === key);
    if (!identity) return undefined;
    const expiresAt = new Date(Date.now() + 8 * 3600_000);
    const token = await new SignJWT({ ...claimsFor(identity), tid: identity.tenantId, oid: identity.userId, name: identity.name, preferred_username: `${identity.key}@example.com` })
      .setProtectedHeader({ alg: 'RS256', kid: this.publicJwk.kid! })
      .setIssuer(`${DEV_AUTHORITY}/${identity.tenantId}/v2.0`)
      .setAudience(DEV_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.privateKey);
    return { token, expiresAt: expiresAt.toISOString() };
  }
}
