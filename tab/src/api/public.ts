import { requestJson } from './http';
import type { AppConfig, DevIdentity, DevSignInResult } from './types';

/** Calls made before anyone is signed in. */
export const publicApi = {
  config: (signal?: AbortSignal) => requestJson<AppConfig>('/api/config', { signal }),

  // A bare array is the contract; `{ items }` is accepted too so a wrapped list still works.
  devIdentities: async (signal?: AbortSignal): Promise<DevIdentity[]> => {
    const body = await requestJson<DevIdentity[] | { items: DevIdentity[] }>('/api/auth/dev/identities', { signal });
    return Array.isArray(body) ? body : body.items;
  },

  devSignIn: (identity: string) =>
    requestJson<DevSignInResult>('/api/auth/dev/sign-in', { method: 'POST', body: { identity } }),
};
