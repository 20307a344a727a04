import type { ChatAccess, UserPage, UserRow } from '@switchboard/shared';
import type { ApiClient } from './client';

export type { ChatAccess } from '@switchboard/shared';

export interface SyncGroup {
  id: string;
  displayName: string;
  description?: string | null;
}

export interface SyncGroupSelection {
  groupIds: string[];
  groups: SyncGroup[];
  /** The enterprise's new ETag. */
  etag: string;
  /** What the change means, in the server's words. */
  notice: string;
  syncStarted: boolean;
}

const segment = encodeURIComponent;

/** The Settings page's calls beyond the enterprise itself: per-user Chat access and the sync groups. */
export function settingsApi(client: ApiClient) {
  const base = (enterpriseId: string) => `/api/admin/enterprises/${segment(enterpriseId)}`;
  return {
    /** Users whose Chat chip is `chat` (on or off), at most 200: the exceptions to the enterprise's switch. */
    usersWithChat: (enterpriseId: string, chat: 'on' | 'off', signal?: AbortSignal) =>
      client.request<UserPage>(`${base(enterpriseId)}/users?chat=${chat}&limit=200&sort=displayName`, { signal }),
    getUser: (enterpriseId: string, userId: string) => client.request<UserRow>(`${base(enterpriseId)}/users/${segment(userId)}`),
    /** `etag` is the user's. */
    setChatAccess: (enterpriseId: string, userId: string, etag: string, access: ChatAccess) =>
      client.request<UserRow>(`${base(enterpriseId)}/users/${segment(userId)}/chat-access`, { method: 'PUT', body: { access }, headers: { 'If-Match': etag } }),

    listGroups: (enterpriseId: string, search: string, signal?: AbortSignal) =>
      client.request<{ items: SyncGroup[]; truncated: boolean }>(`${base(enterpriseId)}/directory/groups${search ? `?search=${encodeURIComponent(search)}` : ''}`, { signal }),
    /** `etag` is the enterprise's; starts a sync. */
    setSyncGroups: (enterpriseId: string, etag: string, groupIds: string[]) =>
      client.request<SyncGroupSelection>(`${base(enterpriseId)}/directory/selection`, { method: 'PUT', body: { groupIds }, headers: { 'If-Match': etag } }),
  };
}

export type SettingsApi = ReturnType<typeof settingsApi>;
