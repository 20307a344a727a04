/**
 * The shapes the Switchboard API sends and accepts, as the tab sees them. Domain
 * shapes come from shared/ as types only (erased at build time), so the browser
 * bundle never pulls in server code and the two sides cannot drift apart.
 */
import type { ActivityEntry, CreateEnterprise, EnterpriseView, FieldIssue, Role, UpdateEnterprise } from '@switchboard/shared';

export type { EnterpriseSettings, FieldIssue, Role } from '@switchboard/shared';

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

export type Enterprise = EnterpriseView;

export interface ListResult<T> {
  items: T[];
}

export type CreateEnterpriseRequest = Pick<CreateEnterprise, 'name' | 'tenantId'>;

export type UpdateEnterpriseRequest = UpdateEnterprise;

/** An activity entry as the API answers it (the feed it belongs to is implied by the URL). */
export type Activity = Omit<ActivityEntry, 'scope'>;

export interface ActivityPage {
  items: Activity[];
  continuationToken?: string;
}

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    details?: FieldIssue[];
    requestId?: string;
  };
}

// Messages (the personal tab): conversations, their messages, contacts, sending.
export type { ContactScope, ContactView as Contact, ConversationView as Conversation, MessageView as SmsMessage, SearchHit, UnreadTotal } from '@switchboard/shared';
import type { ContactView, ConversationView, MessageView, SearchHit } from '@switchboard/shared';

export interface ConversationPage {
  items: ConversationView[];
  continuationToken?: string;
}

/** A conversation and one page of its messages, newest first. */
export interface MessagePage {
  conversation: ConversationView;
  items: MessageView[];
  continuationToken?: string;
}

export interface SearchPage {
  items: SearchHit[];
  continuationToken?: string;
  searchedThrough?: string;
}

/** A number the signed-in user may send from: their own, or an SMS group's. */
export interface SendingNumber {
  number: string;
  display: string;
  via: 'user' | 'group';
}

export interface SendMessageRequest {
  from?: string;
  to: string;
  body: string;
}

export interface CreateContactRequest {
  scope?: 'personal' | 'enterprise';
  number: string;
  name: string;
}

export type ContactList = ListResult<ContactView>;
