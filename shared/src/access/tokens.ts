import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { UnauthorizedError } from '../errors';
import type { Principal, Role } from './principal';

/** Entra's directory role template id for Global Administrator (found in the `wids` claim). */
export const GLOBAL_ADMIN_ROLE_TEMPLATE = '62e90394-69f5-4237-9190-012177145e10';
/** App roles defined on Switchboard's Entra app registration (the `roles` claim). */
export const APP_ROLES = { providerAdmin: 'Provider.Admin', enterpriseAdmin: 'Enterprise.Admin', globalAdmin: 'Enterprise.GlobalAdmin' } as const;

export interface TokenVerifierOptions {
  /** Authority host, e.g. https://login.microsoftonline.com; issuers are `{authority}/{tid}/v2.0`. */
  authority: string;
  /** Accepted audiences: the app's client id and/or its Application ID URI. */
  audiences: string[];
  /** Where the signing keys are: a JWKS URL (Entra) or a key set in memory (dev sign-in). */
  keys: { jwksUri: string } | { jwks: JSONWebKeySet };
  /** Tolerated clock difference, seconds. */
  clockToleranceSeconds?: number;
  /** The clock (tests). */
  now?: () => number;
}

/** Tokens whose verified claims are kept (the least recently verified go first). */
const KNOWN_TOKENS = 5_000;

export interface TenantDirectory {
  /** Tenants of the service providers this deployment serves. */
  isProviderTenant(tenantId: string): boolean;
  /** The enterprise a tenant belongs to, if any. */
  enterpriseIdOfTenant(tenantId: string): Promise<string | undefined>;
}

const stringArray = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/**
 * Validates Entra ID access tokens (as Teams SSO hands them to the tab) and turns
 * them into a Principal: signature against the authority's JWKS, issuer for the
 * token's own tenant, audience, expiry, and a tenant this deployment knows.
 */
export class TokenVerifier {
  private readonly keySet: ReturnType<typeof createRemoteJWKSet> | ReturnType<typeof createLocalJWKSet>;
  /**
   * Claims of tokens whose signature and claims were checked, until they expire: a tab or
   * an API client sends the same token with every request, and an RS256 check per request
   * is the costliest part of answering a small one.
   */
  private readonly verified = new Map<string, { claims: JWTPayload; expiresAt: number }>();
  private readonly now: () => number;

  constructor(
    private readonly options: TokenVerifierOptions,
    private readonly tenants: TenantDirectory,
  ) {
    this.now = options.now ?? Date.now;
    this.keySet = 'jwksUri' in options.keys ? createRemoteJWKSet(new URL(options.keys.jwksUri), { cooldownDuration: 30_000 }) : createLocalJWKSet(options.keys.jwks);
  }

  issuerFor(tenantId: string): string {
    return `${this.options.authority.replace(/\/$/, '')}/${tenantId}/v2.0`;
  }

  async verify(authorization: string | undefined): Promise<Principal> {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new UnauthorizedError('Sign in first: send an Entra ID access token as "Authorization: Bearer <token>".');
    const known = this.verified.get(token);
    if (known && known.expiresAt > this.now()) return this.principalFrom(known.claims);
    if (known) this.verified.delete(token);
    // The expected issuer depends on the tenant, which we only learn from the token;
    // the signature check below makes that claim trustworthy.
    let unverifiedTenant: unknown;
    try {
      unverifiedTenant = decodeJwt(token).tid;
    } catch {
      throw new UnauthorizedError('The access token is malformed. Sign in again.');
    }
    if (typeof unverifiedTenant !== 'string') throw new UnauthorizedError('The access token names no tenant (tid). Sign in again.');
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, this.keySet, {
        issuer: this.issuerFor(unverifiedTenant),
        audience: this.options.audiences,
        algorithms: ['RS256'],
        requiredClaims: ['exp', 'tid', 'oid'],
        clockTolerance: this.options.clockToleranceSeconds ?? 60,
        currentDate: new Date(this.now()),
      }));
    } catch (error) {
      throw new UnauthorizedError(`The access token was refused (${describeJoseError(error)}). Sign in again.`);
    }
    // Kept until its own expiry (`exp` is required above), without the clock tolerance.
    this.verified.set(token, { claims, expiresAt: Number(claims.exp) * 1000 });
    if (this.verified.size > KNOWN_TOKENS) this.verified.delete(this.verified.keys().next().value!);
    return this.principalFrom(claims);
  }

  private async principalFrom(claims: JWTPayload): Promise<Principal> {
    const tenantId = String(claims.tid);
    const appRoles = stringArray(claims.roles);
    const base = { userId: String(claims.oid), name: String(claims.name ?? claims.preferred_username ?? claims.oid), tenantId };
    if (this.tenants.isProviderTenant(tenantId) && appRoles.includes(APP_ROLES.providerAdmin)) {
      return { ...base, role: 'provider-admin', providerId: tenantId };
    }
    const enterpriseId = await this.tenants.enterpriseIdOfTenant(tenantId);
    if (!enterpriseId) throw new UnauthorizedError('Your Microsoft 365 organisation is not set up in Switchboard. Ask your service provider to add it.');
    return { ...base, role: enterpriseRole(claims, appRoles), enterpriseId };
  }
}

function enterpriseRole(claims: JWTPayload, appRoles: string[]): Role {
  if (stringArray(claims.wids).includes(GLOBAL_ADMIN_ROLE_TEMPLATE) || appRoles.includes(APP_ROLES.globalAdmin)) return 'global-admin';
  if (appRoles.includes(APP_ROLES.enterpriseAdmin)) return 'enterprise-admin';
  return 'user';
}

function describeJoseError(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'it has expired';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'its signature does not match a key of the identity provider';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `claim "${(error as { claim?: string }).claim}" is not what this server expects`;
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'it is not signed with RS256';
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JOSE_GENERIC':
      return 'the signing keys could not be fetched';
    default:
      return 'it could not be validated';
  }
}
