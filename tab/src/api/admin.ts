import type { ApiClient } from './client';
import type {
  ActivityPage,
  CreateEnterpriseRequest,
  Enterprise,
  ListResult,
  Me,
  UpdateEnterpriseRequest,
} from './types';

const segment = encodeURIComponent;

/** The admin REST API (`/api/admin/...`) as typed functions. */
export function adminApi(client: ApiClient) {
  return {
    me: (signal?: AbortSignal) => client.request<Me>('/api/admin/me', { signal }),

    listEnterprises: (signal?: AbortSignal) => client.request<ListResult<Enterprise>>('/api/admin/enterprises', { signal }),

    createEnterprise: (body: CreateEnterpriseRequest) =>
      client.request<Enterprise>('/api/admin/enterprises', { method: 'POST', body }),

    getEnterprise: (id: string, signal?: AbortSignal) =>
      client.request<Enterprise>(`/api/admin/enterprises/${segment(id)}`, { signal }),

    /** `etag` is the one the user's edits are based on; the server answers 409 when it is stale. */
    updateEnterprise: (id: string, etag: string, body: UpdateEnterpriseRequest) =>
      client.request<Enterprise>(`/api/admin/enterprises/${segment(id)}`, { method: 'PATCH', body, headers: { 'If-Match': etag } }),

    listActivity: (id: string, options: { pageSize?: number; continuationToken?: string; signal?: AbortSignal } = {}) => {
      const query = new URLSearchParams({ pageSize: String(options.pageSize ?? 50) });
      if (options.continuationToken) query.set('continuationToken', options.continuationToken);
      return client.request<ActivityPage>(`/api/admin/enterprises/${segment(id)}/activity?${query}`, { signal: options.signal });
    },
  };
}

export type AdminApi = ReturnType<typeof adminApi>;
