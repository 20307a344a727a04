import type { Enterprise, UpdateEnterpriseRequest } from '../../api/types';

/** The form's fields, named by the API's dotted paths so server errors land next to them. */
export type SettingsField =
  | 'name'
  | 'settings.chatEnabled'
  | 'settings.syncIntervalMinutes'
  | 'settings.timeZone'
  | 'settings.allowProviderManagement';

export const SETTINGS_FIELDS: readonly SettingsField[] = [
  'name',
  'settings.timeZone',
  'settings.chatEnabled',
  'settings.syncIntervalMinutes',
  'settings.allowProviderManagement',
];

/** What the user is editing. The interval stays text so a half-typed number is still shown as typed. */
export interface SettingsDraft {
  name: string;
  chatEnabled: boolean;
  syncIntervalMinutes: string;
  timeZone: string;
  allowProviderManagement: boolean;
}

export const SYNC_MIN = 5;
export const SYNC_MAX = 1440;

export const draftFrom = (enterprise: Enterprise): SettingsDraft => ({
  name: enterprise.name,
  chatEnabled: enterprise.settings.chatEnabled,
  syncIntervalMinutes: String(enterprise.settings.syncIntervalMinutes),
  timeZone: enterprise.settings.timeZone,
  allowProviderManagement: enterprise.settings.allowProviderManagement,
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
  if (Object.keys(settings).length > 0) patch.settings = settings;
  return patch;
}
