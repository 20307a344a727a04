import { describe, expect, it } from '@jest/globals';
import type { Enterprise } from '../../api/types';
import { buildPatch, changedFields, draftFrom, validateDraft } from './settingsForm';

const enterprise: Enterprise = {
  id: 'contoso',
  name: 'Contoso',
  tenantId: '11111111-1111-4111-8111-111111111111',
  providerId: 'p',
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  etag: 'W/"1"',
  settings: { allowProviderManagement: false, chatEnabled: true, syncIntervalMinutes: 15, timeZone: 'UTC', syncGroupIds: [], optOutScope: 'number', optOutReply: 'Unsubscribed.', optInReply: 'Resubscribed.', helpReply: 'Reply STOP to unsubscribe.' },
};

describe('settings form', () => {
  it('starts clean', () => {
    const draft = draftFrom(enterprise);
    expect(changedFields(enterprise, draft)).toEqual([]);
    expect(buildPatch(enterprise, draft)).toEqual({});
    expect(validateDraft(draft)).toEqual({});
  });

  it('sends only what changed, trimmed and typed', () => {
    const draft = { ...draftFrom(enterprise), name: '  Contoso Ltd ', syncIntervalMinutes: ' 30 ' };
    expect(changedFields(enterprise, draft)).toEqual(['name', 'settings.syncIntervalMinutes']);
    expect(buildPatch(enterprise, draft)).toEqual({ name: 'Contoso Ltd', settings: { syncIntervalMinutes: 30 } });
  });

  it('treats whitespace-only edits to the name as no change', () => {
    expect(changedFields(enterprise, { ...draftFrom(enterprise), name: 'Contoso ' })).toEqual([]);
  });

  it('checks the same rules as the server', () => {
    const base = draftFrom(enterprise);
    expect(validateDraft({ ...base, name: '   ' })).toEqual({ name: 'Give the enterprise a name.' });
    expect(validateDraft({ ...base, syncIntervalMinutes: '4' })['settings.syncIntervalMinutes']).toMatch(/every 5 minutes/);
    expect(validateDraft({ ...base, syncIntervalMinutes: '1441' })['settings.syncIntervalMinutes']).toMatch(/once a day/);
    expect(validateDraft({ ...base, syncIntervalMinutes: '7.5' })['settings.syncIntervalMinutes']).toMatch(/whole number/);
    expect(validateDraft({ ...base, syncIntervalMinutes: '' })['settings.syncIntervalMinutes']).toMatch(/number of minutes/);
    expect(validateDraft({ ...base, timeZone: 'Mars/Olympus' })['settings.timeZone']).toMatch(/IANA/);
    expect(validateDraft({ ...base, timeZone: 'Europe/London' })).toEqual({});
  });
});

describe('compliance texts in the settings form', () => {
  it('sends a changed reply trimmed, and the opt-out scope', () => {
    const draft = { ...draftFrom(enterprise), optOutReply: '  Bye. Reply START to come back. ', optOutScope: 'enterprise' as const };
    expect(changedFields(enterprise, draft)).toEqual(['settings.optOutScope', 'settings.optOutReply']);
    expect(buildPatch(enterprise, draft)).toEqual({ settings: { optOutScope: 'enterprise', optOutReply: 'Bye. Reply START to come back.' } });
  });

  it('refuses empty and over-long replies with the server limit', () => {
    const base = draftFrom(enterprise);
    expect(validateDraft({ ...base, helpReply: '  ' })['settings.helpReply']).toMatch(/HELP cannot be empty/);
    expect(validateDraft({ ...base, optInReply: 'x'.repeat(321) })['settings.optInReply']).toMatch(/at most 320/);
    expect(validateDraft({ ...base, optInReply: 'x'.repeat(320) })).toEqual({});
  });
});
