import type { DashboardView } from '@switchboard/shared';
import type { ApiClient } from './client';

export type Dashboard = DashboardView;
export type DashboardTask = DashboardView['tasks'][number];
export type CarrierHealth = DashboardView['carriers'][number];
export type DayCount = DashboardView['messagesPerDay'][number];
export type SyncSummary = DashboardView['sync'];

const segment = encodeURIComponent;

/** The Dashboard's one call. */
export function dashboardApi(client: ApiClient) {
  return {
    getDashboard: (enterpriseId: string, days: 14 | 30, signal?: AbortSignal) =>
      client.request<Dashboard>(`/api/admin/enterprises/${segment(enterpriseId)}/dashboard?days=${days}`, { signal }),
    /** The sync's status alone: polled while a sync runs. */
    getSync: (enterpriseId: string, signal?: AbortSignal) => client.request<SyncSummary>(`/api/admin/enterprises/${segment(enterpriseId)}/directory/sync`, { signal }),
    startSync: (enterpriseId: string) => client.request<SyncSummary>(`/api/admin/enterprises/${segment(enterpriseId)}/directory/sync`, { method: 'POST' }),
  };
}

export type DashboardApi = ReturnType<typeof dashboardApi>;
