import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';

/**
 * A loopback stand-in for Microsoft Entra ID: one RS256 signing key published as a
 * JWKS at `GET /keys`, and tokens shaped like Entra v2 access tokens
 * (iss `{base}/{tid}/v2.0`, aud, tid, oid, name, roles, wids, kid in the header).
 */
export interface MintOptions {
  tid: string;
  oid?: string;
  name?: string;
  roles?: string[];
  wids?: string[];
  /** Defaults to the identity provider's audience. */
  aud?: string;
  /** Overrides the issuer (default `{base}/{tid}/v2.0`). */
  iss?: string;
  /** Seconds from now; negative for a token that has already expired. Default 3600. */
  expiresIn?: number;
  /**
   * `genuine`: the published key. `foreign`: a key the JWKS does not hold, with a kid of
   * its own. `foreign-same-kid`: that foreign key, but claiming the genuine key's kid.
   */
  key?: 'genuine' | 'foreign' | 'foreign-same-kid';
  /** Extra claims, merged last. */
  claims?: Record<string, unknown>;
}

interface SigningKey {
  privateKey: KeyLike;
  kid: string;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export class IdentityProvider {
  /** Requests the JWKS endpoint has answered. */
  jwksRequests = 0;

  private constructor(
    private readonly server: Server,
    readonly base: string,
    readonly audience: string,
    private readonly genuine: SigningKey,
    private readonly foreign: SigningKey,
  ) {}

  static async start(audience: string): Promise<IdentityProvider> {
    const makeKey = async (): Promise<SigningKey & { publicJwk: JWK }> => {
      const { privateKey, publicKey } = await generateKeyPair('RS256');
      const kid = randomUUID();
      return { privateKey, kid, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig', kty: 'RSA' } };
    };
    const genuine = await makeKey();
    const foreign = await makeKey();
    const jwks = JSON.stringify({ keys: [genuine.publicJwk] });
    let provider: IdentityProvider | undefined;
    const server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/keys') {
        if (provider) provider.jwksRequests++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(jwks);
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"not_found"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    provider = new IdentityProvider(server, `http://127.0.0.1:${port}`, audience, genuine, foreign);
    return provider;
  }

  get jwksUri(): string {
    return `${this.base}/keys`;
  }

  issuerFor(tid: string): string {
    return `${this.base}/${tid}/v2.0`;
  }

  private payload(options: MintOptions): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = options.expiresIn ?? 3600;
    return {
      aud: options.aud ?? this.audience,
      iss: options.iss ?? this.issuerFor(options.tid),
      iat: Math.min(now, now + expiresIn - 60),
      nbf: Math.min(now, now + expiresIn - 60),
      exp: now + expiresIn,
      tid: options.tid,
      oid: options.oid ?? randomUUID(),
      name: options.name ?? 'Test User',
      ver: '2.0',
      ...(options.roles ? { roles: options.roles } : {}),
      ...(options.wids ? { wids: options.wids } : {}),
      ...options.claims,
    };
  }

  async mint(options: MintOptions): Promise<string> {
    const which = options.key ?? 'genuine';
    const signer = which === 'genuine' ? this.genuine : this.foreign;
    const kid = which === 'foreign' ? this.foreign.kid : this.genuine.kid;
    return new SignJWT(this.payload(options)).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).sign(signer.privateKey);
  }

  /** An unsigned token (`alg: none`, empty signature) with otherwise valid claims. */
  unsigned(options: MintOptions): string {
    return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(this.payload(options))}.`;
  }

  /** A genuine token whose payload was changed afterwards; the signature is the original one. */
  static tamper(token: string, change: (payload: Record<string, unknown>) => Record<string, unknown>): string {
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    return `${header}.${b64url(change(claims))}.${signature}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
