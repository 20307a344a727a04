import type {
  AddNumber,
  CarrierConnectionView,
  NumberImportReport,
  NumberPage,
  NumberQuery,
  NumberRangeResult,
  NumberView,
  SmsGroupView,
  SmsUserSaveResult,
  SmsUserView,
  UpdateNumber,
  UserPage,
} from '@switchboard/shared';
import type { ApiClient } from './client';
import type { ListResult } from './types';

export type { CarrierConnectionView as CarrierConnection, NumberImportReport, NumberPage, NumberRangeResult, NumberView as PhoneNumber, SmsGroupView as SmsGroup } from '@switchboard/shared';

/** The Numbers page's query: every part optional, the server fills in its defaults. */
export type NumbersQuery = Partial<NumberQuery>;

export type AddNumberRequest = Partial<Pick<AddNumber, 'label' | 'capabilities' | 'carrierConnectionId' | 'extension'>> & { number: string };
export interface AddRangeRequest {
  from: string;
  to: string;
  label?: string;
  carrierConnectionId?: string | null;
  capabilities?: NumberView['capabilities'];
}
export type UpdateNumberRequest = UpdateNumber;

export interface SmsGroupRequest {
  name?: string;
  number?: string | null;
  ownerIds?: string[];
  memberIds?: string[];
}

export type CarrierType = CarrierConnectionView['type'];

export interface CarrierConnectionRequest {
  type?: CarrierType;
  name?: string;
  /** Complete credentials; left out on an edit to keep the stored ones. */
  credentials?: Record<string, string>;
}

const segment = encodeURIComponent;

function queryString(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The number inventory, SMS groups and carrier connections. */
export function numbersApi(client: ApiClient) {
  const base = (enterpriseId: string) => `/api/admin/enterprises/${segment(enterpriseId)}`;
  return {
    listNumbers: (enterpriseId: string, query: NumbersQuery, signal?: AbortSignal) =>
      client.request<NumberPage>(`${base(enterpriseId)}/numbers${queryString(query as Record<string, string | number | undefined>)}`, { signal }),
    addNumber: (enterpriseId: string, body: AddNumberRequest) => client.request<NumberView>(`${base(enterpriseId)}/numbers`, { method: 'POST', body }),
    addRange: (enterpriseId: string, body: AddRangeRequest) => client.request<NumberRangeResult>(`${base(enterpriseId)}/numbers/range`, { method: 'POST', body }),
    importNumbers: (enterpriseId: string, csv: string) => client.request<NumberImportReport>(`${base(enterpriseId)}/numbers/import`, { method: 'POST', body: { csv } }),
    updateNumber: (enterpriseId: string, number: string, etag: string, body: UpdateNumberRequest) =>
      client.request<NumberView>(`${base(enterpriseId)}/numbers/${segment(number)}`, { method: 'PATCH', body, headers: { 'If-Match': etag } }),
    deleteNumber: (enterpriseId: string, number: string, etag: string) =>
      client.request<void>(`${base(enterpriseId)}/numbers/${segment(number)}`, { method: 'DELETE', headers: { 'If-Match': etag } }),

    listSmsGroups: (enterpriseId: string, signal?: AbortSignal) => client.request<ListResult<SmsGroupView>>(`${base(enterpriseId)}/sms-groups`, { signal }),
    createSmsGroup: (enterpriseId: string, body: SmsGroupRequest & { name: string; ownerIds: string[] }) =>
      client.request<SmsGroupView>(`${base(enterpriseId)}/sms-groups`, { method: 'POST', body }),
    updateSmsGroup: (enterpriseId: string, groupId: string, etag: string, body: SmsGroupRequest) =>
      client.request<SmsGroupView>(`${base(enterpriseId)}/sms-groups/${segment(groupId)}`, { method: 'PATCH', body, headers: { 'If-Match': etag } }),
    deleteSmsGroup: (enterpriseId: string, groupId: string, etag: string) =>
      client.request<void>(`${base(enterpriseId)}/sms-groups/${segment(groupId)}`, { method: 'DELETE', headers: { 'If-Match': etag } }),

    /** People for pickers: quick search over the Users page's rows. */
    searchUsers: (enterpriseId: string, search: string, signal?: AbortSignal) =>
      client.request<UserPage>(`${base(enterpriseId)}/users${queryString({ search, limit: 20, sort: 'displayName' })}`, { signal }),
    /** A user's SMS numbers and switch, with the user's ETag; `limit: 0` leaves out the available numbers. */
    getUserSms: (enterpriseId: string, userId: string, signal?: AbortSignal) =>
      client.request<SmsUserView>(`${base(enterpriseId)}/users/${segment(userId)}/sms?limit=0`, { signal }),
    saveUserSms: (enterpriseId: string, userId: string, etag: string, body: { enabled: boolean; numbers: string[] }) =>
      client.request<SmsUserSaveResult>(`${base(enterpriseId)}/users/${segment(userId)}/sms`, { method: 'PUT', body, headers: { 'If-Match': etag } }),

    listCarrierConnections: (enterpriseId: string, signal?: AbortSignal) =>
      client.request<ListResult<CarrierConnectionView>>(`${base(enterpriseId)}/carrier-connections`, { signal }),
    createCarrierConnection: (enterpriseId: string, body: Required<Pick<CarrierConnectionRequest, 'type' | 'name' | 'credentials'>>) =>
      client.request<CarrierConnectionView>(`${base(enterpriseId)}/carrier-connections`, { method: 'POST', body }),
    updateCarrierConnection: (enterpriseId: string, connectionId: string, etag: string, body: Omit<CarrierConnectionRequest, 'type'>) =>
      client.request<CarrierConnectionView>(`${base(enterpriseId)}/carrier-connections/${segment(connectionId)}`, { method: 'PATCH', body, headers: { 'If-Match': etag } }),
    deleteCarrierConnection: (enterpriseId: string, connectionId: string, etag: string) =>
      client.request<void>(`${base(enterpriseId)}/carrier-connections/${segment(connectionId)}`, { method: 'DELETE', headers: { 'If-Match': etag } }),
  };
}

export type NumbersApi = ReturnType<typeof numbersApi>;
