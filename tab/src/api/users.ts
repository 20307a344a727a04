import type {
  DesiredSmsConfig,
  SmsImportReport,
  SmsImportView,
  SmsUserSaveResult,
  SmsUserView,
  UserPage,
  UserQuery,
  UserRow,
} from '@switchboard/shared';
import type { z } from 'zod';
import type { tagChangeResultSchema, tagListResponseSchema } from '@switchboard/shared';
import type { ApiClient } from './client';
import type { DownloadedFile } from './http';

export type TagList = z.output<typeof tagListResponseSchema>;
export type TagChangeResult = z.output<typeof tagChangeResultSchema>;

export type { SmsImportReport, SmsImportView, SmsUserSaveResult, SmsUserView, UserPage, UserRow } from '@switchboard/shared';
export type { ValidatedImportRow as ImportRow } from '@switchboard/shared';

/** The Users page's query: every part optional, the server fills in its defaults. */
export type UsersQuery = Partial<UserQuery>;
/** The same without paging, for the export. */
export type UsersFilter = Omit<UsersQuery, 'offset' | 'limit'>;

export interface DirectoryGroup {
  id: string;
  displayName: string;
  description?: string | null;
}

export interface DirectoryGroupList {
  items: DirectoryGroup[];
  /** More groups match than were listed: narrow the search. */
  truncated: boolean;
}

export interface DirectorySyncStatus {
  configured: boolean;
  status: 'idle' | 'running' | 'failed';
  processed: number;
  groupIds: string[];
  intervalMinutes: number;
  startedAt?: string;
  nextRunAt?: string;
}

export interface SelectionResult {
  groupIds: string[];
  groups: DirectoryGroup[];
  etag: string;
  /** What the change means, in plain words. */
  notice: string;
  syncStarted: boolean;
}

const segment = encodeURIComponent;

/** `?a=1&tag=x&tag=y`, leaving out empty values. */
export function queryString(query: Record<string, string | number | readonly string[] | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, item);
    else params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The Users page's endpoints: users, the SMS User Configuration, sync groups, the bulk SMS import. */
export function usersApi(client: ApiClient) {
  const base = (enterpriseId: string) => `/api/admin/enterprises/${segment(enterpriseId)}`;
  return {
    listUsers: (enterpriseId: string, query: UsersQuery, signal?: AbortSignal) =>
      client.request<UserPage>(`${base(enterpriseId)}/users${queryString(query as Record<string, string | number | string[] | undefined>)}`, { signal }),

    getUser: (enterpriseId: string, userId: string, signal?: AbortSignal) =>
      client.request<UserRow>(`${base(enterpriseId)}/users/${segment(userId)}`, { signal }),

    /** The CSV of the users matching `filter` (no paging). */
    exportUsers: (enterpriseId: string, filter: UsersFilter): Promise<DownloadedFile> =>
      client.download(`${base(enterpriseId)}/users/export${queryString(filter as Record<string, string | string[] | undefined>)}`),

    getUserSms: (enterpriseId: string, userId: string, options: { search?: string; limit?: number; signal?: AbortSignal } = {}) =>
      client.request<SmsUserView>(`${base(enterpriseId)}/users/${segment(userId)}/sms${queryString({ search: options.search, limit: options.limit })}`, {
        signal: options.signal,
      }),

    /** `etag` is the user's as the dialog read it; 409/412 when someone changed the user since. */
    saveUserSms: (enterpriseId: string, userId: string, etag: string, body: DesiredSmsConfig) =>
      client.request<SmsUserSaveResult>(`${base(enterpriseId)}/users/${segment(userId)}/sms`, { method: 'PUT', body, headers: { 'If-Match': etag } }),

    getDirectorySync: (enterpriseId: string, signal?: AbortSignal) => client.request<DirectorySyncStatus>(`${base(enterpriseId)}/directory/sync`, { signal }),

    listDirectoryGroups: (enterpriseId: string, search: string, signal?: AbortSignal) =>
      client.request<DirectoryGroupList>(`${base(enterpriseId)}/directory/groups${queryString({ search })}`, { signal }),

    /** `etag` is the enterprise's. */
    setDirectorySelection: (enterpriseId: string, etag: string, groupIds: string[]) =>
      client.request<SelectionResult>(`${base(enterpriseId)}/directory/selection`, { method: 'PUT', body: { groupIds }, headers: { 'If-Match': etag } }),

    /** The enterprise's tags with how many users have each, most used first. */
    listTags: (enterpriseId: string, signal?: AbortSignal) => client.request<TagList>(`${base(enterpriseId)}/tags`, { signal }),

    /** Renames a tag for everyone who has it (case-insensitive). */
    renameTag: (enterpriseId: string, from: string, to: string) =>
      client.request<TagChangeResult>(`${base(enterpriseId)}/tags/rename`, { method: 'POST', body: { from, to } }),

    /** Takes a tag off everyone who has it. */
    removeTag: (enterpriseId: string, tag: string) => client.request<TagChangeResult>(`${base(enterpriseId)}/tags/${segment(tag)}`, { method: 'DELETE' }),

    importTemplate: (enterpriseId: string) => client.download(`${base(enterpriseId)}/sms-import/template`),

    validateImport: (enterpriseId: string, csv: string, fileName: string) =>
      client.request<SmsImportReport>(`${base(enterpriseId)}/sms-import/validate`, { method: 'POST', body: { csv, fileName } }),

    applyImport: (enterpriseId: string, importId: string) =>
      client.request<SmsImportView>(`${base(enterpriseId)}/sms-import/${segment(importId)}/apply`, { method: 'POST' }),

    getImport: (enterpriseId: string, importId: string, signal?: AbortSignal) =>
      client.request<SmsImportView>(`${base(enterpriseId)}/sms-import/${segment(importId)}`, { signal }),
  };
}

export type UsersApi = ReturnType<typeof usersApi>;

/** Hands a downloaded file to the browser as a download. */
export function saveFile(file: DownloadedFile, fallbackName: string): void {
  const url = URL.createObjectURL(file.blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName ?? fallbackName;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Give the browser a moment to start the download before the URL goes.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
