import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { adminApi, type AdminApi } from './admin';
import type { ApiClient } from './client';

const ApiContext = createContext<ApiClient | null>(null);

export function ApiProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>;
}

/** The admin API bound to the signed-in session. */
export function useAdminApi(): AdminApi {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useAdminApi must be used inside <ApiProvider>.');
  return useMemo(() => adminApi(client), [client]);
}

/** The signed-in session's client, for API modules beyond the admin one. */
export function useApiClient(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApiClient must be used inside <ApiProvider>.');
  return client;
}
