import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `$skiptoken` and `$deltatoken` values: opaque to clients, like Graph's. They carry
 * the cursor itself (snapshot sequence, position, `$select` ...), so paging needs no
 * server-side session, and an HMAC, so an edited or truncated token is recognised as
 * malformed instead of silently reading the wrong page. base64url keeps them URL-safe.
 */
export class PagingTokens {
  constructor(private readonly secret: Buffer) {}

  private mac(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url').slice(0, 22);
  }

  encode(cursor: object): string {
    const payload = Buffer.from(JSON.stringify(cursor)).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** The cursor, or undefined when the token is not one of ours. */
  decode(token: string): Record<string, unknown> | undefined {
    const [payload, mac, extra] = token.split('.');
    if (!payload || !mac || extra !== undefined) return undefined;
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const cursor: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      return typeof cursor === 'object' && cursor !== null && !Array.isArray(cursor) ? (cursor as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
}
