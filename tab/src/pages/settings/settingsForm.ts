import { MAX_COMPLIANCE_REPLY_LENGTH } from '@shared/enterprises/schema';
import type { Enterprise, UpdateEnterpriseRequest } from '../../api/types';

export { MAX_COMPLIANCE_REPLY_LENGTH };
export type OptOutScope = Enterprise['settings']['optOutScope'];

/** The form's fields, named by the API's dotted paths so server errors land next to them. */
export type SettingsField =
  | 'name'
  | 'settings.chatEnabled'
  | 'settings.syncIntervalMinutes'
  | 'settings.timeZone'
  | 'settings.allowProviderManagement'
  | 'settings.optOutScope'
  | 'settings.optOutReply'
  | 'settings.optInReply'
  | 'settings.helpReply';

export const SETTINGS_FIELDS: readonly SettingsField[] = [
  'name',
  'settings.timeZone',
  'settings.chatEnabled',
  'settings.syncIntervalMinutes',
  'settings.optOutScope',
  'settings.optOutReply',
  'settings.optInReply',
  'settings.helpReply',
  'settings.allowProviderManagement',
];

/** The compliance texts: draft key, API field, and how messages name them. */
export const REPLY_FIELDS = [
  { key: 'optOutReply', field: 'settings.optOutReply', what: 'The reply to STOP' },
  { key: 'optInReply', field: 'settings.optInReply', what: 'The reply to START' },
  { key: 'helpReply', field: 'settings.helpReply', what: 'The reply to HELP' },
] as const;

/** What the user is editing. The interval stays text so a half-typed number is still shown as typed. */
export interface SettingsDraft {
  name: string;
  chatEnabled: boolean;
  syncIntervalMinutes: string;
  timeZone: string;
  allowProviderManagement: boolean;
  optOutScope: OptOutScope;
  optOutReply: string;
  optInReply: string;
  helpReply: string;
}

export const SYNC_MIN = 5;
export const SYNC_MAX = 1440;

export const draftFrom = (enterprise: Enterprise): SettingsDraft => ({
  name: enterprise.name,
  chatEnabled: enterprise.settings.chatEnabled,
  syncIntervalMinutes: String(enterprise.settings.syncIntervalMinutes),
  timeZone: enterprise.settings.timeZone,
  allowProviderManagement: enterprise.settings.allowProviderManagement,
  optOutScope: enterprise.settings.optOutScope,
  optOutReply: enterprise.settings.optOutReply,
  optInReply: enterprise.settings.optInReply,
  helpReply: enterprise.settings.helpReply,
});

export const isValidTimeZone = (zone: string): boolean => {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** The fields whose value differs from what was loaded. */
export function changedFields(base: Enterprise, draft: SettingsDraft): SettingsField[] {
  const original = draftFrom(base);
  const changed: SettingsField[] = [];
  if (draft.name.trim() !== original.name) changed.push('name');
  if (draft.chatEnabled !== original.chatEnabled) changed.push('settings.chatEnabled');
  if (draft.syncIntervalMinutes.trim() !== original.syncIntervalMinutes) changed.push('settings.syncIntervalMinutes');
  if (draft.timeZone !== original.timeZone) changed.push('settings.timeZone');
  if (draft.allowProviderManagement !== original.allowProviderManagement) changed.push('settings.allowProviderManagement');
  if (draft.optOutScope !== original.optOutScope) changed.push('settings.optOutScope');
  for (const { key, field } of REPLY_FIELDS) if (draft[key].trim() !== original[key]) changed.push(field);
  return changed;
}

/** Same rules as the server, so most mistakes are caught before a round trip. */
export function validateDraft(draft: SettingsDraft): Partial<Record<SettingsField, string>> {
  const errors: Partial<Record<SettingsField, string>> = {};
  const name = draft.name.trim();
  if (!name) errors.name = 'Give the enterprise a name.';
  else if (name.length > 120) errors.name = 'Use at most 120 characters.';
  const interval = draft.syncIntervalMinutes.trim();
  const minutes = Number(interval);
  if (!interval || !Number.isFinite(minutes)) errors['settings.syncIntervalMinutes'] = 'Enter a number of minutes.';
  else if (!Number.isInteger(minutes)) errors['settings.syncIntervalMinutes'] = 'Must be a whole number of minutes.';
  else if (minutes < SYNC_MIN) errors['settings.syncIntervalMinutes'] = `Sync at most every ${SYNC_MIN} minutes.`;
  else if (minutes > SYNC_MAX) errors['settings.syncIntervalMinutes'] = `Sync at least once a day (${SYNC_MAX} minutes).`;
  if (!isValidTimeZone(draft.timeZone)) errors['settings.timeZone'] = 'Choose an IANA time zone such as Europe/London or America/New_York.';
  for (const { key, field, what } of REPLY_FIELDS) {
    const text = draft[key].trim();
    if (!text) errors[field] = `${what} cannot be empty: write the text people receive.`;
    else if (text.length > MAX_COMPLIANCE_REPLY_LENGTH) errors[field] = `${what} is too long: shorten it to at most ${MAX_COMPLIANCE_REPLY_LENGTH} characters.`;
  }
  return errors;
}

/** The PATCH body: only what changed, so a save never rewrites a field the user didn't touch. */
export function buildPatch(base: Enterprise, draft: SettingsDraft): UpdateEnterpriseRequest {
  const changed = new Set(changedFields(base, draft));
  const patch: UpdateEnterpriseRequest = {};
  const settings: NonNullable<UpdateEnterpriseRequest['settings']> = {};
  if (changed.has('name')) patch.name = draft.name.trim();
  if (changed.has('settings.chatEnabled')) settings.chatEnabled = draft.chatEnabled;
  if (changed.has('settings.syncIntervalMinutes')) settings.syncIntervalMinutes = Number(draft.syncIntervalMinutes.trim());
  if (changed.has('settings.timeZone')) settings.timeZone = draft.timeZone;
  if (changed.has('settings.allowProviderManagement')) settings.allowProviderManagement = draft.allowProviderManagement;
  if (changed.has('settings.optOutScope')) settings.optOutScope = draft.optOutScope;
  for (const { key, field } of REPLY_FIELDS) if (changed.has(field)) settings[key] = draft[key].trim();
  if (Object.keys(settings).length > 0) patch.settings = settings;
  return patch;
}
