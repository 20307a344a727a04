/**
 * The shapes the Switchboard API sends and accepts, as the tab sees them. Kept here
 * (not imported from shared/) so the browser bundle never pulls in server code.
 */

export type Role = 'provider-admin' | 'global-admin' | 'enterprise-admin' | 'user';

export interface AppConfig {
  authMode: 'dev' | 'entra';
  clientId?: string;
}

export interface DevIdentity {
  key: string;
  label: string;
  role: Role;
  tenantId: string;
}

export interface DevSignInResult {
  token: string;
  expiresAt: string;
}

export interface Me {
  id: string;
  name: string;
  tenantId: string;
  role: Role;
  providerId?: string;
  enterpriseId?: string;
}

export interface EnterpriseSettings {
  allowProviderManagement: boolean;
  chatEnabled: boolean;
  syncIntervalMinutes: number;
  timeZone: string;
}

export interface Enterprise {
  id: string;
  name: string;
  tenantId: string;
  providerId: string;
  createdAt: string;
  updatedAt: string;
  etag: string;
  settings: EnterpriseSettings;
}

export interface ListResult<T> {
  items: T[];
}

export interface CreateEnterpriseRequest {
  name: string;
  tenantId: string;
}

export interface UpdateEnterpriseRequest {
  name?: string;
  settings?: Partial<EnterpriseSettings>;
}

export interface Activity {
  id: string;
  at: string;
  actor: { id: string; name: string; role: string };
  /** Dotted verb, e.g. `enterprise.updated`. */
  action: string;
  entity: { type: string; id: string; name?: string };
  summary: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

export interface ActivityPage {
  items: Activity[];
  continuationToken?: string;
}

export interface FieldIssue {
  /** Dotted path of the field, e.g. `settings.syncIntervalMinutes`. */
  path: string;
  message: string;
}

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    details?: FieldIssue[];
    requestId?: string;
  };
}
