import { call } from './http';

export type DevIdentityKey = 'provider-admin' | 'contoso-global-admin' | 'contoso-admin' | 'contoso-user' | 'fabrikam-global-admin';

/** Signs in through the server's dev sign-in endpoint and returns the bearer token. */
export async function devSignIn(baseUrl: string, identity: DevIdentityKey): Promise<string> {
  const answer = await call<{ token: string; expiresAt: string }>(`${baseUrl}/api/auth/dev/sign-in`, { body: { identity } });
  if (answer.status !== 200) throw new Error(`dev sign-in as ${identity} answered ${answer.status}: ${answer.text}`);
  return answer.body.token;
}

/** Tokens for several dev identities at once. */
export async function devTokens<K extends DevIdentityKey>(baseUrl: string, identities: readonly K[]): Promise<Record<K, string>> {
  const entries = await Promise.all(identities.map(async (identity) => [identity, await devSignIn(baseUrl, identity)] as const));
  return Object.fromEntries(entries) as Record<K, string>;
}
